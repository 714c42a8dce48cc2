package io.nimbus.functions;

import io.nimbus.domain.AliasStore;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.FunctionCode;
import io.nimbus.domain.FunctionDefinition;
import io.nimbus.domain.FunctionQuery;
import io.nimbus.domain.FunctionRequest;
import io.nimbus.domain.FunctionStatus;
import io.nimbus.domain.FunctionStore;
import io.nimbus.domain.FunctionValidator;
import io.nimbus.domain.Ids;
import io.nimbus.build.Artifact;
import io.nimbus.build.BuildOutcome;
import io.nimbus.pool.InstancePools;
import io.nimbus.runtime.Runtime;
import io.nimbus.runtime.RuntimeCatalogue;
import io.nimbus.runtime.RuntimeEntry;
import io.nimbus.wasm.InvalidWasmException;
import io.nimbus.wasm.WasmFunction;
import io.nimbus.wasm.WasmModule;
import io.nimbus.wasm.WasmSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The function-management use case. Lookups go through a cache that is refreshed from the
 * store after {@code cacheTtl}: within one node, changes made here are seen at once; other
 * nodes sharing the store see them within the TTL.
 *
 * <p>A version of a compiled runtime is stored {@code building} and its build started off the
 * request path; when the build ends, that version (and only that one, if it is still current)
 * becomes {@code active} or {@code failed}, with the build's log.
 *
 * <p>Every create, update and rollback publishes an immutable version; the newest
 * {@code versionRetention} are kept, and older ones too while an alias points at them.
 */
public final class FunctionService {
    private static final Logger LOG = LoggerFactory.getLogger(FunctionService.class);
    /** How long a deploy of a wasm module waits for its compilation before answering anyway. */
    private static final Duration COMPILE_WAIT = Duration.ofSeconds(5);
    private static final Pattern UUID_SHAPE =
            Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private final FunctionStore store;
    private final AliasStore aliases;
    private final int versionRetention;
    private final RuntimeCatalogue runtimes;
    private final InstancePools pools;
    private final Builds builds;
    private final WasmModules wasm;
    private final FunctionValidator validator = new FunctionValidator();
    private final Clock clock;
    private final long cacheTtlNanos;
    private final Map<String, Cached> byRef = new ConcurrentHashMap<>();
    /** Versions by {@link Function#versionKey()}: immutable but for the end of their build, hence the TTL too. */
    private final Map<String, Cached> byVersionKey = new ConcurrentHashMap<>();

    private record Cached(Function function, long loadedAtNanos) {
    }

    /** @param versionRetention how many of the newest versions to keep, at least 1 */
    public FunctionService(FunctionStore store, AliasStore aliases, int versionRetention, RuntimeCatalogue runtimes,
                           InstancePools pools, Builds builds, WasmModules wasm, Clock clock, Duration cacheTtl) {
        if (versionRetention < 1) {
            throw new IllegalArgumentException("version retention must be at least 1: the latest version is always kept");
        }
        this.store = store;
        this.aliases = aliases;
        this.versionRetention = versionRetention;
        this.runtimes = runtimes;
        this.pools = pools;
        this.builds = builds;
        this.wasm = wasm;
        this.clock = clock;
        this.cacheTtlNanos = cacheTtl.toNanos();
    }

    public Function create(FunctionRequest request) {
        if (request.runtime() == null || request.runtime().isBlank()) {
            throw DomainException.invalid("runtime", "runtime is required");
        }
        RuntimeEntry runtime = runtimes.require(request.runtime());
        FunctionDefinition definition = validator.validateCreate(request, runtime.layout());
        WasmModule checked = requireRunnable(runtime, definition.code(), definition);
        pools.sandboxes().require(definition.sandbox().isolation());
        Instant now = now();
        Function function = new Function(Ids.timeOrdered(), definition.name(), definition.description(),
                runtime.id(), definition.handler(), definition.memoryMb(), definition.timeoutSec(),
                definition.maxInstances(), definition.envVars(), definition.tags(), initialStatus(runtime), 1,
                definition.code().hash(), now, now, definition.sandbox(), definition.pool(), null, definition.httpRoute());
        store.create(function, definition.code());
        remember(function);
        adopt(function, checked);
        startOrProvision(function, runtime);
        return function;
    }

    /**
     * Publishes the next version. When this returns, the cache holds the new version and the
     * old version's pools are retired, so no invocation that starts afterwards runs old code.
     */
    public Function update(String ref, FunctionRequest request) {
        Function current = require(ref);
        String runtimeName = request.runtime() == null ? current.runtime() : request.runtime();
        RuntimeEntry runtime = runtimes.require(runtimeName);
        FunctionDefinition definition = validator.validateUpdate(current, request, runtime.layout());
        FunctionCode code = definition.code() != null ? definition.code()
                : store.findCode(current.id(), current.version())
                        .orElseThrow(() -> DomainException.notFound("code of function", current.versionKey()));
        WasmModule checked = requireRunnable(runtime, code, definition);
        pools.sandboxes().require(definition.sandbox().isolation());
        Function next = new Function(current.id(), current.name(), definition.description(), runtime.id(),
                definition.handler(), definition.memoryMb(), definition.timeoutSec(), definition.maxInstances(),
                definition.envVars(), definition.tags(), initialStatus(runtime), current.version() + 1, code.hash(),
                current.createdAt(), now(), definition.sandbox(), definition.pool(), null, definition.httpRoute());
        Function published = publish(current, next, code, runtime);
        adopt(published, checked);
        return published;
    }

