package io.nimbus.sandbox;

import java.io.IOException;

/** Starts workers inside one kind of sandbox. */
public interface SandboxBackend {

    /** The name used in configuration and reported by /health: {@code process}, {@code namespace}, ... */
    String name();

    /** Whether the backend confines the worker; false only for {@code process}. */
    boolean isolates();

    SandboxedWorker start(WorkerLaunch launch) throws IOException;

    /**
     * Whether its workers can fork instances of their function ({@link SandboxedWorker#adoptChild}):
     * the fork directory must be reachable inside the sandbox and a child must be movable
     * into limits of its own.
     */
    default boolean canFork() {
        return false;
    }
}
