package io.nimbus.pool;

/**
 * What became of one Exec on an instance. Failures are values, not exceptions: the
 * invoker maps each to an invocation status and an HTTP answer.
 */
public sealed interface ExecResult {

    /** What the handler printed, with stray process output appended, capped. */
    String logs();

    /** The handler returned; {@code output} is its JSON result. */
    record Completed(byte[] output, String logs) implements ExecResult {
    }

    /** The handler raised, or its module could not be loaded. */
    record HandlerFailed(String type, String message, String stackTrace, String logs) implements ExecResult {
    }

    /** The invocation ran out of time; the instance was killed. */
    record TimedOut(long timeoutMs, String logs) implements ExecResult {
    }

    /** The handler's result was over the response limit. */
    record ResponseTooLarge(long bytes, String logs) implements ExecResult {
    }

    /** The sandbox's memory limit killed a process of the instance; the instance is gone. */
    record OutOfMemory(int memoryMb, String logs) implements ExecResult {
    }

    /** The worker died or broke the protocol; the instance is gone. */
    record WorkerDied(String message, String logs) implements ExecResult {
    }
}
