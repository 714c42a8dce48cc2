package io.nimbus.sandbox;

/**
 * The limits one instance runs under.
 *
 * @param memoryMb  hard limit for everything in the sandbox, no swap
 * @param cpus      share of CPU time in cores (0.5 = half a core)
 * @param pids      most processes and threads at once
 * @param tmpMb     size of the private /tmp
 * @param network   whether the sandbox shares the host's network
 */
public record SandboxLimits(int memoryMb, double cpus, int pids, int tmpMb, Network network) {

    public enum Network { NONE, HOST }

    /**
     * The CPU cap of a function that names no {@code cpus}: one core, or Lambda's share of
     * memory (a core per 1769 MB) when that is more. A cap below one core would throttle a
     * small function while CPU sits idle (decision 0016); who gets the CPU when instances
     * compete is decided by their {@link #cpuWeight weights}.
     */
    public static double cpusForMemory(int memoryMb) {
        return Math.max(1.0, memoryMb / 1769.0);
    }

    /**
     * The instance's weight when CPUs are contended, in proportion to its memory as Lambda's
     * CPU is: on cgroup v1's {@code cpu.shares} scale, where 1024 (one GB) is the default.
     */
    public int cpuShares() {
        return Math.max(2, Math.min(262_144, memoryMb));
    }

    /** The same weight on cgroup v2's {@code cpu.weight} scale (1–10000, 100 the default). */
    public int cpuWeight() {
        return (int) Math.max(1, Math.min(10_000, Math.round(memoryMb * 100 / 1024.0)));
    }
}
