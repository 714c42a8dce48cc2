package io.nimbus.pool;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Pre-started workers per {@link CellKind}, kept at a target count by a replenisher that
 * runs off the request path. Taking a cell never waits: when none is ready, the caller
 * starts an instance from nothing, and the replenisher is woken to make more.
 */
final class StemCells implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StemCells.class);
    private static final long IDLE_POLL_MS = 1_000;

    private final Map<CellKind, Queue<StemCell>> ready = new ConcurrentHashMap<>();
    private final int target;
    private final Function<CellKind, StemCell> starter;
    private final Semaphore wakeUp = new Semaphore(0);
    private final Thread replenisher;
    private volatile boolean running = true;

    /**
     * @param kinds   the kinds to keep ready
     * @param target  how many cells of each kind
     * @param starter starts one cell of a kind, or returns null when it cannot
     */
    StemCells(List<CellKind> kinds, int target, Function<CellKind, StemCell> starter) {
        this.target = target;
        this.starter = starter;
        kinds.forEach(kind -> ready.put(kind, new ConcurrentLinkedQueue<>()));
        this.replenisher = Thread.ofVirtual().name("stem-cell-replenisher").start(this::replenish);
    }

    /** A ready, living cell of this kind, or null. */
    StemCell take(CellKind kind) {
        Queue<StemCell> cells = kind == null ? null : ready.get(kind);
        if (cells == null) {
            return null;
        }
        StemCell cell;
        while ((cell = cells.poll()) != null) {
            wakeUp.release();
            if (cell.worker().isAlive()) {
                return cell;
            }
            cell.discard();
        }
        wakeUp.release();
        return null;
    }

    /** Cells ready now, per kind. */
    Map<CellKind, Integer> readyCounts() {
        Map<CellKind, Integer> counts = new java.util.TreeMap<>(java.util.Comparator.comparing(CellKind::toString));
        ready.forEach((kind, cells) -> counts.put(kind, cells.size()));
        return counts;
    }

    private void replenish() {
        while (running) {
            boolean startedAny = false;
            for (Map.Entry<CellKind, Queue<StemCell>> entry : ready.entrySet()) {
                if (running && entry.getValue().size() < target) {
                    StemCell cell = startQuietly(entry.getKey());
                    if (cell != null) {
                        entry.getValue().add(cell);
                        startedAny = true;
                    }
                }
            }
            if (!startedAny) {
                try {
                    wakeUp.tryAcquire(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
                    wakeUp.drainPermits();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private StemCell startQuietly(CellKind kind) {
        try {
            return starter.apply(kind);
        } catch (RuntimeException e) {
            LOG.warn("could not start a stem cell of {}: {}", kind, e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        running = false;
        replenisher.interrupt();
        try {
            replenisher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ready.values().forEach(cells -> {
            StemCell cell;
            while ((cell = cells.poll()) != null) {
                cell.discard();
            }
        });
    }
}
