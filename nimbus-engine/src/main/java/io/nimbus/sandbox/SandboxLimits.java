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

    /** Lambda's rule: CPU in proportion to memory, one full core at 1769 MB. */
    public static double cpusForMemory(int memoryMb) {
        return memoryMb / 1769.0;
    }
}
