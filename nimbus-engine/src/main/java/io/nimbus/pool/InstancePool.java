package io.nimbus.pool;

import io.nimbus.domain.Function;

import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The instances of one function version.
 *
 * <p>A semaphore of {@code max_instances} permits is the concurrency cap and the bounded
 * wait in one: a request holds a permit for the length of its invocation, so at most that
 * many run at once, and a request that cannot get one within the queue timeout is throttled.
 * Idle instances wait in a deque, most recently used first, so that a light load keeps
 * reusing the same warm instances and the others age out under the idle TTL. Every state
 * change of an instance is a compare-and-set ({@link InstanceState}), which is what lets the
 * reaper and the invokers work on the same deque without a lock.
 *
 * <p>Every live instance holds a reservation of its {@code memory_mb} in the server's
 * {@link MemoryBudget}, taken before it starts ({@link Memory#reserve}, which may evict idle
 * instances of other functions) and returned when it is removed.
 *
 * <p>When loading the function proves slow (its first instance's Init took at least
 * {@link PoolSettings#forkAfterInitMs}) and its runtime can fork, the pool makes a
 * {@link Template} in the background and forks every later instance from it; a start that
 * finds one on its way waits for it rather than load the function once more. The template
 * holds a reservation too, and leaves when the pool has had no instance for the idle TTL,
 * or retires with its last instance.
 */
public final class InstancePool {
    private static final long RETRY_AFTER_SECONDS = 1;

    /** Where a new instance's memory comes from. */
    interface Memory {
        /** Reserves {@code mb}, evicting idle instances of other pools if needed; false when it cannot. */
        boolean reserve(int mb, InstancePool forPool);

        void release(int mb);
    }

    private final Function function;
    private final InstanceFactory factory;
    private final PoolSettings settings;
    private final Memory memory;
    private final Semaphore permits;
    private final Deque<Instance> idle = new ConcurrentLinkedDeque<>();
    private final Set<Instance> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger liveCount = new AtomicInteger();
    /** One replacement of a recycled instance at a time. */
    private final AtomicBoolean replacing = new AtomicBoolean();
    private volatile boolean retired;
    private volatile Template template;
    /** Set while a template is being made. */
    private volatile CompletableFuture<Template> templateComing;
    /** Retired because the function was deleted (in-flight calls finish) rather than replaced (they must not run). */
    private volatile boolean deleted;

    InstancePool(Function function, InstanceFactory factory, PoolSettings settings, Memory memory) {
        this.function = function;
        this.factory = factory;
        this.settings = settings;
        this.memory = memory;
        this.permits = new Semaphore(function.maxInstances());
    }

    public Function function() {
        return function;
    }

    /**
     * Takes an idle instance, or starts one when the pool is below its cap, waiting up to the
     * queue timeout for a permit.
     */
    public Acquisition acquire() throws InterruptedException {
        if (retired) {
            return new Acquisition.Retired();
        }
        if (!permits.tryAcquire(settings.queueTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
            return new Acquisition.Throttled(RETRY_AFTER_SECONDS, "every instance of the function stayed busy");
        }
        try {
            Acquisition acquisition = takeOrStart();
            if (!(acquisition instanceof Acquisition.Acquired acquired)) {
                permits.release();
                return acquisition;
            }
            if (retired && !deleted) {
                // replaced while this caller was waiting: the old version must not run any more
                release(acquired.instance(), new ExecResult.WorkerDied("retired", ""));
                return new Acquisition.Retired();
            }
            return acquisition;
        } catch (RuntimeException | Error e) {
            permits.release();
            throw e;
        }
    }

    /** Runs one invocation on an instance this caller acquired. */
    public ExecResult exec(Instance instance, String requestId, byte[] event, long timeoutMs) {
        return instance.exec(requestId, event, timeoutMs);
    }

    /**
     * Hands an instance back after an invocation. A timed-out or dead instance is discarded,
     * an old or well-used one is recycled, any other becomes idle again.
     */
    public void release(Instance instance, ExecResult result) {
        try {
            boolean healthy = result instanceof ExecResult.Completed || result instanceof ExecResult.HandlerFailed
                    || result instanceof ExecResult.ResponseTooLarge;
            if (!healthy || retired || instance.replaced() || !instance.release()) {
                discard(instance);
                return;
            }
            if (dueForRecycling(instance) && !replaceInBackground(instance)) {
                discard(instance);
                return;
            }
            idle.addFirst(instance);
            if (retired) {
                drainIdle();
            }
        } finally {
            permits.release();
        }
    }

    /**
     * Recycles an instance that reached its age or invocation count without making anyone
     * wait for a cold start: it keeps serving while its replacement starts off the request
     * path, and leaves once the replacement is idle.
     *
     * @return false when the pool is at its cap: there is no room for both, and the old
     *         instance must go at once
     */
    private boolean replaceInBackground(Instance old) {
        if (!replacing.compareAndSet(false, true)) {
            return true;
        }
        if (!reserveSlot()) {
            replacing.set(false);
            return false;
        }
        Thread.ofVirtual().name("instance-recycling").start(() -> {
            try {
                if (start() instanceof Acquisition.Acquired started && started.instance().release()) {
                    idle.addFirst(started.instance());
                }
            } finally {
                replacing.set(false);
            }
            old.markReplaced();
            if (old.tryRemoveIdle()) {
                idle.remove(old);
                forget(old);
            }
        });
        return true;
    }

    /** Stops the instances idle for longer than the TTL, keeping {@code min_instances}. */
    void reapIdle(long now) {
        long ttl = settings.idleTtl().toNanos();
        Template current = template;
        if (current != null && liveCount.get() == 0 && current.idleNanos(now) >= ttl) {
            closeTemplate(current);
        }
        for (Instance instance : idle) {
            if (liveCount.get() <= function.pool().minInstances()) {
                return;
            }
            if (instance.idleNanos(now) >= ttl && instance.tryRemoveIdle()) {
                idle.remove(instance);
                forget(instance);
            }
        }
    }

    /**
     * Pings the instances idle for at least {@code interval}: one that does not answer is
     * removed, so a dead instance never receives a request.
     */
    void checkIdle(long now, long intervalNanos, long pingTimeoutMs) {
        // a snapshot: a pinged instance goes back into the deque, and must not be met again this round
        for (Instance instance : List.copyOf(idle)) {
            if (instance.idleNanos(now) < intervalNanos) {
                continue;
            }
            if (!instance.tryAcquire()) {
                if (instance.state() == InstanceState.REMOVED && idle.remove(instance)) {
                    forget(instance);
                }
                continue;
            }
            idle.remove(instance);
            if (instance.ping(pingTimeoutMs) && instance.release()) {
                idle.addLast(instance);
            } else {
                discard(instance);
            }
        }
    }

    /** Idle instances this pool can give up without going below {@code min_instances}. */
    List<Instance> evictable() {
        int spare = liveCount.get() - function.pool().minInstances();
        return spare <= 0 ? List.of() : List.copyOf(idle).subList(0, Math.min(spare, idle.size()));
    }

    /** Evicts one idle instance chosen by the server's memory budget; false if someone took it first. */
    boolean evict(Instance instance) {
        if (!instance.tryRemoveIdle()) {
            return false;
        }
        idle.remove(instance);
        forget(instance);
        return true;
    }

    /** Starts instances until {@code min_instances} are live; off the request path. */
    void provisionMinimum() {
        while (!retired && liveCount.get() < function.pool().minInstances() && reserveSlot()) {
            Acquisition started = start();
            if (!(started instanceof Acquisition.Acquired acquired)) {
                return;
            }
            if (acquired.instance().release()) {
                idle.addLast(acquired.instance());
            } else {
                discard(acquired.instance());
            }
        }
    }

    /**
     * No new invocation will use this pool: idle instances stop now, busy ones when their
     * invocation ends. A call already waiting for an instance of a replaced version gives up
     * and resolves the function again; one of a deleted function was accepted before the
     * delete and runs.
     */
    void retire(boolean functionDeleted) {
        deleted = functionDeleted;
        retired = true;
        drainIdle();
        if (liveCount.get() == 0) {
            closeTemplate(template);
        }
    }

    /** Stops every instance, busy or not: the server is going down. */
    void killAll() {
        retired = true;
        for (Instance instance : List.copyOf(live)) {
            discard(instance);
        }
        idle.clear();
        closeTemplate(template);
    }

    public int liveInstances() {
        return liveCount.get();
    }

    public int idleInstances() {
        return idle.size();
    }

    /** Whether new instances are forked from a template of the function. */
    public boolean hasTemplate() {
        Template current = template;
        return current != null && current.isAlive();
    }

    private Acquisition takeOrStart() {
        while (true) {
            Instance instance = idle.pollFirst();
            if (instance != null) {
                if (instance.tryAcquire()) {
                    return new Acquisition.Acquired(this, instance, false);
                }
                if (instance.state() == InstanceState.REMOVED) {
                    forget(instance);
                }
                continue;
            }
            if (reserveSlot()) {
                return start();
            }
            // Every slot is taken, yet this caller holds a permit: an instance is on its way
            // back to the idle deque (released or being discarded). It will be there shortly.
            LockSupport.parkNanos(50_000);
        }
    }

    private boolean reserveSlot() {
        int current;
        do {
            current = liveCount.get();
            if (current >= function.maxInstances()) {
                return false;
            }
        } while (!liveCount.compareAndSet(current, current + 1));
        return true;
    }

    private Acquisition start() {
        if (!memory.reserve(function.memoryMb(), this)) {
            liveCount.decrementAndGet();
            return new Acquisition.Throttled(RETRY_AFTER_SECONDS,
                    "the server's memory budget has no room for another instance of " + function.memoryMb() + " MB");
        }
        InstanceFactory.Started started;
        try {
            started = startInstance();
        } catch (RuntimeException e) {
            liveCount.decrementAndGet();
            memory.release(function.memoryMb());
            throw e;
        }
        if (started.instance() == null) {
            liveCount.decrementAndGet();
            memory.release(function.memoryMb());
            return new Acquisition.StartFailed(started.failure());
        }
        Instance instance = started.instance();
        live.add(instance);
        if (!instance.tryAcquire()) {
            discard(instance);
            return new Acquisition.StartFailed(new ExecResult.WorkerDied("the worker exited after loading the function", ""));
        }
        return new Acquisition.Acquired(this, instance, true);
    }

    /** Forks from the template when there is one (or one on its way), else starts the usual way. */
    private InstanceFactory.Started startInstance() {
        Template ready = readyTemplate();
        if (ready != null) {
            InstanceFactory.Started forked = factory.fork(ready, function);
            if (forked.instance() != null) {
                return forked;
            }
            if (!ready.isAlive()) {
                closeTemplate(ready);
            }
        }
        InstanceFactory.Started started = factory.start(function);
        if (started.instance() != null && loadsSlowly(started.instance())) {
            makeTemplate();
        }
        return started;
    }

    private Template readyTemplate() {
        Template current = template;
        if (current != null) {
            if (current.isAlive()) {
                return current;
            }
            closeTemplate(current);
        }
        CompletableFuture<Template> coming = templateComing;
        if (coming == null) {
            return null;
        }
        try {
            return coming.get(settings.initTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    private boolean loadsSlowly(Instance instance) {
        return settings.forkAfterInitMs() >= 0 && instance.initMillis() >= settings.forkAfterInitMs()
                && factory.canFork(function);
    }

    /** Starts a template off the request path, unless one exists or is on its way. */
    private void makeTemplate() {
        CompletableFuture<Template> coming = new CompletableFuture<>();
        synchronized (this) {
            if (retired || template != null || templateComing != null) {
                return;
            }
            templateComing = coming;
        }
        if (!memory.reserve(function.memoryMb(), this)) {
            templateComing = null;
            coming.complete(null);
            return;
        }
        Thread.ofVirtual().name("template-start").start(() -> {
            Template made = null;
            try {
                made = factory.startTemplate(function);
            } finally {
                synchronized (this) {
                    if (made != null && !retired) {
                        template = made;
                    } else {
                        if (made != null) {
                            made.close();
                        }
                        memory.release(function.memoryMb());
                        made = null;
                    }
                    templateComing = null;
                }
                coming.complete(made);
            }
        });
    }

    private synchronized void closeTemplate(Template closing) {
        if (closing != null && template == closing) {
            template = null;
            closing.close();
            memory.release(function.memoryMb());
        }
    }

    private boolean dueForRecycling(Instance instance) {
        long now = System.nanoTime();
        return instance.invocations() >= settings.maxInvocations() || instance.ageNanos(now) >= settings.maxAge().toNanos();
    }

    private void drainIdle() {
        Instance instance;
        while ((instance = idle.pollFirst()) != null) {
            if (instance.tryRemoveIdle()) {
                forget(instance);
            }
        }
    }

    private void discard(Instance instance) {
        instance.remove();
        forget(instance);
    }

    private void forget(Instance instance) {
        if (live.remove(instance)) {
            // the children of a template live in its sandbox: it goes with the last of them
            if (liveCount.decrementAndGet() == 0 && retired) {
                closeTemplate(template);
            }
            memory.release(function.memoryMb());
        }
    }
}
