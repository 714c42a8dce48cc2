package io.nimbus.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A command run once, to completion, in a namespace sandbox: a compiler, or a plain-mode
 * function binary. Unlike a worker it keeps its standard streams: the event (or nothing)
 * on stdin, its product on stdout, its diagnostics on stderr.
 *
 * @param id          unique among running jobs: names its control group
 * @param command     the program and its arguments, as paths inside the sandbox
 * @param environment the whole environment (nothing of the server's is passed on)
 * @param mounts      host directories bound read-only; nothing else of the host but /usr exists inside
 * @param workDir     the working directory inside the sandbox
 * @param limits      memory, CPU, processes, /tmp size and network
 * @param timeout     after it the whole job is killed
 * @param stdin       bytes fed to the command's standard input, then closed
 * @param stdout      where its standard output goes, and how much of it is kept
 */
public record SandboxJob(String id, List<String> command, Map<String, String> environment, List<Mount> mounts,
                         String workDir, SandboxLimits limits, Duration timeout, byte[] stdin, Output stdout) {

    /** A host directory or file, read-only at {@code inside}. */
    public record Mount(Path host, String inside) {
    }

    /**
     * Standard output kept up to {@code limitBytes}, in memory or, when {@code file} is not
     * null, in that file. Past the limit it is read and dropped, so the job never blocks on it.
     */
    public record Output(Path file, long limitBytes) {
        public static Output inMemory(long limitBytes) {
            return new Output(null, limitBytes);
        }

        public static Output toFile(Path file, long limitBytes) {
            return new Output(file, limitBytes);
        }
    }
}
