package io.nimbus.functions;

import io.nimbus.domain.Alias;
import io.nimbus.domain.AliasRequest;
import io.nimbus.domain.AliasStore;
import io.nimbus.domain.AliasValidator;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The alias use case: create, replace, delete, and the lookup every {@code name:alias} call
 * makes. Lookups are cached like functions: changes made here are seen at once on this node,
 * on other nodes within the TTL.
 */
public final class Aliases {
    private final AliasStore store;
    private final FunctionService functions;
    private final AliasValidator validator = new AliasValidator();
    private final Clock clock;
    private final long cacheTtlNanos;
    private final Map<String, Cached> byKey = new ConcurrentHashMap<>();

    private record Cached(Alias alias, long loadedAtNanos) {
    }

    public Aliases(AliasStore store, FunctionService functions, Clock clock, Duration cacheTtl) {
        this.store = store;
        this.functions = functions;
        this.clock = clock;
        this.cacheTtlNanos = cacheTtl.toNanos();
    }

    public Alias create(String ref, AliasRequest request) {
        Function function = functions.require(ref);
        Alias alias = validator.validateCreate(function.id(), request, now());
        store.create(alias);
        byKey.remove(key(function.id(), alias.name()));
        return alias;
    }

    public Alias replace(String ref, String name, AliasRequest request) {
        Function function = functions.require(ref);
        Alias alias = validator.validateReplace(require(function, name), request, now());
        store.replace(alias);
        byKey.remove(key(function.id(), name));
        return alias;
    }

    public void delete(String ref, String name) {
        Function function = functions.require(ref);
        if (!store.delete(function.id(), name)) {
            throw DomainException.notFound("alias", name);
        }
        byKey.remove(key(function.id(), name));
    }

    public List<Alias> list(String ref) {
        return store.list(functions.require(ref).id());
    }

    /** The alias of {@code function} named {@code name}, or 404. */
    public Alias require(Function function, String name) {
        String key = key(function.id(), name);
        Cached cached = byKey.get(key);
        if (cached != null && System.nanoTime() - cached.loadedAtNanos() < cacheTtlNanos) {
            return cached.alias();
        }
        Alias alias = store.find(function.id(), name)
                .orElseThrow(() -> DomainException.notFound("alias", function.name() + ":" + name));
        byKey.put(key, new Cached(alias, System.nanoTime()));
        return alias;
    }

    private static String key(String functionId, String name) {
        return functionId + ":" + name;
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
