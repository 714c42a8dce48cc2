package io.nimbus.pool;

import io.nimbus.sandbox.SandboxedWorker;

import java.nio.file.Path;

/**
 * A worker started ahead of need: sandboxed, its runtime's bootstrap loaded, no function yet.
 * Its code directory is empty and its own; the function's files are linked into it when the
 * cell is claimed, just before Init.
 */
record StemCell(String id, CellKind kind, SandboxedWorker worker, Path codeDir, Path strayOutput) {

    /** Kills the worker and removes what the cell had on disk. */
    void discard() {
        worker.kill();
        Directories.deleteQuietly(codeDir);
        Directories.deleteQuietly(strayOutput);
    }
}
