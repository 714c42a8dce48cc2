package io.nimbus.runtime.java;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nimbus.sandbox.NamespaceSandbox;
import io.nimbus.sandbox.SandboxLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The java25 worker in the namespace sandbox: seccomp, the pids limit and the memory limit leave the JVM working. */
// Guards against a worker that never answers (a blocking read would hang the build); not a time assertion.
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JavaWorkerSandboxTest {
    private static final Logger LOG = LoggerFactory.getLogger(JavaWorkerSandboxTest.class);
    /** The server's default process limit. */
    private static final int PIDS = 64;

    @TempDir
    Path dataDir;

    private final List<WorkerSession> sessions = new ArrayList<>();

    @BeforeAll
    static void sandboxIsAvailable() {
        assertThat(NamespaceSandbox.unavailableReason()).isNull();
    }

    @AfterEach
    void stopWorkers() {
        sessions.forEach(WorkerSession::close);
    }

    @Test
    void aWorkerOfTheDefaultSizeRunsConfinedWithItsThreadsWellUnderThePidsLimit() throws Exception {
        WorkerSession worker = start(new SandboxLimits(256, 0.145, PIDS, 16, SandboxLimits.Network.NONE), "Inspect", """
                import io.nimbus.sdk.*;
                import java.nio.file.*;
                import java.util.*;

                public class Inspect implements Handler {
                    public Object handleRequest(Object event, Context context) throws Exception {
                        Map<String, Object> seen = new LinkedHashMap<>();
                        seen.put("status", Files.readAllLines(Path.of("/proc/self/status")).stream()
                                .filter(l -> l.startsWith("Uid:") || l.startsWith("Seccomp:") || l.startsWith("NoNewPrivs:")).toList());
                        seen.put("threads", Files.list(Path.of("/proc/self/task")).count());
                        seen.put("cwd", Path.of("").toAbsolutePath().toString());
                        seen.put("processors", Runtime.getRuntime().availableProcessors());
                        seen.put("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
                        return seen;
                    }
                }
                """);

        WorkerSession.Reply init = worker.init("Inspect", Map.of());
        JsonNode seen = worker.exec("{}").result();

        assertThat(init.ok()).as("%s", init).isTrue();
        assertThat(seen.path("status").toString()).contains("Uid:\\t65534", "NoNewPrivs:\\t1", "Seccomp:\\t2");
        assertThat(seen.path("cwd").asText()).isEqualTo("/var/function");
        assertThat(seen.path("processors").asInt()).isEqualTo(1);
        assertThat(seen.path("max_heap_mb").asLong()).isLessThanOrEqualTo(JvmOptions.heapMb(256));
        long pids = pidsInUse(worker);
        LOG.info("JAVA worker in the namespace sandbox: {} JVM threads, {} of {} pids in use", seen.path("threads"), pids, PIDS);
        assertThat(pids).isLessThan(PIDS / 2);
        assertThat(worker.strayOutput()).as("the JVM printed no warning").isEmpty();
    }

    @Test
    void theSmallestFunctionSizeIsEnoughForAHandler() throws Exception {
        WorkerSession worker = start(new SandboxLimits(64, 0.04, PIDS, 16, SandboxLimits.Network.NONE), "Hello", """
                public class Hello implements io.nimbus.sdk.Handler {
                    public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                        return java.util.Map.of("hello", event);
                    }
                }
                """);

        assertThat(worker.init("Hello", Map.of()).ok()).isTrue();
        assertThat(worker.exec("\"world\"").payload()).isEqualTo("{\"hello\":\"world\"}");
    }

    @Test
    void exhaustingTheHeapIsAnsweredAsOutOfMemory() throws Exception {
        WorkerSession worker = start(new SandboxLimits(128, 1, PIDS, 16, SandboxLimits.Network.NONE), "Hog", """
                import java.util.*;

                public class Hog implements io.nimbus.sdk.Handler {
                    private final List<byte[]> kept = new ArrayList<>();

                    public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                        while (true) {
                            kept.add(new byte[1 << 20]);
                        }
                    }
                }
                """);
        worker.init("Hog", Map.of());

        WorkerSession.Reply reply = worker.exec("{}");

        assertThat(reply.errorType()).isEqualTo("OutOfMemory");
        assertThat(worker.channelEnds()).isTrue();
    }

    @Test
    void growingPastTheMemoryLimitOutsideTheHeapIsAnOomKill() throws Exception {
        WorkerSession worker = start(new SandboxLimits(128, 1, PIDS, 16, SandboxLimits.Network.NONE), "NativeHog", """
                import java.lang.foreign.*;

                public class NativeHog implements io.nimbus.sdk.Handler {
                    public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                        while (true) {
                            Arena.global().allocate(1 << 20).fill((byte) 1);
                        }
                    }
                }
                """);
        worker.init("NativeHog", Map.of());

        worker.send(new io.nimbus.protocol.Frame(io.nimbus.protocol.FrameType.EXEC, worker.execHeader(), "{}".getBytes()));

        assertThat(worker.channelEnds()).isTrue();
        assertThat(worker.worker().oomKilled()).isTrue();
    }

    private WorkerSession start(SandboxLimits limits, String className, String source) throws IOException, InterruptedException {
        Path code = TestImage.compiled(dataDir.resolve("code-" + className), Map.of(className + ".java", source));
        WorkerSession session = TestImage.start(NamespaceSandbox.create(dataDir), code, limits, dataDir.resolve("instances"));
        sessions.add(session);
        return session;
    }

    /** The processes and threads in the instance's control group (cgroup v1's pids controller, or v2), bubblewrap's included. */
    private static long pidsInUse(WorkerSession worker) throws IOException {
        Path root = Files.isDirectory(Path.of("/sys/fs/cgroup/pids")) ? Path.of("/sys/fs/cgroup/pids/nimbus") : Path.of("/sys/fs/cgroup/nimbus");
        try (Stream<Path> scopes = Files.list(root)) {
            Path group = scopes.map(scope -> scope.resolve(worker.instanceId())).filter(Files::isDirectory).findFirst().orElseThrow();
            return Long.parseLong(Files.readString(group.resolve("pids.current")).strip());
        }
    }
}
