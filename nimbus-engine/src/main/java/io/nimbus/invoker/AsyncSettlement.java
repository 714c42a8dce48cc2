package io.nimbus.invoker;

import io.nimbus.domain.AsyncQueue;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationError;
import io.nimbus.domain.InvocationStatus;
import io.nimbus.domain.async.AsyncConfig;
import io.nimbus.domain.async.AsyncConfigStore;
import io.nimbus.domain.async.DeadLetter;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Decides what follows one attempt of an async invocation, with Lambda's guarantees: a
 * failure runs again after a backoff while retries and the event's age allow, then goes to
 * the failure destination or the dead-letter queue; a success goes to the success
 * destination. Each decision is written in one transaction with the attempt's record, so a
 * crash between attempts loses nothing.
 */
public final class AsyncSettlement {
    /** Failures that another attempt cannot fix. */
    private static final String FUNCTION_NOT_FOUND = "FunctionNotFound";

    private final AsyncQueue queue;
    private final AsyncConfigStore configs;
    private final Destinations destinations;
    private final RetryBackoff backoff;
    private final Clock clock;

    public AsyncSettlement(AsyncQueue queue, AsyncConfigStore configs, Destinations destinations, RetryBackoff backoff,
                           Clock clock) {
        this.queue = queue;
        this.configs = configs;
        this.destinations = destinations;
        this.backoff = backoff;
        this.clock = clock;
    }

    /**
     * Settles a claimed invocation older than its function's max_event_age_sec without running it.
     *
     * @return true when it was too old (and is settled)
     */
    boolean settleIfTooOld(Invocation claimed) {
        Instant now = now();
        // most invocations are younger than any max_event_age_sec can be: no need to read the config
        if (Duration.between(claimed.createdAt(), now).toSeconds() < AsyncConfig.MIN_EVENT_AGE_SEC) {
            return false;
        }
        AsyncConfig config = config(claimed);
        if (!olderThan(claimed, now, config)) {
            return false;
        }
        Invocation expired = new Invocation(claimed.id(), claimed.functionId(), claimed.functionName(),
                claimed.functionVersion(), claimed.triggerType(), InvocationStatus.FAILED, claimed.input(), null,
                new InvocationError(DeadLetter.EVENT_AGE_EXCEEDED, null,
                        "the event is older than max_event_age_sec (" + config.maxEventAgeSec() + " s)", null),
                "", false, null, 0, claimed.createdAt(), now, now);
        int attempts = queue.attempts(claimed.id()).size();
        queue.finish(expired, destinations.onFailure(expired, config, attempts, DeadLetter.EVENT_AGE_EXCEEDED));
        return true;
    }

    /** Writes the attempt's record and what follows from it. */
    void settle(Invocation finished) {
        AsyncConfig config = config(finished);
        if (finished.status() == InvocationStatus.SUCCESS && config.onSuccess() == null) {
            queue.complete(finished);
            return;
        }
        if (finished.status() == InvocationStatus.SUCCESS) {
            int attempts = queue.attempts(finished.id()).size() + 1;
            queue.finish(finished, destinations.onSuccess(finished, config, attempts));
            return;
        }
        if (finished.error() != null && FUNCTION_NOT_FOUND.equals(finished.error().code())) {
            queue.complete(finished);
            return;
        }
        int attempts = queue.attempts(finished.id()).size() + 1;
        String condition = DeadLetter.RETRIES_EXHAUSTED;
        if (attempts <= config.maxRetries()) {
            Instant notBefore = now().plus(backoff.after(attempts));
            if (!olderThan(finished, notBefore, config)) {
                queue.retry(finished, notBefore);
                return;
            }
            condition = DeadLetter.EVENT_AGE_EXCEEDED;
        }
        queue.finish(finished, destinations.onFailure(finished, config, attempts, condition));
    }

    private static boolean olderThan(Invocation invocation, Instant at, AsyncConfig config) {
        return Duration.between(invocation.createdAt(), at).toSeconds() >= config.maxEventAgeSec();
    }

    private AsyncConfig config(Invocation invocation) {
        return configs.find(invocation.functionId()).orElse(AsyncConfig.DEFAULT);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
