package io.nimbus.sandbox;

import java.io.InputStream;
import java.io.OutputStream;

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
}
