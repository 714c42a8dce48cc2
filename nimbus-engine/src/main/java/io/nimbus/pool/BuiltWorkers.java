package io.nimbus.pool;

import io.nimbus.domain.Function;
import io.nimbus.sandbox.SandboxLimits;

import java.nio.file.Path;
import java.util.List;

/**
 * The seam to the build pipeline: how to start a version's built worker (a Go binary that
 * speaks the wire protocol itself, or a JVM running the SDK's worker on the built classes)
 * instead of an interpreter with a bootstrap.
 */
@FunctionalInterface
public interface BuiltWorkers {

    /**
     * @param interpreter null when the bootstrap is itself the executable
     * @param codeDir     what the worker sees as its code directory
     */
    record BuiltWorker(Path interpreter, List<String> options, Path bootstrap, Path codeDir) {
    }

    /** How to start this version's worker, or null when its runtime runs on an interpreter. */
    BuiltWorker launch(Function function, SandboxLimits limits);
}
