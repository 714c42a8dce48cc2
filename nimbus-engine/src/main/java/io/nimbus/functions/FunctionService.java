package io.nimbus.functions;

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
import io.nimbus.pool.InstancePools;
import io.nimbus.runtime.Runtime;
import io.nimbus.runtime.RuntimeRegistry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The function-management use case. Lookups go through a cache that is refreshed from the
 * store after {@code cacheTtl}: within one node, changes made here are seen at once; other
 * nodes sharing the store see them within the TTL.
 */
public final class FunctionService {
    private static final Pattern UUID_SHAPE =
            Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private final FunctionStore store;
    private final RuntimeRegistry runtimes;
    private final InstancePools pools;
    private final FunctionValidator validator = new FunctionValidator();
    private final Clock clock;
    private final long cacheTtlNanos;
    private final Map<String, Cached> byRef = new ConcurrentHashMap<>();

    private record Cached(Function function, long loadedAtNanos) {
    }

    public FunctionService(FunctionStore store, RuntimeRegistry runtimes, InstancePools pools, Clock clock, Duration cacheTtl) {
        this.store = store;
        this.runtimes = runtimes;
        this.pools = pools;
        this.clock = clock;
        this.cacheTtlNanos = cacheTtl.toNanos();
    }

    public Function create(FunctionRequest request) {
        if (request.runtime() == null || request.runtime().isBlank()) {
            throw DomainException.invalid("runtime", "runtime is required");
        }
        Runtime runtime = runtimes.require(request.runtime());
        FunctionDefinition definition = validator.validateCreate(request, runtime.inlineSourceExtension());
        requireModule(runtime, definition.code(), definition.handler());
        pools.sandboxes().require(definition.sandbox().isolation());
        Instant now = now();
        Function function = new Function(Ids.timeOrdered(), definition.name(), definition.description(),
                runtime.id(), definition.handler(), definition.memoryMb(), definition.timeoutSec(),
                definition.maxInstances(), definition.envVars(), definition.tags(), FunctionStatus.ACTIVE, 1,
                definition.code().hash(), now, now, definition.sandbox(), definition.pool());
        store.create(function, definition.code());
        remember(function);
        pools.provision(function);
        return function;
    }

    /**
     * Publishes the next version. When this returns, the cache holds the new version and the
     * old version's pools are retired, so no invocation that starts afterwards runs old code.
     */
    public Function update(String ref, FunctionRequest request) {
        Function current = require(ref);
        String runtimeName = request.runtime() == null ? current.runtime() : request.runtime();
        Runtime runtime = runtimes.require(runtimeName);
        FunctionDefinition definition = validator.validateUpdate(current, request, runtime.inlineSourceExtension());
        FunctionCode code = definition.code() != null ? definition.code()
                : store.findCode(current.id(), current.version())
                        .orElseThrow(() -> DomainException.notFound("code of function", current.versionKey()));
        requireModule(runtime, code, definition.handler());
        pools.sandboxes().require(definition.sandbox().isolation());
        Function next = new Function(current.id(), current.name(), definition.description(), runtime.id(),
                definition.handler(), definition.memoryMb(), definition.timeoutSec(), definition.maxInstances(),
                definition.envVars(), definition.tags(), FunctionStatus.ACTIVE, current.version() + 1, code.hash(),
                current.createdAt(), now(), definition.sandbox(), definition.pool());
        store.update(next, code);
        forget(current);
        remember(next);
        pools.retireBelow(next.id(), next.version());
        pools.provision(next);
        return next;
    }

    /** Deletes the function; in-flight invocations finish, then its instances stop. */
    public void delete(String ref) {
        Function function = require(ref);
        if (!store.delete(function.id())) {
            throw DomainException.notFound("function", ref);
        }
        forget(function);
        pools.retireBelow(function.id(), Integer.MAX_VALUE);
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

    public List<Function> list(FunctionQuery query) {
        return store.list(query);
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
