package io.nimbus.functions;

import io.nimbus.build.BuildOutcome;
import io.nimbus.build.BuildRequest;
import io.nimbus.build.Builder;
import io.nimbus.domain.Function;
import io.nimbus.pool.BuiltWorkers;
import io.nimbus.runtime.RuntimeCatalogue;
import io.nimbus.runtime.RuntimeEntry;

import io.nimbus.build.Artifact;

import java.io.IOException;
import java.nio.file.Path;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The build of each function version of a compiled runtime, started once and remembered: the
 * outcome an invocation waits for, and the artifact it then runs. The builder stores artifacts
 * by code hash, so asking again for a version this server has not seen (after a restart, or a
 * version built by another node) finds the stored artifact without compiling.
 */
public final class Builds implements BuiltWorkers {
    private final Builder builder;
    private final CodeDirectory code;
    private final RuntimeCatalogue runtimes;
    private final Map<String, CompletableFuture<BuildOutcome>> byVersion = new ConcurrentHashMap<>();

    public Builds(Builder builder, CodeDirectory code, RuntimeCatalogue runtimes) {
        this.builder = builder;
        this.code = code;
        this.runtimes = runtimes;
    }

    /** The build of this version of a compiled runtime, started on first request. */
    public CompletableFuture<BuildOutcome> of(Function function) {
        RuntimeEntry runtime = runtimes.find(function.runtime()).filter(RuntimeEntry::built)
                .orElseThrow(() -> new IllegalArgumentException("runtime " + function.runtime() + " is not built"));
        return byVersion.computeIfAbsent(function.versionKey(), key -> start(function, runtime.toolchain()));
    }

    /**
     * The worker binary of a version built as a worker; null for any other. Asked when an
     * instance starts, after the invoker waited for the build, so the outcome is there.
     */
    @Override
    public Path executable(Function function) {
        if (runtimes.find(function.runtime()).filter(RuntimeEntry::built).isEmpty()) {
            return null;
        }
        return of(function).join() instanceof BuildOutcome.Built built && built.artifact().mode() == Artifact.Mode.WORKER
                ? built.artifact().entryFile() : null;
    }

    /** Forgets the builds of the function's versions below {@code lowestVersion}: replaced or deleted. */
    public void forgetBelow(String functionId, int lowestVersion) {
        byVersion.keySet().removeIf(key -> key.startsWith(functionId + ":")
                && Integer.parseInt(key.substring(functionId.length() + 1)) < lowestVersion);
    }

    private CompletableFuture<BuildOutcome> start(Function function, String toolchain) {
        try {
            return builder.build(new BuildRequest(toolchain, code.codeDir(function), function.handler(),
                    function.codeHash()));
        } catch (IOException | UncheckedIOException e) {
            return CompletableFuture.completedFuture(new BuildOutcome.BuildFailed(
                    "the function's files could not be prepared for the build: " + e.getMessage()));
        }
    }
}
