package io.nimbus.functions;

import io.nimbus.build.Artifact;
import io.nimbus.build.BuildOutcome;
import io.nimbus.build.BuildRequest;
import io.nimbus.build.Builder;
import io.nimbus.build.Toolchains;
import io.nimbus.domain.Function;
import io.nimbus.pool.BuiltWorkers;
import io.nimbus.runtime.RuntimeCatalogue;
import io.nimbus.runtime.RuntimeEntry;
import io.nimbus.runtime.java.JavaWorkerImage;
import io.nimbus.sandbox.SandboxLimits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;

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
    private final CompletableFuture<JavaWorkerImage> javaImage;
    private final Map<String, CompletableFuture<BuildOutcome>> byVersion = new ConcurrentHashMap<>();

    /**
     * @param javaImage the java25 worker image, being prepared in the background
     */
    public Builds(Builder builder, CodeDirectory code, RuntimeCatalogue runtimes,
                  CompletableFuture<JavaWorkerImage> javaImage) {
        this.javaImage = javaImage;
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
     * How to start a version built as a worker: a Go binary as its own executable, or the
     * JVM with the SDK's worker and the built classes as the code directory; null for any
     * other version. Asked when an instance starts, after the invoker waited for the build, so
     * the outcome is there; a Java start may wait for the worker image, made once at start-up.
     */
    @Override
    public BuiltWorker launch(Function function, SandboxLimits limits) {
        if (runtimes.find(function.runtime()).filter(RuntimeEntry::built).isEmpty()
                || !(of(function).join() instanceof BuildOutcome.Built built)) {
            return null;
        }
        Artifact artifact = built.artifact();
        return switch (artifact.mode()) {
            case WORKER -> new BuiltWorker(null, List.of(), artifact.entryFile(), null);
            case JAVA -> javaWorker(javaImage.join(), limits, artifact.dir());
            case PLAIN, WASM_ABI, WASI -> null;
        };
    }

    /** java25, when its toolchain is here: the SDK's worker loads any function's classes at Init. */
    @Override
    public List<String> cellRuntimes() {
        return runtimes.find(Toolchains.JAVA).filter(RuntimeEntry::available).map(RuntimeEntry::id).stream().toList();
    }

    /**
     * A java25 cell once the worker image is made: the same JVM and flags as {@link #launch}
     * gives a function under the same limits, so a function that takes the cell runs as if it
     * had started its own.
     */
    @Override
    public BuiltWorker cellLaunch(String runtime, SandboxLimits limits) {
        if (!runtime.equals(Toolchains.JAVA) || javaImage.state() != Future.State.SUCCESS) {
            return null;
        }
        return javaWorker(javaImage.resultNow(), limits, null);
    }

    private static BuiltWorker javaWorker(JavaWorkerImage image, SandboxLimits limits, Path codeDir) {
        return new BuiltWorker(image.java(), image.workerOptions(limits.memoryMb(), limits.cpus()), image.workerJar(),
                codeDir);
    }

    /** Forgets the builds of the function's versions below {@code lowestVersion} but the {@code kept} ones: replaced or deleted. */
    public void forgetBelow(String functionId, int lowestVersion, java.util.Set<Integer> kept) {
        byVersion.keySet().removeIf(key -> {
            if (!key.startsWith(functionId + ":")) {
                return false;
            }
            int version = Integer.parseInt(key.substring(functionId.length() + 1));
            return version < lowestVersion && !kept.contains(version);
        });
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
