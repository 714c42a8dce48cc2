package io.nimbus.wasm;

import io.nimbus.pool.ExecResult;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform threads guests run on, and their deadline. Not virtual threads: compiled
 * WebAssembly never blocks, so a busy guest would pin its carrier and starve the virtual
 * threads that serve HTTP. Idle threads are kept a minute, so a warm invocation is a hand-off,
 * not a thread start. The deadline is enforced by interrupting the guest's thread: Chicory's
 * interpreter and compiled code both check for interruption in loops and calls, so even
 * {@code (loop br 0)} stops, and the thread goes back to the pool before the caller is told.
 * Concurrency is bounded by the callers (the instance pools), not here.
 */
final class GuestThreads implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GuestThreads.class);
    /** How long a guest may take to notice its interruption before it is reported as stuck. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final ThreadPoolExecutor threads = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), Thread.ofPlatform().name("nimbus-wasm-", 1).daemon(true).factory());
    private final AtomicInteger running = new AtomicInteger();

    ExecResult run(GuestRun run, Duration timeout) {
        FutureTask<ExecResult> task = new FutureTask<>(run);
        CountDownLatch stopped = new CountDownLatch(1);
        threads.execute(() -> {
            running.incrementAndGet();
            try {
                task.run();
            } finally {
                running.decrementAndGet();
                stopped.countDown();
            }
        });
        try {
            return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return stop(task, stopped).orElseGet(() -> run.timedOut(timeout));
        } catch (InterruptedException e) {
            stop(task, stopped);
            Thread.currentThread().interrupt();
            return new ExecResult.WorkerDied("the invocation was interrupted", "");
        } catch (ExecutionException e) {
            throw new IllegalStateException("a guest run threw instead of returning its failure", e.getCause());
        }
    }

    /** Guests executing now. */
    int running() {
        return running.get();
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }

    /**
     * Interrupts the guest and waits for its thread to let go; the guest's own result when it
     * finished in the meantime.
     */
    private Optional<ExecResult> stop(FutureTask<ExecResult> task, CountDownLatch stopped) {
        if (!task.cancel(true)) {
            return Optional.of(task.resultNow());
        }
        try {
            if (!stopped.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("a WebAssembly guest did not stop within {} of its interruption; its thread stays busy",
                        STOP_GRACE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }
}
