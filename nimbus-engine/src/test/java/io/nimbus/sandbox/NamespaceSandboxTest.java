package io.nimbus.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nimbus.protocol.Frame;
import io.nimbus.protocol.FrameCodec;
import io.nimbus.protocol.FrameType;
import io.nimbus.runtime.Runtime;
import io.nimbus.runtime.RuntimeRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A real worker in the namespace sandbox, driven over the protocol, with its control group checked from the host. */
class NamespaceSandboxTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Runtime python;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void findPython() {
        python = RuntimeRegistry.detect(Map.of()).find("python3.11").orElseThrow();
        assertThat(NamespaceSandbox.unavailableReason()).isNull();
    }

    @Test
    void aWorkerRunsConfinedUnderItsLimitsAndKillRemovesEverything() throws Exception {
        NamespaceSandbox sandbox = NamespaceSandbox.create(dataDir);
        String instanceId = UUID.randomUUID().toString();
        SandboxedWorker worker = sandbox.start(launch(instanceId, new SandboxLimits(128, 0.25, 32, 16, SandboxLimits.Network.NONE), """
                import os, socket
                def handler(event):
                    return {'uid': os.getuid(), 'euid': os.geteuid(), 'pid': os.getpid(),
                            'interfaces': [name for _, name in socket.if_nameindex()],
                            'root': sorted(os.listdir('/')), 'cwd': os.getcwd(),
                            'caps': [l for l in open('/proc/self/status') if l.startswith(('CapEff', 'NoNewPrivs', 'Seccomp:'))]}
                """));
        try {
            JsonNode init = exchange(worker, FrameType.INIT, "{\"function_id\":\"f\",\"function_name\":\"f\",\"function_version\":1,"
                    + "\"handler\":\"main.handler\",\"code_dir\":\"" + worker.codeDir() + "\",\"memory_limit_mb\":128,"
                    + "\"timeout_ms\":5000,\"env\":{}}", "");
            assertThat(init.path("ok").asBoolean()).as(init.toString()).isTrue();
            assertThat(cgroupFile("memory", instanceId, "memory.limit_in_bytes")).isEqualTo(String.valueOf(128L << 20));
            assertThat(cgroupFile("pids", instanceId, "pids.max")).isEqualTo("32");
            worker.initialized();
            assertThat(cgroupFile("cpu", instanceId, "cpu.cfs_quota_us"))
                    .isEqualTo(String.valueOf(Cgroup.quotaMicros(0.25)));
            assertThat(cgroupFile("cpu", instanceId, "cpu.shares")).as("the weight follows memory").isEqualTo("128");

            JsonNode seen = JSON.readTree(execPayload(worker));

            assertThat(seen.path("uid").asInt()).isEqualTo(65534);
            assertThat(seen.path("euid").asInt()).isEqualTo(65534);
            assertThat(seen.path("interfaces").toString()).isEqualTo("[\"lo\"]");
            assertThat(seen.path("cwd").asText()).isEqualTo("/var/function");
            assertThat(seen.path("root").toString()).doesNotContain("\"etc\"", "\"home\"", "\"work\"", "\"boot\"");
            assertThat(seen.path("caps").toString()).contains("CapEff:\\t0000000000000000", "NoNewPrivs:\\t1", "Seccomp:\\t2");
        } finally {
            worker.kill();
        }
        assertThat(worker.isAlive()).isFalse();
        assertThat(cgroupDir("pids", instanceId)).isEmpty();
    }

    @Test
    void allocatingPastTheMemoryLimitIsSeenAsAnOomKill() throws Exception {
        NamespaceSandbox sandbox = NamespaceSandbox.create(dataDir);
        SandboxedWorker worker = sandbox.start(launch(UUID.randomUUID().toString(),
                new SandboxLimits(64, 1, 32, 16, SandboxLimits.Network.NONE), """
                def handler(event):
                    hog = [bytearray(1 << 20) for _ in range(256)]
                    return len(hog)
                """));
        try {
            exchange(worker, FrameType.INIT, "{\"handler\":\"main.handler\",\"code_dir\":\"/var/function\",\"env\":{}}", "");
            FrameCodec.write(worker.toWorker(), new Frame(FrameType.EXEC,
                    "{\"request_id\":\"r\",\"timeout_ms\":5000}".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8)));
            assertThat(readUntilEnd(worker.fromWorker())).isTrue();
            assertThat(worker.oomKilled()).isTrue();
        } finally {
            worker.kill();
        }
    }

    private WorkerLaunch launch(String instanceId, SandboxLimits limits, String handler) throws IOException {
        Path code = Files.createDirectories(dataDir.resolve("code-" + instanceId));
        Files.writeString(code.resolve("main.py"), handler);
        Path runtime = Files.createDirectories(dataDir.resolve("runtime"));
        Path bootstrap = runtime.resolve("bootstrap.py");
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(python.bootstrap())) {
            Files.copy(in, bootstrap, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Path stray = Files.createFile(dataDir.resolve(instanceId + ".out"));
        return new WorkerLaunch(instanceId, python.interpreter(), bootstrap, code,
                Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8", "HOME", "/tmp"), limits, stray);
    }

    private static JsonNode exchange(SandboxedWorker worker, FrameType type, String header, String payload) throws IOException {
        FrameCodec.write(worker.toWorker(), new Frame(type, header.getBytes(StandardCharsets.UTF_8),
                payload.getBytes(StandardCharsets.UTF_8)));
        Frame answer = nextResp(worker.fromWorker());
        return JSON.readTree(answer.header());
    }

    private static String execPayload(SandboxedWorker worker) throws IOException {
        FrameCodec.write(worker.toWorker(), new Frame(FrameType.EXEC,
                "{\"request_id\":\"r\",\"timeout_ms\":5000}".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8)));
        Frame answer = nextResp(worker.fromWorker());
        assertThat(JSON.readTree(answer.header()).path("ok").asBoolean()).as(new String(answer.header())).isTrue();
        return new String(answer.payload(), StandardCharsets.UTF_8);
    }

    private static Frame nextResp(InputStream in) throws IOException {
        Frame frame = FrameCodec.read(in);
        while (frame.type() == FrameType.LOG) {
            frame = FrameCodec.read(in);
        }
        return frame;
    }

    /** True when the channel ends (the worker died) before any Resp. */
    private static boolean readUntilEnd(InputStream in) {
        try {
            while (true) {
                if (FrameCodec.read(in).type() == FrameType.RESP) {
                    return false;
                }
            }
        } catch (IOException e) {
            return true;
        }
    }

    private static String cgroupFile(String controller, String instanceId, String file) throws IOException {
        return Files.readString(cgroupDir(controller, instanceId).orElseThrow().resolve(file)).trim();
    }

    private static Optional<Path> cgroupDir(String controller, String instanceId) throws IOException {
        try (Stream<Path> scopes = Files.list(Path.of("/sys/fs/cgroup", controller, "nimbus"))) {
            return scopes.map(scope -> scope.resolve(instanceId)).filter(Files::isDirectory).findFirst();
        }
    }
}
