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
        Invocation pending = Invocation.pending(Ids.timeOrdered(), function, TriggerType.ASYNC, letter.input(),
                clock.instant().truncatedTo(ChronoUnit.MILLIS));
        if (!store.redrive(letter, pending)) {
            throw DomainException.conflict("id", "dead letter " + id + " was redriven already");
        }
        async.wake();
        return pending;
    }
}
