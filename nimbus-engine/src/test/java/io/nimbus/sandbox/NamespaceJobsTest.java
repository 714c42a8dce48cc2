package io.nimbus.sandbox;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** One-shot jobs (builds, plain-mode programs) in the namespace sandbox, checked from inside and from the host. */
// Guards against a job that never ends; not a time assertion.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NamespaceJobsTest {
    private static final SandboxLimits NO_NETWORK = new SandboxLimits(128, 0.5, 32, 16, SandboxLimits.Network.NONE);

    @TempDir
    Path dataDir;

    private NamespaceJobs jobs;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(NamespaceJobs.unavailableReason() == null, "the namespace sandbox cannot run here");
        jobs = NamespaceJobs.create(dataDir);
    }

    @Test
    void aJobWithoutNetworkHasOnlyLoopbackAndCannotReachAHostService() throws Exception {
        try (ServerSocket hostService = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            hostService.setSoTimeout(1000);
            String probe = "tr -s ' ' < /proc/net/dev | cut -d: -f1 | tail -n +3 | tr -d ' '; "
                    + "if echo hello > /dev/tcp/127.0.0.1/" + hostService.getLocalPort() + "; then echo connected; fi";

            JobResult.Exited isolated = exited(jobs.run(job(List.of("/usr/bin/bash", "-c", probe), NO_NETWORK, Map.of())));
            boolean isolatedReached = accepted(hostService);
            // The same probe with the host's network: proof that it can see a connection when there is one.
            JobResult.Exited shared = exited(jobs.run(job(List.of("/usr/bin/bash", "-c", probe),
                    new SandboxLimits(128, 0.5, 32, 16, SandboxLimits.Network.HOST), Map.of())));
            boolean sharedReached = accepted(hostService);

            assertThat(stdout(isolated).lines().toList()).containsExactly("lo");
            assertThat(isolated.stderr()).contains("Connection refused");
            assertThat(isolatedReached).isFalse();
            assertThat(stdout(shared)).contains("connected");
            assertThat(sharedReached).isTrue();
        }
    }

    @Test
    void aJobRunsAsNobodyAndCannotWriteWhatIsMounted() throws Exception {
        Path source = Files.createDirectories(dataDir.resolve("source"));
        Files.writeString(source.resolve("main.c"), "int main(void) { return 0; }\n");

        JobResult.Exited result = exited(jobs.run(job(List.of("/bin/sh", "-c",
                "id -u; cat main.c; echo changed > main.c || echo refused; touch /tmp/ok && echo tmp-writable"),
                NO_NETWORK, Map.of("/src", source))));

        assertThat(stdout(result).lines().toList())
                .containsExactly("65534", "int main(void) { return 0; }", "refused", "tmp-writable");
        assertThat(result.stderr()).contains("Read-only file system");
        assertThat(Files.readString(source.resolve("main.c"))).isEqualTo("int main(void) { return 0; }\n");
    }

    @Test
    void aJobPastItsTimeoutIsKilledWithEverythingItStarted() throws Exception {
        String marker = Integer.toString(900_000 + (int) (Math.random() * 99_999));
        SandboxJob job = new SandboxJob("job-" + UUID.randomUUID(),
                List.of("/bin/sh", "-c", "setsid sleep " + marker + " & sleep " + marker), Map.of("PATH", "/usr/bin:/bin"),
                List.of(), "/", NO_NETWORK, Duration.ofSeconds(1), new byte[0], SandboxJob.Output.inMemory(1024));

        JobResult result = jobs.run(job);

        assertThat(result).isInstanceOf(JobResult.TimedOut.class);
        assertThat(processesWithArgument(marker)).isEmpty();
    }

    @Test
    void outputPastItsLimitIsCutAndSaidToBeIncomplete() throws Exception {
        JobResult.Exited result = exited(jobs.run(new SandboxJob("job-" + UUID.randomUUID(),
                List.of("/usr/bin/head", "-c", "100000", "/dev/zero"), Map.of(), List.of(), "/", NO_NETWORK,
                Duration.ofSeconds(30), new byte[0], SandboxJob.Output.inMemory(1000))));

        assertThat(result.stdout()).hasSize(1000);
        assertThat(result.stdoutIncomplete()).isTrue();
    }

    private static SandboxJob job(List<String> command, SandboxLimits limits, Map<String, Path> mounts) {
        List<SandboxJob.Mount> binds = mounts.entrySet().stream()
                .map(e -> new SandboxJob.Mount(e.getValue(), e.getKey())).toList();
        return new SandboxJob("job-" + UUID.randomUUID(), command, Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8"),
                binds, mounts.isEmpty() ? "/" : mounts.keySet().iterator().next(), limits, Duration.ofSeconds(30),
                new byte[0], SandboxJob.Output.inMemory(64 * 1024));
    }

    private static JobResult.Exited exited(JobResult result) {
        assertThat(result).isInstanceOf(JobResult.Exited.class);
        return (JobResult.Exited) result;
    }

    private static String stdout(JobResult.Exited result) {
        return new String(result.stdout(), StandardCharsets.UTF_8);
    }

    /** Whether a connection is waiting on the socket; the job has ended, so one that came is already queued. */
    private static boolean accepted(ServerSocket socket) throws IOException {
        try (var ignored = socket.accept()) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private static List<Long> processesWithArgument(String argument) throws IOException {
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            return processes.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .filter(p -> {
                        try {
                            return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                                    .contains(argument);
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .map(p -> Long.parseLong(p.getFileName().toString())).toList();
        }
    }
}
