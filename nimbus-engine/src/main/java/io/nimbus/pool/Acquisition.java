package io.nimbus.pool;

/** The answer of {@link InstancePool#acquire}: an instance, or why there is none. */
public sealed interface Acquisition {

    /** An instance is the caller's until it hands it back with {@link InstancePool#release}. */
    record Acquired(InstancePool pool, Instance instance, boolean coldStart) implements Acquisition {
    }

    /** Every instance stayed busy for the whole queue timeout, or the memory budget had no room. */
    record Throttled(long retryAfterSeconds, String reason) implements Acquisition {
    }

    /** The pool's function version was replaced or deleted: resolve the function again. */
    record Retired() implements Acquisition {
    }

    /** A new instance could not load the function. */
    record StartFailed(ExecResult reason) implements Acquisition {
    }
}
