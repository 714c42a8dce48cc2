package io.nimbus.pool;

import io.nimbus.domain.Function;
import io.nimbus.sandbox.SandboxLimits;

import java.nio.file.Path;
import java.util.List;

/**
 * The seam to the build pipeline: how to start a version's built worker (a Go binary that
 * speaks the wire protocol itself, or a JVM running the SDK's worker on the built classes)
 * instead of an interpreter with a bootstrap, and how to start a stem cell of a built runtime
 * whose worker loads its function only at Init.
 */
public interface BuiltWorkers {

    /**
     * @param interpreter null when the bootstrap is itself the executable
     * @param codeDir     what the worker sees as its code directory (and what a stem cell
     *                    links into its own): the built artifact; null for the function's own
     *                    files, and in a cell's launch, which gets an empty directory
     */
    record BuiltWorker(Path interpreter, List<String> options, Path bootstrap, Path codeDir) {
    }

    /** How to start this version's worker, or null when its runtime runs on an interpreter. */
    BuiltWorker launch(Function function, SandboxLimits limits);

    /**
     * The built runtimes available here whose worker is the same for every function, so that
     * it can start as a stem cell: java25's JVM, not a Go binary, which is the function itself.
     */
    List<String> cellRuntimes();

    /**
     * How to start a stem cell of one of {@link #cellRuntimes()} under {@code limits}, without
     * a code directory; null when it cannot start now (what it starts from is not made yet, or
     * could not be made). Never waits.
     */
    BuiltWorker cellLaunch(String runtime, SandboxLimits limits);
}
