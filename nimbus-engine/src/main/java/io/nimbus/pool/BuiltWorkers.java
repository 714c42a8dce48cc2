package io.nimbus.pool;

import io.nimbus.domain.Function;

import java.nio.file.Path;

/**
 * The seam to the build pipeline: where a version's compiled worker is (a Go binary that
 * speaks the wire protocol itself), for the factory to start instead of an interpreter.
 */
@FunctionalInterface
public interface BuiltWorkers {

    /** The executable worker of this version, or null when its runtime runs on an interpreter. */
    Path executable(Function function);
}
