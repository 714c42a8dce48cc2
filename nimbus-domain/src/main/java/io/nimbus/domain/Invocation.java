package io.nimbus.domain;

import java.time.Instant;

/**
 * One invocation of one function version. Records are immutable; each step of the
 * lifecycle (pending, running, a final status) is a new record with the same id.
 *
 * @param input  the event as JSON text; kept for async invocations (they must be replayable), null for sync
 * @param output the handler's return value as JSON text, null unless {@code status} is success
 * @param logs   what the handler printed, at most {@link Limits#MAX_LOG_BYTES} plus a truncation marker
 */
public record Invocation(
        String id,
        String functionId,
        String functionName,
        int functionVersion,
        TriggerType triggerType,
        InvocationStatus status,
        String input,
        String output,
        InvocationError error,
        String logs,
        boolean coldStart,
        String instanceId,
        long durationMs,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt) {

    /** A new async invocation, accepted but not yet run. */
    public static Invocation pending(String id, Function function, TriggerType trigger, String input, Instant now) {
        return new Invocation(id, function.id(), function.name(), function.version(), trigger,
                InvocationStatus.PENDING, input, null, null, null, false, null, 0, now, null, null);
    }

    public Invocation running(Instant startedAt) {
        return new Invocation(id, functionId, functionName, functionVersion, triggerType, InvocationStatus.RUNNING,
                input, null, null, null, false, null, 0, createdAt, startedAt, null);
    }
}
