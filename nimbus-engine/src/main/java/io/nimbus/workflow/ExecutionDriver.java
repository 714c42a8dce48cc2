package io.nimbus.workflow;

import io.nimbus.domain.ExecutionStore;
import io.nimbus.domain.Ids;
import io.nimbus.domain.WorkflowExecution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Claims running executions from the store and drives each on a virtual thread. A claim is a
 * lease that this node renews while it drives the execution; a node that dies stops renewing,
 * and another (or this one, restarted) claims the execution and resumes it. Renewing also tells
 * the node which of its executions were cancelled elsewhere, and those runs are stopped.
 */
public final class ExecutionDriver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutionDriver.class);
    static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration RENEW_EVERY = Duration.ofSeconds(15);
    private static final int CLAIM_BATCH = 16;

    private final ExecutionStore store;
    private final TaskCalls tasks;
    private final Clock clock;
    private final Duration pollInterval;
    private final String owner = "node-" + Ids.timeOrdered();
    private final Map<String, ExecutionRun> runs = new ConcurrentHashMap<>();
    private final Semaphore wakeUp = new Semaphore(0);
    private final ExecutorService runners = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean running = true;
    private Thread claimer;
    private Thread renewer;

    ExecutionDriver(ExecutionStore store, TaskCalls tasks, Clock clock, Duration pollInterval) {
        this.store = store;
        this.tasks = tasks;
        this.clock = clock;
        this.pollInterval = pollInterval;
    }

    public void start() {
        claimer = Thread.ofPlatform().name("workflow-claimer").daemon().start(this::claimLoop);
        renewer = Thread.ofPlatform().name("workflow-lease-renewer").daemon().start(this::renewLoop);
    }

    /** A new execution is waiting: claim it now rather than at the next poll. */
    void wake() {
        wakeUp.release();
    }

    /** Stops the local run of an execution cancelled in the store. */
    void stopRun(String executionId) {
        ExecutionRun run = runs.get(executionId);
        if (run != null) {
            run.stop();
        }
    }

    private void claimLoop() {
        while (running) {
            try {
                List<WorkflowExecution> claimed = store.claim(owner, CLAIM_BATCH, LEASE, clock.instant());
                claimed.forEach(this::drive);
                if (claimed.size() < CLAIM_BATCH) {
                    wakeUp.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                    wakeUp.drainPermits();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("claiming workflow executions failed; retrying", e);
                pause(pollInterval);
            }
        }
    }

    private void drive(WorkflowExecution execution) {
        ExecutionRun run = new ExecutionRun(execution, store, tasks, clock);
        if (runs.putIfAbsent(execution.id(), run) != null) {
            return;
        }
        runners.submit(() -> {
            try {
                run.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // no longer renewed, the lease runs out and the execution is claimed again: a store
                // that was briefly unreachable must not leave it stuck
                LOG.error("workflow execution {} stopped on an error; it resumes when its lease expires",
                        execution.id(), e);
            } finally {
                runs.remove(execution.id());
            }
        });
    }

    private void renewLoop() {
        while (running) {
            pause(RENEW_EVERY);
            try {
                Set<String> held = store.renew(owner, Set.copyOf(runs.keySet()), clock.instant().plus(LEASE));
                runs.keySet().stream().filter(id -> !held.contains(id)).forEach(this::stopRun);
            } catch (RuntimeException e) {
                LOG.error("renewing workflow leases failed; retrying", e);
            }
        }
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /**
     * Stops claiming and stops every run at its next step; tasks in flight are interrupted.
     * The executions stay running in the store and resume at the next start.
     */
    @Override
    public void close() {
        running = false;
        runs.values().forEach(ExecutionRun::stop);
        if (claimer != null) {
            claimer.interrupt();
            renewer.interrupt();
        }
        runners.shutdownNow();
        try {
            runners.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
