package io.nimbus.domain;

import java.time.Instant;

/**
 * What one step of an execution did, kept so that a restarted server resumes the execution
 * where it was. A step is identified within its execution by its path in the definition
 * ({@code steps[1].branches[0][2]}): definitions have no loops, so a path runs at most once.
 *
 * @param input        the step's input as JSON text
 * @param output       its output as JSON text once it succeeded (or its catcher finished)
 * @param attempts     task attempts started so far
 * @param invocationId the task's latest invocation, null for other steps
 * @param wakeAt       when a waiting step ends or a retrying step tries again; null otherwise
 */
public record StepRecord(
        String executionId,
        String path,
        String name,
        String type,
        StepStatus status,
        String input,
        String output,
        InvocationError error,
        int attempts,
        String invocationId,
        Instant wakeAt,
        Instant startedAt,
        Instant finishedAt) {

    public static StepRecord started(String executionId, String path, String name, String type, String input,
                                     Instant now) {
        return new StepRecord(executionId, path, name, type, StepStatus.RUNNING, input, null, null, 0, null, null, now,
                null);
    }

    public StepRecord attempt(int attempt) {
        return new StepRecord(executionId, path, name, type, StepStatus.RUNNING, input, null, null, attempt, null, null,
                startedAt, null);
    }

    public StepRecord invoked(String invocation) {
        return new StepRecord(executionId, path, name, type, status, input, output, error, attempts, invocation, wakeAt,
                startedAt, finishedAt);
    }

    /** Status {@code waiting} or {@code retrying} until {@code until}. */
    public StepRecord sleeping(StepStatus sleep, InvocationError lastError, Instant until) {
        return new StepRecord(executionId, path, name, type, sleep, input, null, lastError, attempts, invocationId,
                until, startedAt, null);
    }

    public StepRecord succeeded(String result, Instant now) {
        return new StepRecord(executionId, path, name, type, StepStatus.SUCCEEDED, input, result, null, attempts,
                invocationId, null, startedAt, now);
    }

    public StepRecord failed(InvocationError why, Instant now) {
        return new StepRecord(executionId, path, name, type, StepStatus.FAILED, input, null, why, attempts,
                invocationId, null, startedAt, now);
    }

    /** Failed and handed to a catcher; {@code result} is the catcher's output, null while it runs. */
    public StepRecord caught(InvocationError why, String result, Instant now) {
        return new StepRecord(executionId, path, name, type, StepStatus.CAUGHT, input, result, why, attempts,
                invocationId, null, startedAt, result == null ? null : now);
    }
}
