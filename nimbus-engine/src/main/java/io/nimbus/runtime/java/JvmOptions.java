package io.nimbus.runtime.java;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags of a java25 worker, from its memory limit and CPU share. Why each one, and
 * the measurements behind them, is in docs/decisions/0013-java-runtime.md.
 *
 * <ul>
 *   <li>The heap is {@value #HEAP_PERCENT}% of the memory limit: the rest holds what a JVM
 *       needs besides (metaspace, code, thread stacks, the AOT cache's pages) and the
 *       function's /tmp. A handler that fills the heap meets an OutOfMemoryError, which
 *       the worker reports as {@code OutOfMemory}; one that grows outside the heap meets
 *       the control group's limit, reported the same.</li>
 *   <li>Serial GC: no GC threads, the smallest footprint, and pauses that are short on
 *       heaps this size.</li>
 *   <li>Below {@value #C2_MIN_MEMORY_MB} MB, C1 only ({@code TieredStopAtLevel=1}): C2's
 *       code and compiler arenas take about 19 MB more, which a 64 or 128 MB instance
 *       cannot spare. From {@value #C2_MIN_MEMORY_MB} MB (the default size) up, both
 *       compilers: CPU-bound code runs several times faster once C2 has compiled it, and an
 *       instance lives long enough for that.</li>
 *   <li>The processor count is the CPU share rounded up: inside the sandbox the JVM cannot
 *       see its control group, and would size its thread pools for the host.</li>
 * </ul>
 */
public final class JvmOptions {
    static final int HEAP_PERCENT = 60;
    static final int C2_MIN_MEMORY_MB = 256;
    private static final int MIN_METASPACE_MB = 16;
    private static final int MIN_DIRECT_MEMORY_MB = 8;

    private JvmOptions() {
    }

    /** The flags for a worker with {@code memoryMb} of memory and {@code cpus} cores of CPU time. */
    public static List<String> forWorker(int memoryMb, double cpus) {
        List<String> options = new ArrayList<>(List.of(
                "-XX:+UseSerialGC",
                "-Xmx" + heapMb(memoryMb) + "m",
                "-XX:MaxMetaspaceSize=" + Math.max(MIN_METASPACE_MB, memoryMb / 8) + "m",
                "-XX:MaxDirectMemorySize=" + Math.max(MIN_DIRECT_MEMORY_MB, memoryMb / 8) + "m",
                "-XX:ActiveProcessorCount=" + Math.max(1, (int) Math.ceil(cpus)),
                // No /tmp/hsperfdata file per worker, and nothing for jcmd to attach to.
                "-XX:-UsePerfData",
                "-XX:+DisableAttachMechanism",
                // The sandbox's user has no passwd entry; HOME is /tmp there.
                "-Duser.home=/tmp"));
        if (memoryMb < C2_MIN_MEMORY_MB) {
            options.add("-XX:TieredStopAtLevel=1");
        }
        return options;
    }

    static int heapMb(int memoryMb) {
        return memoryMb * HEAP_PERCENT / 100;
    }
}
