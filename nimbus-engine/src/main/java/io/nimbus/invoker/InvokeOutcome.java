package io.nimbus.invoker;

import io.nimbus.domain.Function;
import io.nimbus.pool.ExecResult;

/**
 * The end of one synchronous invocation, for the API to answer with.
 *
 * @param function the version that served (null when the call was throttled before any ran)
 * @param result   null when {@code throttled}
 * @param initNanos for a cold start, how long the new instance took to be ready (0 otherwise)
 */
public record InvokeOutcome(String invocationId, Function function, ExecResult result, boolean coldStart,
                            long durationNanos, long initNanos, long retryAfterSeconds, String throttleReason) {

    public boolean throttled() {
        return result == null;
    }

    public static InvokeOutcome throttled(String invocationId, Function function, long retryAfterSeconds, String reason) {
        return new InvokeOutcome(invocationId, function, null, false, 0, 0, retryAfterSeconds, reason);
    }
}
