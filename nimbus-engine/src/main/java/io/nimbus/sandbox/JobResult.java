package io.nimbus.sandbox;

/** How a {@link SandboxJob} ended. */
public sealed interface JobResult {

    /** What the job wrote to stderr, cut at {@link NamespaceJobs#STDERR_LIMIT_BYTES}. */
    String stderr();

    /**
     * The command ended by itself (or was killed by the kernel: an OOM kill shows as status 137).
     *
     * @param stdout           its standard output when kept in memory, else empty
     * @param stdoutIncomplete not all of it was kept: it was over the output's limit, or could not be written
     * @param outOfMemory      the memory limit killed one of its processes
     */
    record Exited(int status, byte[] stdout, boolean stdoutIncomplete, String stderr, boolean outOfMemory)
            implements JobResult {
    }

    /** The timeout ran out; every process of the job was killed. */
    record TimedOut(String stderr) implements JobResult {
    }
}
