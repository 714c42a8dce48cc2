package io.nimbus.pool;

import io.nimbus.domain.Function;
import io.nimbus.domain.Limits;
import io.nimbus.metrics.NimbusMetrics;
import io.nimbus.runtime.Runtime;
import io.nimbus.runtime.RuntimeRegistry;
import io.nimbus.sandbox.SandboxBackends;
import io.nimbus.sandbox.SandboxLimits;
import io.nimbus.sandbox.SandboxedWorker;
import io.nimbus.sandbox.WorkerLaunch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;

/**
 * Starts an instance of a function version: a worker in the sandbox, then Init. Where a stem
 * cell of the right kind is ready, the worker is already running and only Init remains. The
 * workers' bootstraps are copied out of the classpath once, into the data directory.
 */
public final class InstanceFactory implements AutoCloseable {
    /** What every worker starts with; the function's own variables arrive with Init. */
    private static final Map<String, String> BASE_ENVIRONMENT = Map.of(
            "PATH", "/usr/local/bin:/usr/bin:/bin",
            "LANG", "C.UTF-8",
            "HOME", "/tmp",
            "PYTHONDONTWRITEBYTECODE", "1",
            "PYTHONUNBUFFERED", "1",
            "NODE_ENV", "production");

    /**
     * Children a template keeps forked ahead (never more than the function's max_instances):
     * enough for a burst. An idle fork shares nearly all its memory with the template: its own
     * control group is charged about 0.2 MB.
     */
    private static final int TEMPLATE_SPARES = 8;

    private final RuntimeRegistry runtimes;
    private final SandboxBackends sandboxes;
    private final CodeLocator code;
    private final BuiltWorkers builtWorkers;
    private final PoolSettings settings;
    private final ScheduledExecutorService timers;
    private final Path runtimeDir;
    private final Path instanceDir;
    private final Path cellDir;
    private final Path forkDir;
    private volatile StemCells stemCells;
    private final Map<String, Path> bootstraps = new ConcurrentHashMap<>();
    /** Instances start at a bounded rate: a burst of cold calls queues here instead of starting a hundred sandboxes at once. */
    private final Semaphore starting;
    private final NimbusMetrics metrics;

    public InstanceFactory(RuntimeRegistry runtimes, SandboxBackends sandboxes, CodeLocator code,
                           BuiltWorkers builtWorkers, PoolSettings settings, ScheduledExecutorService timers,
                           Path dataDir, int maxConcurrentStarts, NimbusMetrics metrics) throws IOException {
        this.builtWorkers = builtWorkers;
        this.starting = new Semaphore(maxConcurrentStarts);
        this.metrics = metrics;
        this.runtimes = runtimes;
        this.sandboxes = sandboxes;
        this.code = code;
        this.settings = settings;
        this.timers = timers;
        this.runtimeDir = Files.createDirectories(dataDir.resolve("runtimes"));
        this.instanceDir = Files.createDirectories(dataDir.resolve("instances"));
        this.cellDir = Files.createDirectories(dataDir.resolve("cells"));
        this.forkDir = Files.createDirectories(dataDir.resolve("templates"));
        clearLeftovers();
    }

    /** An initialized instance, or the reason there is none. */
    public record Started(Instance instance, ExecResult failure) {
    }

    public SandboxBackends sandboxes() {
        return sandboxes;
    }

    /**
     * An instance of the function: from a stem cell of the right kind when one is ready (only
     * Init remains to do), otherwise from nothing. Only the runtimes that have cells have them
     * ready: a Go version, whose worker is its own binary, always starts from nothing.
     */
    Started start(Function function) {
        long began = System.nanoTime();
        BuiltWorkers.BuiltWorker built = builtWorkers.launch(function, sandboxes.limitsFor(function));
        BuiltWorkers.BuiltWorker launch = built != null ? built : interpreted(runtimes.require(function.runtime()));
        StemCell cell = stemCells == null ? null
                : stemCells.take(CellKind.of(function, sandboxes.forFunction(function).name()));
        Started started = cell != null ? fromCell(function, cell, launch) : fromNothing(function, launch);
        if (started.instance() != null) {
            booted(started.instance(), function.runtime(), cell != null, began);
        }
        return started;
    }

    private void booted(Instance instance, String runtime, boolean prepared, long began) {
        long nanos = System.nanoTime() - began;
        instance.startedIn(nanos);
        metrics.instanceBoot(runtime, prepared, nanos / 1e6);
    }

