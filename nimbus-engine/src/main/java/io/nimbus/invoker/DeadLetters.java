package io.nimbus.invoker;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.Ids;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.TriggerType;
import io.nimbus.domain.async.DeadLetter;
import io.nimbus.domain.async.DeadLetterStore;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** A function's dead-letter queue: reading it, and redriving a letter as a new async invocation. */
public final class DeadLetters {
    private static final int PAGE = 500;

    private final DeadLetterStore store;
    private final AsyncInvocations async;
    private final Clock clock;

    public DeadLetters(DeadLetterStore store, AsyncInvocations async, Clock clock) {
        this.store = store;
        this.async = async;
        this.clock = clock;
    }

    public List<DeadLetter> list(Function function, int limit, int offset) {
        return store.list(function.id(), limit, offset);
    }

    /**
     * Queues the letter's event again, to the function's current version.
     *
     * @return the new invocation
     * @throws DomainException NOT_FOUND for an unknown letter, CONFLICT when it was redriven already
     */
    public Invocation redrive(Function function, String id) {
        DeadLetter letter = store.find(function.id(), id).orElseThrow(() -> DomainException.notFound("dead letter", id));
        Invocation pending = pendingFor(function, letter);
        if (!store.redrive(letter, pending)) {
            throw DomainException.conflict("id", "dead letter " + id + " was redriven already");
        }
        async.wake();
        return pending;
    }

    /**
     * Redrives every letter of the function not redriven yet, each as {@link #redrive} does
     * (a letter another caller redrives meanwhile is skipped).
     *
     * @return how many were redriven
     */
    public int redriveAll(Function function) {
        int redriven = 0;
        for (int offset = 0; ; offset += PAGE) {
            List<DeadLetter> page = store.list(function.id(), PAGE, offset);
            for (DeadLetter letter : page) {
                if (letter.redrivenAt() == null && store.redrive(letter, pendingFor(function, letter))) {
                    redriven++;
                }
            }
            if (page.size() < PAGE) {
                break;
            }
        }
        async.wake();
        return redriven;
    }

    private Invocation pendingFor(Function function, DeadLetter letter) {
        return Invocation.pending(Ids.timeOrdered(), function, TriggerType.ASYNC, letter.input(),
                clock.instant().truncatedTo(ChronoUnit.MILLIS));
    }
}
