package io.nimbus.wasm;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.UnlinkableException;
import io.nimbus.pool.ExecResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns whatever a guest threw into the invocation's outcome. Nothing escapes: a trap, a stack
 * overflow or the JVM running out of heap inside Chicory is the function's failure, never the
 * host's, and the instance it happened in is thrown away.
 */
final class GuestFailure {
    private static final Logger LOG = LoggerFactory.getLogger(GuestFailure.class);

    private GuestFailure() {
    }

    static ExecResult of(Throwable failure, int memoryMb, String logs) {
        return switch (failure) {
            case OutOfMemoryError e -> new ExecResult.OutOfMemory(memoryMb, logs);
            case StackOverflowError e -> trap("call stack exhausted", logs);
            case WasiExitException e -> exited(e.exitCode(), logs);
            case ChicoryInterruptedException e -> new ExecResult.WorkerDied("the invocation was interrupted", logs);
            case UninstantiableException e -> instantiationFailed(e.getMessage(), logs);
            case UnlinkableException e -> instantiationFailed(e.getMessage(), logs);
            case ChicoryException e -> trap(e.getMessage(), logs);
            default -> internalError(failure, logs);
        };
    }

    /** A WASI {@code proc_exit} with a status other than success, or any exit out of a handler. */
    static ExecResult exited(int status, String logs) {
        return new ExecResult.HandlerFailed("ExitCode", "the program exited with status " + status, null, logs);
    }

    /** The module's own initialisation failed: a data or element segment out of range, a trap in its start. */
    private static ExecResult instantiationFailed(String message, String logs) {
        return new ExecResult.HandlerFailed("InstantiationFailed", message, null, logs);
    }

    private static ExecResult trap(String message, String logs) {
        return new ExecResult.HandlerFailed("Trap", message, null, logs);
    }

    /** A bug on the host's side (Chicory's or ours): logged here, since the user cannot act on it. */
    private static ExecResult internalError(Throwable failure, String logs) {
        LOG.warn("a WebAssembly invocation failed inside the runtime", failure);
        return new ExecResult.HandlerFailed("RuntimeError", "internal error in the WebAssembly runtime: " + failure,
                null, logs);
    }
}
