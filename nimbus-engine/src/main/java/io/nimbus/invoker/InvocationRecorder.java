package io.nimbus.invoker;

import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes invocation records in batches on a thread of its own, so an invocation never
 * waits for the store. The writer writes what has queued once every flush interval, not as
 * each record arrives: at one connection a record per transaction cost the server a quarter
 * of its CPU (SQLite's prepare and commit), CPU that a 2-core machine takes from the
 * invocations themselves. A full queue slows producers down rather than dropping records;
 * {@link #flush()} writes everything queued so far (before a read that must see it, and on a
 * clean stop).
 */
public final class InvocationRecorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InvocationRecorder.class);
    private static final int BATCH = 500;

    private final InvocationStore store;
    private final long flushIntervalMillis;
    private final BlockingDeque<Invocation> queue = new LinkedBlockingDeque<>(100_000);
    private final ReentrantLock writing = new ReentrantLock();
    private final Thread writer;
    private volatile boolean running = true;

    public InvocationRecorder(InvocationStore store, long flushIntervalMillis) {
        this.store = store;
        this.flushIntervalMillis = flushIntervalMillis;
        this.writer = Thread.ofPlatform().name("invocation-recorder").daemon().start(this::writeLoop);
    }

    public void record(Invocation invocation) {
        try {
            queue.put(invocation);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            store.saveAll(List.of(invocation));
        }
    }

    /** Writes every record queued before this call. */
    public void flush() {
        writeBatches();
    }

    /**
     * Every flush interval, writes what has queued. Records leave the queue only under the
     * writing lock, so a {@link #flush()} never misses one the writer holds.
     */
    private void writeLoop() {
        while (running) {
            try {
                Thread.sleep(flushIntervalMillis);
                writeBatches();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.error("could not write invocation records; will retry", e);
                sleepQuietly();
            }
        }
    }

    private void writeBatches() {
        writing.lock();
        try {
            List<Invocation> batch = new ArrayList<>(BATCH);
            while (true) {
                queue.drainTo(batch, BATCH);
                if (batch.isEmpty()) {
                    return;
                }
                saveOrPutBack(batch);
                batch.clear();
            }
        } finally {
            writing.unlock();
        }
    }

    /** A batch the store refused goes back to the head of the queue, in order, for the next try. */
    private void saveOrPutBack(List<Invocation> batch) {
        try {
            store.saveAll(batch);
        } catch (RuntimeException e) {
            for (int i = batch.size() - 1; i >= 0; i--) {
                queue.offerFirst(batch.get(i));
            }
            throw e;
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(flushIntervalMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the writer and writes what is left. */
    @Override
    public void close() {
        running = false;
        writer.interrupt();
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeBatches();
    }
}