    /** Whether instances of the function can be forked from a template of it. */
    boolean canFork(Function function) {
        return runtimes.find(function.runtime()).map(Runtime::forks).orElse(false)
                && sandboxes.forFunction(function).canFork();
    }

    /**
     * Starts a template of the function: a worker started with a fork directory, which loads
     * the function and then only forks. Null when it could not be started or loaded.
     */
    Template startTemplate(Function function) {
        Runtime runtime = runtimes.require(function.runtime());
        String id = UUID.randomUUID().toString();
        Path dir = forkDir.resolve(id);
        Path strayOutput = instanceDir.resolve(id + ".out");
        ServerSocketChannel server = null;
        starting.acquireUninterruptibly();
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            server = Template.listen(dir);
            Files.createFile(strayOutput);
            SandboxedWorker worker = sandboxes.forFunction(function).start(new WorkerLaunch(id, runtime.interpreter(),
                    bootstrap(runtime), code.codeDir(function), BASE_ENVIRONMENT, sandboxes.limitsFor(function),
                    strayOutput).forking(dir));
            Instance instance = new Instance(id, function, worker, strayOutput, timers, () -> { });
            if (instance.initializeTemplate(functionEnvironment(function), initTimeout(function)) != null) {
                server.close();
                Directories.deleteQuietly(dir);
                return null;
            }
            return Template.of(instance, worker, dir, server, sandboxes.limitsFor(function),
                    Math.min(TEMPLATE_SPARES, function.maxInstances()), initTimeout(function));
        } catch (IOException | UncheckedIOException e) {
            closeQuietly(server);
            Directories.deleteQuietly(dir);
            Directories.deleteQuietly(strayOutput);
            return null;
        } finally {
            starting.release();
        }
    }

    /**
     * An instance forked from the template: its function is loaded already, and a spare was
     * put under its own limits ahead, so usually nothing remains but to take it.
     */
    Started fork(Template template, Function function) {
        long began = System.nanoTime();
        try {
            Template.Forked forked = template.take(initTimeout(function));
            if (forked == null) {
                return new Started(null, new ExecResult.WorkerDied("the template could not fork", ""));
            }
            Instance instance = new Instance(forked.token(), function, forked.worker(), forked.strayOutput(), timers,
                    () -> { });
            instance.adopted();
            booted(instance, function.runtime(), true, began);
            return new Started(instance, null);
        } catch (IOException | RuntimeException e) {
            return new Started(null, new ExecResult.WorkerDied("could not fork an instance: " + e.getMessage(), ""));
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    private BuiltWorkers.BuiltWorker interpreted(Runtime runtime) {
        return new BuiltWorkers.BuiltWorker(runtime.interpreter(), List.of(), bootstrap(runtime), null);
    }

    /** A new worker: an interpreter running its bootstrap, or a built worker. */
    private Started fromNothing(Function function, BuiltWorkers.BuiltWorker launch) {
        starting.acquireUninterruptibly();
        try {
            String instanceId = UUID.randomUUID().toString();
            Path strayOutput = instanceDir.resolve(instanceId + ".out");
            SandboxedWorker worker;
            try {
                Files.createFile(strayOutput);
                worker = sandboxes.forFunction(function).start(new WorkerLaunch(instanceId, launch.interpreter(),
                        launch.options(), launch.bootstrap(), filesOf(function, launch), BASE_ENVIRONMENT,
                        sandboxes.limitsFor(function), strayOutput));
            } catch (IOException | UncheckedIOException e) {
                return new Started(null, new ExecResult.WorkerDied("could not start a worker: " + e.getMessage(), ""));
            }
            return initialize(new Instance(instanceId, function, worker, strayOutput, timers, () -> { }));
        } finally {
            starting.release();
        }
    }

    /**
     * Links the files the function's worker would have started on (its code, or its built
     * artifact) into the cell's own code directory, then sends Init.
     */
    private Started fromCell(Function function, StemCell cell, BuiltWorkers.BuiltWorker launch) {
        try {
            Directories.linkTree(filesOf(function, launch), cell.codeDir());
        } catch (IOException | UncheckedIOException e) {
            cell.discard();
            return new Started(null, new ExecResult.WorkerDied("could not prepare a stem cell: " + e.getMessage(), ""));
        }
        return initialize(new Instance(cell.id(), function, cell.worker(), cell.strayOutput(), timers,
                () -> Directories.deleteQuietly(cell.codeDir())));
    }

    /** The code directory a worker starts on: the built artifact's, or the function's own files. */
    private Path filesOf(Function function, BuiltWorkers.BuiltWorker launch) throws IOException {
        return launch.codeDir() != null ? launch.codeDir() : code.codeDir(function);
    }

    private Started initialize(Instance instance) {
        Function function = instance.function();
        ExecResult failure = instance.initialize(functionEnvironment(function), initTimeout(function));
        return failure == null ? new Started(instance, null) : new Started(null, failure);
    }

    /**
     * Starts a worker with no function, in an empty code directory of its own: a stem cell.
     * Null when the runtime's worker cannot start yet (java25's image is still being made).
     */
    private StemCell startCell(CellKind kind) {
        SandboxLimits limits = new SandboxLimits(kind.memoryMb(), SandboxLimits.cpusForMemory(kind.memoryMb()),
                sandboxes.pidsLimit(), Limits.DEFAULT_EPHEMERAL_STORAGE_MB, SandboxLimits.Network.NONE);
        BuiltWorkers.BuiltWorker launch = runtimes.find(kind.runtime()).map(this::interpreted)
                .orElseGet(() -> builtWorkers.cellLaunch(kind.runtime(), limits));
        if (launch == null) {
            return null;
        }
        String id = UUID.randomUUID().toString();
        Path codeDir = cellDir.resolve(id);
        Path strayOutput = instanceDir.resolve(id + ".out");
        try {
            Files.createDirectories(codeDir);
            Files.setPosixFilePermissions(codeDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.createFile(strayOutput);
            SandboxedWorker worker = sandboxes.byName(kind.backend()).start(new WorkerLaunch(id, launch.interpreter(),
                    launch.options(), launch.bootstrap(), codeDir, BASE_ENVIRONMENT, limits, strayOutput));
            return new StemCell(id, kind, worker, codeDir, strayOutput);
        } catch (IOException e) {
            Directories.deleteQuietly(codeDir);
            Directories.deleteQuietly(strayOutput);
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Keeps {@code target} stem cells ready for every available interpreter and every built
     * runtime that has them ({@link BuiltWorkers#cellRuntimes()}), on the default backend, at
     * each of {@code memorySizes}.
     */
    public void keepStemCells(List<Integer> memorySizes, int target) {
        if (target <= 0 || memorySizes.isEmpty()) {
            return;
        }
        List<String> withCells = new ArrayList<>(runtimes.all().stream().filter(Runtime::available).map(Runtime::id).toList());
        withCells.addAll(builtWorkers.cellRuntimes());
        List<CellKind> kinds = new ArrayList<>();
        for (String runtime : withCells) {
            memorySizes.forEach(mb -> kinds.add(new CellKind(runtime, sandboxes.defaultName(), mb)));
        }
        stemCells = new StemCells(kinds, target, this::startCell);
    }

    /** Cells ready now, per kind ({@code runtime/backend/memory}). */
    public Map<String, Integer> readyStemCells() {
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        if (stemCells != null) {
            stemCells.readyCounts().forEach((kind, count) -> counts.put(kind.toString(), count));
        }
        return counts;
    }

    @Override
    public void close() {
        if (stemCells != null) {
            stemCells.close();
        }
    }

    private long initTimeout(Function function) {
        return Math.max(settings.initTimeout().toMillis(), function.timeoutSec() * 1000L);
    }

    private static Map<String, String> functionEnvironment(Function function) {
        Map<String, String> env = new HashMap<>(function.envVars());
        env.put("NIMBUS_FUNCTION_NAME", function.name());
        env.put("NIMBUS_FUNCTION_VERSION", Integer.toString(function.version()));
        env.put("NIMBUS_MEMORY_LIMIT_MB", Integer.toString(function.memoryMb()));
        return env;
    }

    private Path bootstrap(Runtime runtime) {
        return bootstraps.computeIfAbsent(runtime.id(), id -> {
            String resource = runtime.bootstrap();
            Path target = runtimeDir.resolve(id).resolve(resource.substring(resource.lastIndexOf('/') + 1));
            try (InputStream in = InstanceFactory.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("bootstrap " + resource + " is missing from the classpath");
                }
                Files.createDirectories(target.getParent());
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                return target;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Stray-output files and cell directories of instances that died with a previous server. */
    private void clearLeftovers() throws IOException {
        for (Path dir : List.of(instanceDir, cellDir, forkDir)) {
            try (var entries = Files.list(dir)) {
                entries.forEach(Directories::deleteQuietly);
            }
        }
    }
}
