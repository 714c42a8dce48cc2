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

    /** Whether the sandbox's memory limit killed one of its processes. */
    boolean oomKilled();

    /** Kills every process of the worker, at once, and releases what the sandbox held. Idempotent. */
    void kill();
}