    /**
     * Publishes the next version with the code and configuration of {@code version}: a rollback
     * adds to the history rather than rewriting it, so that it can itself be rolled back. The
     * HTTP route stays as it is: it belongs to the function, not to a version.
     */
    public Function rollback(String ref, int version) {
        Function current = require(ref);
        Function old = version(current, version);
        RuntimeEntry runtime = runtimes.require(old.runtime());
        FunctionCode code = store.findCode(current.id(), version)
                .orElseThrow(() -> DomainException.notFound("version", current.name() + ":" + version));
        Function next = new Function(current.id(), current.name(), old.description(), runtime.id(), old.handler(),
                old.memoryMb(), old.timeoutSec(), old.maxInstances(), old.envVars(), old.tags(), initialStatus(runtime),
                current.version() + 1, code.hash(), current.createdAt(), now(), old.sandbox(), old.pool(), null,
                current.httpRoute());
        return publish(current, next, code, runtime);
    }

    /** Every version still kept, newest first. */
    public List<Function> versions(String ref) {
        return store.versions(require(ref).id());
    }

    /** One version of {@code function} as it was published, or 404. */
    public Function version(Function function, int version) {
        if (version == function.version()) {
            return function;
        }
        String key = function.id() + ":" + version;
        Cached cached = byVersionKey.get(key);
        if (cached != null && System.nanoTime() - cached.loadedAtNanos() < cacheTtlNanos) {
            return cached.function();
        }
        Function found = store.findVersion(function.id(), version)
                .orElseThrow(() -> DomainException.notFound("version", function.name() + ":" + version));
        byVersionKey.put(key, new Cached(found, System.nanoTime()));
        return found;
    }

    /**
     * Records {@code next}, then retires what unqualified calls can no longer reach: the older
     * versions' pools, builds and modules, but those of versions an alias points at. When this
     * returns, the cache holds the new version, so no unqualified invocation that starts
     * afterwards runs old code. Versions past the retention are deleted last.
     */
    private Function publish(Function current, Function next, FunctionCode code, RuntimeEntry runtime) {
        store.update(next, code);
        forget(current);
        remember(next);
        Set<Integer> aliased = aliasTargets(next.id());
        pools.retireBelow(next.id(), next.version(), aliased);
        builds.forgetBelow(next.id(), next.version(), aliased);
        wasm.forgetBelow(next.id(), next.version(), aliased);
        startOrProvision(next, runtime);
        for (int deleted : store.deleteVersionsBelow(next.id(), next.version() - versionRetention + 1)) {
            byVersionKey.remove(next.id() + ":" + deleted);
        }
        return next;
    }

    private Set<Integer> aliasTargets(String functionId) {
        return aliases.list(functionId).stream()
                .flatMap(alias -> alias.additionalVersion() == null ? java.util.stream.Stream.of(alias.version())
                        : java.util.stream.Stream.of(alias.version(), alias.additionalVersion()))
                .collect(Collectors.toUnmodifiableSet());
    }

    /** Deletes the function; in-flight invocations finish, then its instances stop. */
    public void delete(String ref) {
        Function function = require(ref);
        if (!store.delete(function.id())) {
            throw DomainException.notFound("function", ref);
        }
        forget(function);
        byVersionKey.keySet().removeIf(key -> key.startsWith(function.id() + ":"));
        pools.retireBelow(function.id(), Integer.MAX_VALUE, Set.of());
        builds.forgetBelow(function.id(), Integer.MAX_VALUE, Set.of());
        wasm.forgetBelow(function.id(), Integer.MAX_VALUE, Set.of());
    }

    /**
     * Starts again the builds a stopped server left unfinished. Each completes quickly when
     * the artifact was stored before the stop (the store is content-addressed), and otherwise
     * compiles as it would have.
     */
    public void resumeBuilds() {
        for (Function function : store.building()) {
            if (runtimes.find(function.runtime()).filter(RuntimeEntry::built).isPresent()) {
                startBuild(function);
            }
        }
    }

    /** The build of this version of a compiled runtime: under way, or ended. */
    public CompletableFuture<BuildOutcome> build(Function function) {
        return builds.of(function);
    }

    /** The files of one version. */
    public FunctionCode code(Function function) {
        return store.findCode(function.id(), function.version())
                .orElseThrow(() -> DomainException.notFound("code of function", function.versionKey()));
    }

    public WasmModules wasmModules() {
        return wasm;
    }

    public RuntimeCatalogue runtimes() {
        return runtimes;
    }

    /** The function named by id or name, or 404. */
    public Function require(String ref) {
        return find(ref).orElseThrow(() -> DomainException.notFound("function", ref));
    }

