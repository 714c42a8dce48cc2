package io.nimbus.build;

import java.time.Duration;

/**
 * How builds run.
 *
 * @param concurrency most builds at once; the others wait their turn
 * @param timeout     a build still running then is killed, whole: {@link BuildOutcome.TimedOut}
 * @param memoryMb    memory of one build, its /tmp included (Go's build cache lives there)
 * @param cpus        CPU share of one build, in cores
 * @param pids        most processes and threads of one build
 * @param tmpMb       size of its private /tmp
 */
public record BuildSettings(int concurrency, Duration timeout, int memoryMb, double cpus, int pids, int tmpMb) {

    /**
     * Two builds at once, each with a core and 1 GiB, for at most 120 s. A {@code go build}
     * of a hello handler peaked at 14 processes and threads and 40 MB, with {@code -p 2} and
     * GOMAXPROCS=2 (both set by the Go recipe, so the count does not grow with the host's
     * cores); 256 tasks and 1 GiB leave room for much bigger programs.
     */
    public static BuildSettings defaults() {
        return new BuildSettings(2, Duration.ofSeconds(120), 1024, 1.0, 256, 512);
    }

    public BuildSettings withTimeout(Duration timeout) {
        return new BuildSettings(concurrency, timeout, memoryMb, cpus, pids, tmpMb);
    }

    public BuildSettings withConcurrency(int concurrency) {
        return new BuildSettings(concurrency, timeout, memoryMb, cpus, pids, tmpMb);
    }
}
