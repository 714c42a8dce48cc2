package io.nimbus.pool;

import io.nimbus.domain.Function;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Every pool of this server, one per function version, and the reaper that stops idle
 * instances off the request path.
 */
public final class InstancePools implements AutoCloseable {
    private final InstanceFactory factory;
    private final PoolSettings settings;
    private final Map<String, InstancePool> pools = new ConcurrentHashMap<>();
    /** Per function id, the lowest version still allowed to run: older pools are retired. */
    private final Map<String, Integer> lowestLiveVersion = new ConcurrentHashMap<>();

    public InstancePools(InstanceFactory factory, PoolSettings settings, ScheduledExecutorService timers) {
        this.factory = factory;
        this.settings = settings;
        long period = Math.max(100, Math.min(1000, settings.idleTtl().toMillis() / 4));
        timers.scheduleWithFixedDelay(this::reap, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * An instance of this exact function version, from its pool (made on first use). A
     * version that was replaced or deleted answers {@link Acquisition.Retired}, even when the
     * caller resolved it just before the change: once an update returns, old code never runs.
     */
    public Acquisition acquire(Function function) throws InterruptedException {
        if (superseded(function)) {
            return new Acquisition.Retired();
        }
        InstancePool pool = pools.computeIfAbsent(function.versionKey(), key -> new InstancePool(function, factory, settings));
        if (superseded(function)) {
            retire(pool, function.id());
            return new Acquisition.Retired();
        }
        return pool.acquire();
    }

    /**
     * Retires every pool of the function older than {@code lowestVersion}; idle instances
     * stop now, busy ones when their invocation ends. {@link Integer#MAX_VALUE} retires them
     * all, on delete.
     */
    public void retireBelow(String functionId, int lowestVersion) {
        lowestLiveVersion.merge(functionId, lowestVersion, Math::max);
        for (InstancePool pool : List.copyOf(pools.values())) {
            if (superseded(pool.function())) {
                retire(pool, functionId);
            }
        }
    }

    public Collection<InstancePool> all() {
        return List.copyOf(pools.values());
    }

    public io.nimbus.sandbox.SandboxBackends sandboxes() {
        return factory.sandboxes();
    }

    private boolean superseded(Function function) {
        return function.version() < lowestLiveVersion.getOrDefault(function.id(), 0);
    }

    private void retire(InstancePool pool, String functionId) {
        pool.retire(lowestLiveVersion.getOrDefault(functionId, 0) == Integer.MAX_VALUE);
        pools.remove(pool.function().versionKey(), pool);
    }

    private void reap() {
        long now = System.nanoTime();
        for (InstancePool pool : pools.values()) {
            pool.reapIdle(now);
        }
    }

    @Override
    public void close() {
        for (InstancePool pool : pools.values()) {
            pool.killAll();
        }
        pools.clear();
    }
}
