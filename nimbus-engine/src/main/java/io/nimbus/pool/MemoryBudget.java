package io.nimbus.pool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory the server lets its instances have: the sum of {@code memory_mb} of live
 * instances stays under the capacity. A reservation is taken before an instance starts and
 * returned when it is removed.
 */
public final class MemoryBudget {
    private final long capacityMb;
    private final AtomicLong usedMb = new AtomicLong();

    public MemoryBudget(long capacityMb) {
        this.capacityMb = capacityMb;
    }

    /** A budget of {@code percent} of this host's physical memory. */
    public static MemoryBudget shareOfHost(int percent) {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return new MemoryBudget(os.getTotalMemorySize() / (1024 * 1024) * percent / 100);
    }

    boolean tryReserve(int mb) {
        long current;
        do {
            current = usedMb.get();
            if (current + mb > capacityMb) {
                return false;
            }
        } while (!usedMb.compareAndSet(current, current + mb));
        return true;
    }

    void release(int mb) {
        usedMb.addAndGet(-mb);
    }

    public long capacityMb() {
        return capacityMb;
    }

    public long usedMb() {
        return usedMb.get();
    }
}
