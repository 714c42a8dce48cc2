package io.nimbus.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;

/** A started worker: its protocol channel and the means to end it. */
public interface SandboxedWorker {

    /** Frames from the worker (its fd 4). */
    InputStream fromWorker();

    /** Frames to the worker (its fd 3). */
    OutputStream toWorker();

    /** The function's code directory as the worker sees it (for Init). */
    String codeDir();

    boolean isAlive();

    /**
     * The function has loaded: from now on the worker runs under its steady limits. Loading
     * itself may run with more CPU (as Lambda's init phase does), so that a small function's
     * cold start is not stretched by its small CPU share.
     */
    default void initialized() {
    }

    /** Whether the sandbox's memory limit killed one of its processes. */
    boolean oomKilled();

    /** Kills every process of the worker, at once, and releases what the sandbox held. Idempotent. */
    void kill();

    /** The fork directory as the worker sees it, or null when it was not started to fork. */
    default String forkDir() {
        return null;
    }

    /**
     * Takes charge of a child this worker forked, which has connected back on {@code channel}:
     * from now on it is a worker of its own, under {@code limits} (its own control group,
     * where the backend has them), killed without its parent. The parent must outlive it:
     * the child lives in the parent's sandbox.
     *
     * @param pidInSandbox the child's pid as the parent's sandbox numbers it
     * @param instanceId   the child's id, which names its control group
     */
    default SandboxedWorker adoptChild(long pidInSandbox, SocketChannel channel, String instanceId, SandboxLimits limits)
            throws IOException {
        throw new UnsupportedOperationException("this sandbox cannot adopt forked workers");
    }
}
