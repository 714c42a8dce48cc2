package io.nimbus.build;

import io.nimbus.sandbox.JobResult;
import io.nimbus.sandbox.JobRunner;
import io.nimbus.sandbox.NamespaceJobs;
import io.nimbus.sandbox.SandboxJob;
import io.nimbus.sandbox.SandboxLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * Compiles functions of the compiled runtimes, off the caller's thread, into the artifact
 * store. Identical code is built once: a stored artifact is returned as it is, and requests
 * for an artifact whose build is under way share that build. At most
 * {@link BuildSettings#concurrency()} compilers run at once, the others wait their turn.
 *
 * <p>A build is untrusted code's input to a large program (a compiler), so it runs like a
 * function: in the namespace sandbox as uid 65534, with no network, under a control group
 * of its own (memory, CPU, processes), killed whole at its timeout. It sees /usr, its input
 * read-only at /src and a private /tmp, and nothing of the host it could write to: the
 * compiler writes its product into /tmp and the build prints it on its standard output,
 * which the host copies into the artifact, up to {@link #MAX_ARTIFACT_BYTES}.
 */
public final class Builder {
    private static final Logger LOG = LoggerFactory.getLogger(Builder.class);
    /** A Go hello is about 1.5 MB stripped; this leaves room for large programs and refuses a runaway one. */
    static final long MAX_ARTIFACT_BYTES = 256L * 1024 * 1024;
    private static final String INPUT = "/src";
    /** Runs the compiler with its stdout joined to stderr (diagnostics), then prints the product on stdout. */
    private static final String COMPILE_THEN_PRINT = """
            product=$1; shift
            "$@" >&2 || exit
            exec cat "$product"
            """;
    private static final String REUSED = "reused the artifact built earlier from identical code\n";

    private final ArtifactStore store;
    private final Toolchains toolchains;
    private final BuildSettings settings;
    private final JobRunner jobs;
    private final Semaphore compilers;
    private final Map<String, CompletableFuture<BuildOutcome>> underWay = new ConcurrentHashMap<>();

    /**
     * @param jobs runs each compiler; {@link NamespaceJobs} in production
     */
    public Builder(Path dataDir, Toolchains toolchains, BuildSettings settings, JobRunner jobs) throws IOException {
        this.store = new ArtifactStore(dataDir);
        this.toolchains = toolchains;
        this.settings = settings;
        this.jobs = jobs;
        this.compilers = new Semaphore(settings.concurrency(), true);
        store.removeLeftoverStaging();
    }

    /** The production builder: compilers run in the namespace sandbox. */
    public static Builder create(Path dataDir, Toolchains toolchains, BuildSettings settings) throws IOException {
        return new Builder(dataDir, toolchains, settings, NamespaceJobs.create(dataDir));
    }

    /**
     * Builds the artifact, or finds it built. Returns at once; the outcome completes when the
     * build ends. It never completes exceptionally: every failure is a {@link BuildOutcome}.
     */
    public CompletableFuture<BuildOutcome> build(BuildRequest request) {
        Optional<Toolchain> found = toolchains.find(request.runtime());
        if (found.isEmpty()) {
            return CompletableFuture.completedFuture(new BuildOutcome.BuildFailed("unknown compiled runtime '"
                    + request.runtime() + "'; known: " + String.join(", ", toolchains.all().stream().map(Toolchain::id).toList())));
        }
        Toolchain toolchain = found.get();
        if (!toolchain.available()) {
            return CompletableFuture.completedFuture(new BuildOutcome.BuildFailed(toolchain.unavailableMessage()));
        }
        Recipe recipe = recipeFor(toolchain);
        String key = recipe.artifactKey(request);
        CompletableFuture<BuildOutcome> mine = new CompletableFuture<>();
        CompletableFuture<BuildOutcome> theirs = underWay.putIfAbsent(toolchain.id() + "/" + key, mine);
        if (theirs != null) {
            return theirs;
        }
        Thread.ofVirtual().name("build-" + toolchain.id() + "-" + key).start(() -> {
            BuildOutcome outcome;
            try {
                outcome = findOrBuild(toolchain, recipe, request, key);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                outcome = new BuildOutcome.BuildFailed("the build was interrupted: the server is stopping");
            } catch (IOException | RuntimeException e) {
                LOG.error("build of {} {} failed inside Nimbus", toolchain.id(), key, e);
                outcome = new BuildOutcome.BuildFailed("the build failed inside Nimbus: " + e);
            }
            // Out of the map before completing: a request after the outcome finds the stored artifact.
            underWay.remove(toolchain.id() + "/" + key, mine);
            mine.complete(outcome);
        });
        return mine;
    }

    private BuildOutcome findOrBuild(Toolchain toolchain, Recipe recipe, BuildRequest request, String key)
            throws IOException, InterruptedException {
        Optional<Artifact> stored = store.find(toolchain.id(), key);
        if (stored.isPresent()) {
            return new BuildOutcome.Built(stored.get(), REUSED);
        }
        compilers.acquire();
        try {
            return compile(toolchain, recipe, request, key);
        } finally {
            compilers.release();
        }
    }

    private BuildOutcome compile(Toolchain toolchain, Recipe recipe, BuildRequest request, String key) throws IOException {
        Path staging = store.newStaging(toolchain.id());
        try {
            Path input = Files.createDirectories(staging.resolve("input"));
            Path output = Files.createDirectories(staging.resolve("artifact"));
            SourceFiles.copyTree(request.sourceDir(), input);
            BuildPlan plan;
            try {
                plan = recipe.plan(request, input);
            } catch (InvalidSource e) {
                return new BuildOutcome.BuildFailed(e.getMessage());
            }
            Path product = output.resolve(plan.entry());
            Files.createDirectories(product.getParent());
            JobResult result = jobs.run(job(plan, input, product));
            return switch (result) {
                case JobResult.TimedOut ignored -> new BuildOutcome.TimedOut(settings.timeout());
                case JobResult.Exited exited -> finish(toolchain, recipe, plan, exited, output, product, key);
            };
        } finally {
            ArtifactStore.deleteTree(staging);
        }
    }

    private BuildOutcome finish(Toolchain toolchain, Recipe recipe, BuildPlan plan, JobResult.Exited exited,
                                Path output, Path product, String key) throws IOException {
        String log = recipe.readableLog(exited.stderr());
        if (exited.outOfMemory()) {
            return new BuildOutcome.BuildFailed("the build ran out of memory (" + settings.memoryMb() + " MB)\n" + log);
        }
        if (exited.status() != 0) {
            return new BuildOutcome.BuildFailed(log.isBlank() ? "the compiler exited with status " + exited.status() : log);
        }
        if (exited.stdoutIncomplete()) {
            return new BuildOutcome.BuildFailed("the artifact is larger than " + MAX_ARTIFACT_BYTES + " bytes");
        }
        String unusable = recipe.check(plan, product);
        if (unusable != null) {
            return new BuildOutcome.BuildFailed(unusable + "\n" + log);
        }
        if (plan.mode() == Artifact.Mode.WORKER || plan.mode() == Artifact.Mode.PLAIN) {
            product.toFile().setExecutable(true, false);
        }
        Artifact staged = new Artifact(output, toolchain.id(), plan.mode(), plan.entry(), toolchain.version());
        staged.writeManifest();
        return new BuildOutcome.Built(store.publish(staged, key), log);
    }

    private SandboxJob job(BuildPlan plan, Path input, Path product) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", COMPILE_THEN_PRINT, "nimbus-build", plan.product()));
        command.addAll(plan.command());
        Map<String, String> environment = new HashMap<>(Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8",
                "HOME", "/tmp", "TMPDIR", "/tmp"));
        environment.putAll(plan.environment());
        SandboxLimits limits = new SandboxLimits(settings.memoryMb(), settings.cpus(), settings.pids(), settings.tmpMb(),
                SandboxLimits.Network.NONE);
        return new SandboxJob("build-" + UUID.randomUUID(), command, environment,
                List.of(new SandboxJob.Mount(input, INPUT)), INPUT, limits, settings.timeout(), new byte[0],
                SandboxJob.Output.toFile(product, MAX_ARTIFACT_BYTES));
    }

    private static Recipe recipeFor(Toolchain toolchain) {
        return switch (toolchain.id()) {
            case Toolchains.GO -> new GoRecipe(toolchain);
            case Toolchains.RUST_WASM -> new RustWasmRecipe();
            case Toolchains.C_WASM -> new CWasmRecipe();
            case Toolchains.JAVA -> new JavaRecipe(Toolchains.JAVA_HOME);
            default -> throw new IllegalArgumentException("no recipe for " + toolchain.id());
        };
    }
}