    public Optional<Function> find(String ref) {
        Cached cached = byRef.get(ref);
        if (cached != null && System.nanoTime() - cached.loadedAtNanos() < cacheTtlNanos) {
            return Optional.of(cached.function());
        }
        Optional<Function> loaded = UUID_SHAPE.matcher(ref).matches() ? store.findById(ref) : store.findByName(ref);
        if (loaded.isPresent()) {
            remember(loaded.get());
        } else if (cached != null) {
            forget(cached.function());
        }
        return loaded;
    }

    /** Drops the cached entry and reads the function again: for a caller that met a retired version. */
    public Optional<Function> reload(String ref) {
        byRef.remove(ref);
        return find(ref);
    }

    /** Every function with an HTTP route, read from the store: routes change rarely, but a stale one would misroute. */
    public List<Function> routed() {
        return store.routed();
    }

    public List<Function> list(FunctionQuery query) {
        return store.list(query);
    }

    private static FunctionStatus initialStatus(RuntimeEntry runtime) {
        return runtime.built() ? FunctionStatus.BUILDING : FunctionStatus.ACTIVE;
    }

    private void startOrProvision(Function function, RuntimeEntry runtime) {
        if (runtime.built()) {
            startBuild(function);
        } else {
            pools.provision(function);
        }
    }

    /** Records the end of the build on its version; the cache is dropped so that the next read sees it. */
    private void startBuild(Function function) {
        builds.of(function).thenAccept(outcome -> {
            FunctionStatus status = outcome instanceof BuildOutcome.Built ? FunctionStatus.ACTIVE : FunctionStatus.FAILED;
            try {
                if (store.finishBuild(function.id(), function.version(), status, BuildLogs.of(outcome))) {
                    forget(function);
                    if (outcome instanceof BuildOutcome.Built built) {
                        Function active = function.built(status, BuildLogs.of(outcome));
                        pools.provision(active);
                        loadWasmModule(active, built.artifact());
                    }
                }
            } catch (RuntimeException e) {
                LOG.error("could not record the end of the build of {}", function.versionKey(), e);
            }
        });
    }

    /**
     * Bad code is refused at deploy when it can be seen without building: a missing module, an
     * invalid wasm module.
     *
     * @return the wasm module, compiled to check it, or null for other runtimes
     */
    private WasmModule requireRunnable(RuntimeEntry runtime, FunctionCode code, FunctionDefinition definition) {
        return switch (runtime.kind()) {
            case INTERPRETED -> {
                requireModule(runtimes.interpreter(runtime.id()).orElseThrow(), code, definition.handler());
                yield null;
            }
            case WASM -> requireValidModule(code, definition);
            case COMPILED -> null;
        };
    }

    /**
     * The deploy also waits, up to {@link #COMPILE_WAIT}, for the module's compilation to JVM
     * bytecode: the version's first invocation then runs compiled code, alone, rather than
     * the interpreter next to a compiler busy with its own module (decision 0011).
     */
    private WasmModule requireValidModule(FunctionCode code, FunctionDefinition definition) {
        WasmModule module;
        try {
            module = wasm.engine().compile(WasmSource.moduleOf(code.files()),
                    new WasmFunction(definition.name(), definition.envVars(), definition.memoryMb()));
        } catch (InvalidWasmException e) {
            throw DomainException.invalid("code", e.getMessage());
        }
        try {
            module.awaitCompiler(COMPILE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return module;
    }

    /**
     * A module built from Rust or C is compiled here, off the request path, so that the
     * version's first invocation does not wait for it; one that fails to load is left for
     * that invocation to report.
     */
    private void loadWasmModule(Function function, Artifact artifact) {
        if (artifact.mode() != Artifact.Mode.WASM_ABI && artifact.mode() != Artifact.Mode.WASI) {
            return;
        }
        try {
            adopt(function, wasm.engine().compile(Files.readAllBytes(artifact.entryFile()),
                    new WasmFunction(function.name(), function.envVars(), function.memoryMb())));
        } catch (IOException | InvalidWasmException e) {
            LOG.warn("the module of {} could not be loaded ahead: {}", function.versionKey(), e.getMessage());
        }
    }

    private void adopt(Function function, WasmModule checked) {
        if (checked != null) {
            wasm.adopt(function, checked);
        }
    }

    private void requireModule(Runtime runtime, FunctionCode code, String handler) {
        String module = handler.substring(0, handler.lastIndexOf('.'));
        if (!runtime.hasModule(code.files().keySet(), module)) {
            throw DomainException.invalid("handler", "the handler's module '" + module + "' is not among the function's files"
                    + " (expected " + module.replace('.', '/') + runtime.inlineSourceExtension() + ")");
        }
    }

    private void remember(Function function) {
        Cached cached = new Cached(function, System.nanoTime());
        byRef.put(function.id(), cached);
        byRef.put(function.name(), cached);
    }

    private void forget(Function function) {
        byRef.remove(function.id());
        byRef.remove(function.name());
    }

    private Instant now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }
}
