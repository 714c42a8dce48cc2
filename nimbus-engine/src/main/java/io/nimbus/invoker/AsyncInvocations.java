package io.nimbus.invoker;

import io.nimbus.domain.AsyncQueue;
import io.nimbus.domain.Function;
import io.nimbus.domain.Ids;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.TriggerType;
import io.nimbus.domain.async.Attempt;
import io.nimbus.domain.async.IdempotencyKey;
import io.nimbus.domain.async.Submission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Asynchronous invocations: accepted into the durable queue (committed before the client
 * hears 202), then claimed and run by a dispatcher loop, at most {@code concurrency} at
 * once, each on a virtual thread. An entry is removed only together with its final record,
 * so a crash at any point leaves it in the queue to be run again: delivery is at least once.
 * What follows an attempt (a retry, a destination, a dead letter) is {@link AsyncSettlement}'s.
 */
public final class AsyncInvocations implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncInvocations.class);
    /** Longer than the longest timeout a function may have, so a live claim never expires. */
    private static final Duration LEASE = Duration.ofSeconds(900 + 120);

    private final AsyncQueue queue;
    private final Invoker invoker;
    private final AsyncSettlement settlement;
    private final Clock clock;
    private final int concurrency;
    private final Duration pollInterval;
    private final Semaphore slots;
    private final Semaphore wakeUp = new Semaphore(0);
    private final ExecutorService runners = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean running = true;
    private Thread dispatcher;

    public AsyncInvocations(AsyncQueue queue, Invoker invoker, AsyncSettlement settlement, Clock clock, int concurrency,
                            Duration pollInterval) {
        this.queue = queue;
        this.invoker = invoker;
        this.settlement = settlement;
        this.clock = clock;
        this.concurrency = concurrency;
        this.pollInterval = pollInterval;
        this.slots = new Semaphore(concurrency);
    }

    /** Starts claiming work. */
    public void start() {
        dispatcher = Thread.ofPlatform().name("async-dispatcher").daemon().start(this::dispatchLoop);
    }

    /** Durably queues an invocation of the function and returns it, pending. */
    public Invocation submit(Function function, String eventJson) {
        return submit(function, eventJson, TriggerType.ASYNC);
    }

    /** Queues an invocation that {@code trigger} started (a webhook, for one). */
    public Invocation submit(Function function, String eventJson, TriggerType trigger) {
        Invocation pending = Invocation.pending(Ids.timeOrdered(), function, trigger, eventJson,
                clock.instant().truncatedTo(ChronoUnit.MILLIS));
        queue.enqueue(pending);
        wakeUp.release();
        return pending;
    }

    /**
     * Like {@link #submit(Function, String)}, deduplicated by {@code key}: a repeat of the
     * same event under the same key within {@code keyLifetime} queues nothing.
     */
    public Submission submit(Function function, String eventJson, String key, Duration keyLifetime) {
        Invocation pending = Invocation.pending(Ids.timeOrdered(), function, TriggerType.ASYNC, eventJson,
                clock.instant().truncatedTo(ChronoUnit.MILLIS));
        Submission submission = queue.enqueue(pending,
                new IdempotencyKey(key, RequestDigest.of(eventJson), pending.createdAt().plus(keyLifetime)));
        wakeUp.release();
        return submission;
    }

    /** The failed attempts of a retried invocation, oldest first. */
    public List<Attempt> attempts(String invocationId) {
        return queue.attempts(invocationId);
    }

    /** Claims at once rather than at the next poll: for work queued elsewhere (events, cron, redrives). */
    public void wake() {
        wakeUp.release();
    }

    public int inFlight() {
        return concurrency - slots.availablePermits();
    }

    public long depth() {
        return queue.depth();
    }

    private void dispatchLoop() {
        while (running) {
            try {
                slots.acquire();
                slots.release();
                int free = slots.availablePermits();
                List<Invocation> claimed = free == 0 ? List.of()
                        : queue.claim(Math.min(free, 32), LEASE, clock.instant());
                for (Invocation invocation : claimed) {
                    slots.acquire();
                    runners.submit(() -> runOne(invocation));
                }
                if (claimed.isEmpty()) {
                    wakeUp.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                    wakeUp.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("claiming async invocations failed; retrying", e);
                sleepQuietly();
            }
        }
    }

    private void runOne(Invocation claimed) {
        try {
            if (settlement.settleIfTooOld(claimed)) {
                return;
            }
            settlement.settle(invoker.runQueued(claimed));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("async invocation {} could not complete; it stays queued and will run again", claimed.id(), e);
        } finally {
            slots.release();
            wakeUp.release();
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops claiming and waits for the invocations in flight to finish (up to {@code grace});
     * the ones still running after it stay queued and run again after a restart.
     */
    public void stop(Duration grace) {
        running = false;
        if (dispatcher != null) {
            dispatcher.interrupt();
        }
        runners.shutdown();
        try {
            runners.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
