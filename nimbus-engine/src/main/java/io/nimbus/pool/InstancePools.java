package io.nimbus.pool;

import io.nimbus.domain.Function;
import io.nimbus.sandbox.SandboxBackends;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every pool of this server, one per function version; the memory budget they share; and
 * the housekeeping that runs off the request path: reaping idle instances, pinging the ones
 * that have been idle a while, and keeping {@code min_instances} warm.
 */
public final class InstancePools implements AutoCloseable, InstancePool.Memory {
    private static final Logger LOG = LoggerFactory.getLogger(InstancePools.class);
    private static final long PING_TIMEOUT_MS = 2_000;

    private final InstanceFactory factory;
    private final PoolSettings settings;
    private final MemoryBudget budget;
    private final Map<String, InstancePool> pools = new ConcurrentHashMap<>();
    /** Per function id, the lowest version still allowed to run: older pools are retired. */
    private final Map<String, Integer> lowestLiveVersion = new ConcurrentHashMap<>();
    private final long healthCheckNanos;
    private volatile long lastHealthCheck = System.nanoTime();
    private final AtomicBoolean housekeeping = new AtomicBoolean();

    public InstancePools(InstanceFactory factory, PoolSettings settings, MemoryBudget budget, long healthCheckMillis,
                         ScheduledExecutorService timers) {
        this.factory = factory;
        this.settings = settings;
        this.budget = budget;
        this.healthCheckNanos = TimeUnit.MILLISECONDS.toNanos(healthCheckMillis);
        long period = Math.max(100, Math.min(1000, settings.idleTtl().toMillis() / 4));
        // On a thread of its own: the timer thread also enforces invocation timeouts, and
        // provisioning may take a while. One round at a time.
        timers.scheduleWithFixedDelay(() -> {
            if (housekeeping.compareAndSet(false, true)) {
                Thread.ofVirtual().name("pool-housekeeping").start(this::housekeeping);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * An instance of this exact function version, from its pool (made on first use). An
     * unpinned call (to the function's latest version) that resolved a version replaced since
     * answers {@link Acquisition.Retired}, even when it resolved it just before the change: once
     * an update returns, unqualified calls never run old code. A pinned call (name:3, an alias)
     * may run any version still kept, and is refused only once the function is deleted.
     */
    public Acquisition acquire(Function function, boolean pinned) throws InterruptedException {
        if (superseded(function, pinned)) {
            return new Acquisition.Retired();
        }
        InstancePool pool = poolOf(function);
        if (superseded(function, pinned)) {
            retire(pool, function.id());
            return new Acquisition.Retired();
        }
        return pool.acquire();
    }

    /** Makes the pool of a function that keeps instances warm, and starts filling it, in the background. */
    public void provision(Function function) {
        if (function.pool().minInstances() > 0 && !superseded(function, false)) {
            InstancePool pool = poolOf(function);
            Thread.ofVirtual().start(pool::provisionMinimum);
        }
    }

    /**
     * Retires every pool of the function older than {@code lowestVersion} but those of the
     * {@code kept} versions (an alias still routes calls to them); idle instances stop now,
     * busy ones when their invocation ends. {@link Integer#MAX_VALUE} retires them all, on delete.
     */
    public void retireBelow(String functionId, int lowestVersion, Set<Integer> kept) {
        lowestLiveVersion.merge(functionId, lowestVersion, Math::max);
        for (InstancePool pool : List.copyOf(pools.values())) {
            Function function = pool.function();
            if (function.id().equals(functionId) && superseded(function, false) && !kept.contains(function.version())) {
                retire(pool, functionId);
            }
        }
    }

    /**
     * Reserves memory for a new instance of {@code forPool}, evicting idle instances of other
     * functions, least recently used first, when the budget is full.
     */
    @Override
    public boolean reserve(int mb, InstancePool forPool) {
        if (budget.tryReserve(mb)) {
            return true;
        }
        record Candidate(InstancePool pool, Instance instance) {
        }
        List<Candidate> candidates = new ArrayList<>();
        for (InstancePool pool : pools.values()) {
            if (pool != forPool) {
                pool.evictable().forEach(instance -> candidates.add(new Candidate(pool, instance)));
            }
        }
        long now = System.nanoTime();
        candidates.sort(Comparator.comparingLong((Candidate c) -> c.instance().idleNanos(now)).reversed());
        for (Candidate candidate : candidates) {
            candidate.pool().evict(candidate.instance());
            if (budget.tryReserve(mb)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void release(int mb) {
        budget.release(mb);
    }

    /** Live instances of a runtime, across every pool. */
    public int liveInstances(String runtime) {
        return pools.values().stream().filter(p -> p.function().runtime().equals(runtime))
                .mapToInt(InstancePool::liveInstances).sum();
    }

    /** Idle instances of a runtime, across every pool. */
    public int idleInstances(String runtime) {
        return pools.values().stream().filter(p -> p.function().runtime().equals(runtime))
                .mapToInt(InstancePool::idleInstances).sum();
    }

    public Collection<InstancePool> all() {
        return List.copyOf(pools.values());
    }

    /** Stem cells ready now, per kind ({@code runtime/backend/memory}). */
    public Map<String, Integer> readyStemCells() {
        return factory.readyStemCells();
    }

    public MemoryBudget budget() {
        return budget;
    }

    public PoolSettings defaults() {
        return settings;
    }

    public SandboxBackends sandboxes() {
        return factory.sandboxes();
    }

    private InstancePool poolOf(Function function) {
        return pools.computeIfAbsent(function.versionKey(),
                key -> new InstancePool(function, factory, settings.forFunction(function), this));
    }

    private boolean superseded(Function function, boolean pinned) {
        int lowest = lowestLiveVersion.getOrDefault(function.id(), 0);
        return pinned ? lowest == Integer.MAX_VALUE : function.version() < lowest;
    }

    private void retire(InstancePool pool, String functionId) {
        pool.retire(lowestLiveVersion.getOrDefault(functionId, 0) == Integer.MAX_VALUE);
        pools.remove(pool.function().versionKey(), pool);
    }

    private void housekeeping() {
        try {
            housekeepingRound();
        } finally {
            housekeeping.set(false);
        }
    }

    private void housekeepingRound() {
        long now = System.nanoTime();
        boolean checkHealth = now - lastHealthCheck >= healthCheckNanos;
        if (checkHealth) {
            lastHealthCheck = now;
        }
        for (InstancePool pool : pools.values()) {
            try {
                pool.reapIdle(now);
                if (checkHealth) {
                    pool.checkIdle(now, healthCheckNanos, PING_TIMEOUT_MS);
                }
                pool.provisionMinimum();
            } catch (RuntimeException e) {
                // one pool that cannot start instances (its runtime or sandbox is gone) must
                // not stop the round for the others
                LOG.warn("housekeeping of {} failed: {}", pool.function().name(), e.getMessage());
            }
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
