package io.nimbus.server;

import io.nimbus.api.ApiServer;
import io.nimbus.domain.Function;
import io.nimbus.domain.FunctionQuery;
import io.nimbus.build.BuildSettings;
import io.nimbus.build.Builder;
import io.nimbus.build.Toolchains;
import io.nimbus.functions.Aliases;
import io.nimbus.functions.Builds;
import io.nimbus.functions.Webhooks;
import io.nimbus.functions.CodeDirectory;
import io.nimbus.functions.WasmModules;
import io.nimbus.runtime.PlainProgram;
import io.nimbus.runtime.RuntimeCatalogue;
import io.nimbus.runtime.java.JavaWorkerImage;
import io.nimbus.sandbox.NamespaceJobs;
import io.nimbus.wasm.WasmEngine;
import io.nimbus.functions.FunctionService;
import io.nimbus.invoker.AsyncInvocations;
import io.nimbus.invoker.InvocationHistory;
import io.nimbus.invoker.InvocationRecorder;
import io.nimbus.invoker.Invoker;
import io.nimbus.metrics.NimbusMetrics;
import io.nimbus.pool.InstanceFactory;
import io.nimbus.pool.InstancePools;
import io.nimbus.pool.MemoryBudget;
import io.nimbus.pool.PoolSettings;
import io.nimbus.runtime.RuntimeRegistry;
import io.nimbus.sandbox.NamespaceSandbox;
import io.nimbus.sandbox.ProcessSandbox;
import io.nimbus.sandbox.SandboxBackend;
import io.nimbus.sandbox.SandboxBackends;
import io.nimbus.workflow.WorkflowService;
import io.nimbus.store.Database;
import io.nimbus.store.JdbcAliasStore;
import io.nimbus.store.JdbcAsyncQueue;
import io.nimbus.store.JdbcExecutionStore;
import io.nimbus.store.JdbcWebhookStore;
import io.nimbus.store.JdbcFunctionStore;
import io.nimbus.store.JdbcInvocationStore;
import io.nimbus.store.JdbcWorkflowStore;
import io.nimbus.store.StoreConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The one place where the parts are wired together, in dependency order, and taken apart
 * in reverse on a clean stop: stop accepting, let async work finish, stop the instances,
 * flush the invocation records, close the store.
 */
