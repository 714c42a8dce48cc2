package io.nimbus.sandbox;

import java.io.InputStream;
import java.io.OutputStream;

/** A started worker: its protocol channel and the means to end it. */
public interface SandboxedWorker {

    /** Frames from the worker (its fd 4). */
    InputStream fromWorker();

    /** Frames to the worker (its fd 3). */
    OutputStream toWorker();

    boolean isAlive();

    long pid();

    /** Kills every process of the worker, at once. Idempotent. */
    void kill();
}
