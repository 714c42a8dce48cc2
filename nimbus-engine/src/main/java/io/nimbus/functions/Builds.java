package io.nimbus.functions;

import io.nimbus.build.BuildOutcome;
import io.nimbus.build.BuildRequest;
import io.nimbus.build.Builder;
import io.nimbus.domain.Function;

import java.io.IOException;
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
public final class Builds {
    private final Builder builder;
    private final CodeDirectory code;
    private final Map<String, CompletableFuture<BuildOutcome>> byVersion = new ConcurrentHashMap<>();

    public Builds(Builder builder, CodeDirectory code) {
        this.builder = builder;
        this.code = code;
    }

    /**
     * The build of this version, started on first request.
     *
     * @param toolchain the toolchain's id (io.nimbus.build.Toolchains)
     */
    public CompletableFuture<BuildOutcome> of(Function function, String toolchain) {
        return byVersion.computeIfAbsent(function.versionKey(), key -> start(function, toolchain));
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