public final class Nimbus implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Nimbus.class);

    private final Deque<AutoCloseable> closeInReverse = new ArrayDeque<>();
    private final NimbusConfig config;
    private volatile boolean accepting;
    private ApiServer api;
    private AsyncInvocations async;
    private boolean closed;

    private Nimbus(NimbusConfig config) {
        this.config = config;
    }

    public static Nimbus start(NimbusConfig config) throws IOException {
        Nimbus nimbus = new Nimbus(config);
        try {
            nimbus.wire();
            return nimbus;
        } catch (IOException | RuntimeException e) {
            nimbus.close();
            throw e;
        }
    }

    public int port() {
        return api.port();
    }

    public String host() {
        return config.host();
    }

    private void wire() throws IOException {
        Path dataDir = Files.createDirectories(config.dataDir());
        boolean embedded = config.string(Setting.STORE).equals("sqlite");
        if (embedded) {
            closeInReverse.push(DataDirLock.acquire(dataDir));
        }
        Database database = new Database(storeConfig(dataDir, embedded));
        closeInReverse.push(database);
        JdbcFunctionStore functionStore = new JdbcFunctionStore(database);
        JdbcInvocationStore invocationStore = new JdbcInvocationStore(database);
        JdbcAsyncQueue queue = new JdbcAsyncQueue(database);

        RuntimeRegistry runtimes = RuntimeRegistry.detect(Map.of(
                "python3.11", config.string(Setting.PYTHON), "nodejs20", config.string(Setting.NODE)));
        runtimes.all().forEach(r -> LOG.info("runtime {}: {}", r.id(),
                r.available() ? r.language() + " " + r.version() + " at " + r.interpreter() : "unavailable"));

        Toolchains toolchains = Toolchains.detect();
        toolchains.all().forEach(t -> LOG.info("runtime {}: {}", t.id(),
                t.available() ? t.language() + " " + t.version() : t.unavailableMessage()));
        RuntimeCatalogue catalogue = new RuntimeCatalogue(runtimes, toolchains);

        ScheduledExecutorService timers = timers();
        closeInReverse.push(timers::shutdownNow);
        SandboxBackends sandboxes = sandboxes(dataDir);
        PoolSettings poolSettings = new PoolSettings(config.millis(Setting.QUEUE_TIMEOUT_MS),
                config.seconds(Setting.IDLE_TTL_SEC), config.seconds(Setting.MAX_AGE_SEC),
                config.integer(Setting.MAX_INVOCATIONS), config.millis(Setting.INIT_TIMEOUT_MS),
                config.bool(Setting.FORK_TEMPLATES) ? config.integer(Setting.FORK_AFTER_INIT_MS) : -1);
        NimbusMetrics metrics = new NimbusMetrics();
        closeInReverse.push(metrics);
        CodeDirectory code = new CodeDirectory(functionStore, dataDir);
        Builder builder = Builder.create(dataDir, toolchains, BuildSettings.defaults()
                .withConcurrency(config.integer(Setting.BUILDS_CONCURRENCY))
                .withTimeout(config.seconds(Setting.BUILDS_TIMEOUT_SEC)));
        Builds builds = new Builds(builder, code, catalogue, javaWorkerImage(dataDir));
        InstanceFactory factory = new InstanceFactory(runtimes, sandboxes, code, builds,
                poolSettings, timers, dataDir, config.integer(Setting.MAX_CONCURRENT_STARTS), metrics);
        closeInReverse.push(factory);
        factory.keepStemCells(config.integers(Setting.STEM_CELLS_MEMORY_MB), config.integer(Setting.STEM_CELLS_TARGET));
        InstancePools pools = new InstancePools(factory, poolSettings,
                memoryBudget(),
                config.integer(Setting.HEALTH_CHECK_MS), timers);
        closeInReverse.push(pools);

        Clock clock = Clock.systemUTC();
        WasmEngine wasm = new WasmEngine();
        closeInReverse.push(wasm);
        JdbcAliasStore aliasStore = new JdbcAliasStore(database);
        FunctionService functions = new FunctionService(functionStore, aliasStore, config.integer(Setting.VERSION_RETENTION),
                catalogue, pools, builds, new WasmModules(wasm), clock, config.millis(Setting.FUNCTION_CACHE_TTL_MS));
        Aliases aliases = new Aliases(aliasStore, functions, clock, config.millis(Setting.FUNCTION_CACHE_TTL_MS));
        functions.resumeBuilds();
        InvocationRecorder recorder = new InvocationRecorder(invocationStore, config.integer(Setting.RECORD_FLUSH_MS));
        closeInReverse.push(recorder);
        Invoker invoker = new Invoker(functions, pools, new PlainProgram(NamespaceJobs.create(dataDir)), recorder, metrics,
                clock);
        Eventing eventing = new Eventing(database, functions, clock, config);
        async = new AsyncInvocations(queue, invoker, eventing.settlement(queue), clock,
                config.integer(Setting.ASYNC_CONCURRENCY), config.millis(Setting.ASYNC_POLL_MS));
        closeInReverse.push(() -> async.stop(config.seconds(Setting.SHUTDOWN_GRACE_SEC)));
        if (embedded) {
            int released = queue.releaseAllLeases();
            if (released > 0) {
                LOG.info("{} async invocation(s) interrupted by the last stop will run again", released);
            }
        }
        async.start();
        WorkflowService workflows = new WorkflowService(new JdbcWorkflowStore(database),
                new JdbcExecutionStore(database), functions, invoker, clock, config.millis(Setting.ASYNC_POLL_MS));
        closeInReverse.push(workflows);
        workflows.start(embedded);
        closeInReverse.push(eventing.startCron(async, functionStore));
        provisionWarmFunctions(functionStore, pools);
        runtimes.all().forEach(runtime -> metrics.poolGauges(runtime.id(), pools,
                p -> p.liveInstances(runtime.id()), p -> p.idleInstances(runtime.id())));
        metrics.schedulerGauges(async::depth, async::inFlight);

        api = new ApiServer(config.string(Setting.HOST), config.integer(Setting.PORT), new ApiServer.Parts(
                functions, invoker, async, new InvocationHistory(invocationStore, recorder), catalogue, pools, metrics,
                embedded ? "sqlite" : "postgres", database::ping, () -> accepting, workflows, aliases,
                new Webhooks(new JdbcWebhookStore(database), functions, clock), eventing.apiParts(async),
                config.routePrefix())).start();
        closeInReverse.push(api);
        accepting = true;
    }

    /**
     * The java25 worker image (jar and AOT cache), made in the background: a training run
     * takes seconds the first time, and only the first Java instance needs to wait for it.
     */
    private static CompletableFuture<JavaWorkerImage> javaWorkerImage(Path dataDir) {
        CompletableFuture<JavaWorkerImage> image = new CompletableFuture<>();
        Thread.ofVirtual().name("java-worker-image").start(() -> {
            try {
                image.complete(JavaWorkerImage.prepare(Path.of(System.getProperty("java.home")),
                        JavaWorkerImage.sdkOnClassPath(), dataDir.resolve("runtimes").resolve("java25")));
            } catch (IOException | RuntimeException e) {
                LOG.error("the java25 worker image could not be made; Java functions cannot start", e);
                image.completeExceptionally(e);
            } catch (InterruptedException e) {
                image.completeExceptionally(e);
            }
        });
        return image;
    }

    /** An explicit budget in MB when one is set, otherwise a share of the host's memory. */
    private MemoryBudget memoryBudget() {
        int megabytes = config.integer(Setting.MEMORY_BUDGET_MB);
        return megabytes > 0 ? new MemoryBudget(megabytes) : MemoryBudget.shareOfHost(config.integer(Setting.MEMORY_BUDGET_PERCENT));
    }

    /** Functions with min_instances get their warm instances at start-up, in the background. */
    private static void provisionWarmFunctions(JdbcFunctionStore store, InstancePools pools) {
        int page = 500;
        for (int offset = 0; ; offset += page) {
            List<Function> functions = store.list(new FunctionQuery(null, null, null, null, page, offset));
            functions.forEach(pools::provision);
            if (functions.size() < page) {
                return;
            }
        }
    }

    private StoreConfig storeConfig(Path dataDir, boolean embedded) {
        if (embedded) {
            return StoreConfig.sqlite(dataDir);
        }
        String password = config.string(Setting.DB_PASSWORD);
        return StoreConfig.postgres(config.string(Setting.DB_URL), blankToNull(config.string(Setting.DB_USER)),
                blankToNull(password), config.integer(Setting.DB_POOL_SIZE));
    }

    /**
     * Every backend that can run here. The configured default must be one of them: a server
     * asked for isolation it cannot give refuses to start rather than run functions unconfined.
     */
    private SandboxBackends sandboxes(Path dataDir) throws IOException {
        List<SandboxBackend> available = new ArrayList<>();
        Map<String, String> unavailable = new LinkedHashMap<>();
        String chosen = config.string(Setting.SANDBOX);
        // Unconfined functions are opted into by the operator, never by a function: any caller
        // of the API (or a host-network function calling it) could otherwise ask for one.
        if (chosen.equals("process") || config.bool(Setting.ALLOW_PROCESS)) {
            available.add(new ProcessSandbox());
        } else {
            unavailable.put("process", "runs functions without isolation; the operator enables it with "
                    + "sandbox.allow_process: true (NIMBUS_SANDBOX_ALLOW_PROCESS), for development only");
        }
        String namespace = NamespaceSandbox.unavailableReason();
        if (namespace == null) {
            available.add(NamespaceSandbox.create(dataDir));
        } else {
            unavailable.put("namespace", namespace);
        }
        String gvisor = io.nimbus.sandbox.GvisorSandbox.unavailableReason();
        if (gvisor == null) {
            available.add(io.nimbus.sandbox.GvisorSandbox.create(dataDir));
        } else {
            unavailable.put("gvisor", gvisor);
        }
        if (unavailable.containsKey(chosen)) {
            throw new NimbusConfig.ConfigException("sandbox backend '" + chosen + "' cannot run here: " + unavailable.get(chosen));
        }
        if (available.stream().anyMatch(backend -> !backend.isolates())) {
            LOG.warn("""

                    ************************************************************************
                    *  SANDBOX BACKEND 'process': functions run as plain processes with   *
                    *  NO ISOLATION. Use it for development only, never for untrusted code *
                    ************************************************************************""");
        }
        return new SandboxBackends(available, unavailable, chosen, config.integer(Setting.PIDS_MAX));
    }

    private static ScheduledExecutorService timers() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("nimbus-timer").daemon().factory());
        timers.setRemoveOnCancelPolicy(true);
        return Executors.unconfigurableScheduledExecutorService(timers);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** A clean stop. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        accepting = false;
        while (!closeInReverse.isEmpty()) {
            AutoCloseable part = closeInReverse.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed", part, e);
            }
        }
    }
}
