package io.nimbus.pool;

import io.nimbus.domain.Function;
import io.nimbus.metrics.NimbusMetrics;
import io.nimbus.runtime.Runtime;
import io.nimbus.runtime.RuntimeRegistry;
import io.nimbus.sandbox.SandboxBackends;
import io.nimbus.sandbox.SandboxedWorker;
import io.nimbus.sandbox.WorkerLaunch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;

/**
 * Starts an instance of a function version: a worker in the sandbox, then Init. The
 * workers' bootstraps are copied out of the classpath once, into the data directory.
 */
public final class InstanceFactory {
    /** What every worker starts with; the function's own variables arrive with Init. */
    private static final Map<String, String> BASE_ENVIRONMENT = Map.of(
            "PATH", "/usr/local/bin:/usr/bin:/bin",
            "LANG", "C.UTF-8",
            "HOME", "/tmp",
            "PYTHONDONTWRITEBYTECODE", "1",
            "PYTHONUNBUFFERED", "1",
            "NODE_ENV", "production");

    private final RuntimeRegistry runtimes;
    private final SandboxBackends sandboxes;
    private final CodeLocator code;
    private final PoolSettings settings;
    private final ScheduledExecutorService timers;
    private final Path runtimeDir;
    private final Path instanceDir;
    private final Map<String, Path> bootstraps = new ConcurrentHashMap<>();
    /** Instances start at a bounded rate: a burst of cold calls queues here instead of starting a hundred sandboxes at once. */
    private final Semaphore starting;
    private final NimbusMetrics metrics;

    public InstanceFactory(RuntimeRegistry runtimes, SandboxBackends sandboxes, CodeLocator code, PoolSettings settings,
                           ScheduledExecutorService timers, Path dataDir, int maxConcurrentStarts, NimbusMetrics metrics)
            throws IOException {
        this.starting = new Semaphore(maxConcurrentStarts);
        this.metrics = metrics;
        this.runtimes = runtimes;
        this.sandboxes = sandboxes;
        this.code = code;
        this.settings = settings;
        this.timers = timers;
        this.runtimeDir = Files.createDirectories(dataDir.resolve("runtimes"));
        this.instanceDir = Files.createDirectories(dataDir.resolve("instances"));
        clearLeftovers();
    }

    /** An initialized instance, or the reason there is none. */
    public record Started(Instance instance, ExecResult failure) {
    }

    public SandboxBackends sandboxes() {
        return sandboxes;
    }

    Started start(Function function) {
        starting.acquireUninterruptibly();
        try {
            return startNow(function);
        } finally {
            starting.release();
        }
    }

    private Started startNow(Function function) {
        long began = System.nanoTime();
        Runtime runtime = runtimes.require(function.runtime());
        String instanceId = UUID.randomUUID().toString();
        Path strayOutput = instanceDir.resolve(instanceId + ".out");
        SandboxedWorker worker;
        try {
            Path codeDir = code.codeDir(function);
            Files.createFile(strayOutput);
            worker = sandboxes.forFunction(function).start(new WorkerLaunch(instanceId, runtime.interpreter(),
                    bootstrap(runtime), codeDir, BASE_ENVIRONMENT, sandboxes.limitsFor(function), strayOutput));
        } catch (IOException | UncheckedIOException e) {
            return new Started(null, new ExecResult.WorkerDied("could not start a worker: " + e.getMessage(), ""));
        }
        Instance instance = new Instance(instanceId, function, worker, strayOutput, timers);
        long initTimeout = Math.max(settings.initTimeout().toMillis(), function.timeoutSec() * 1000L);
        ExecResult failure = instance.initialize(functionEnvironment(function), initTimeout);
        if (failure != null) {
            return new Started(null, failure);
        }
        metrics.instanceBoot(runtime.id(), false, (System.nanoTime() - began) / 1e6);
        return new Started(instance, null);
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

    /** Stray-output files of instances that died with a previous server. */
    private void clearLeftovers() throws IOException {
        try (var files = Files.list(instanceDir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
