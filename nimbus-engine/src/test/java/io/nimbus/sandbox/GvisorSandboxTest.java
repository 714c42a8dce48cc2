package io.nimbus.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nimbus.protocol.Frame;
import io.nimbus.protocol.FrameCodec;
import io.nimbus.protocol.FrameType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real workers in gVisor: the real Python bootstrap, started through {@link GvisorSandbox}
 * and driven over the wire protocol as the pool drives it (Init, then Exec). Skipped where
 * runsc cannot run.
 */
// Guards against a worker that never answers (a blocking read would hang the build); not a time assertion.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GvisorSandboxTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ENVIRONMENT = Map.of(
            "PATH", "/usr/local/bin:/usr/bin:/bin", "LANG", "C.UTF-8", "HOME", "/tmp",
            "PYTHONDONTWRITEBYTECODE", "1", "PYTHONUNBUFFERED", "1");

    private static Path python;

    @TempDir
    Path temp;

    private Path dataDir;
    private GvisorSandbox sandbox;
    private Path bootstrap;
    private final List<SandboxedWorker> workers = new ArrayList<>();

    @BeforeAll
    static void requireGvisor() throws Exception {
        String reason = GvisorSandbox.unavailableReason();
        assumeTrue(reason == null, () -> "gVisor cannot run here: " + reason);
        Process probe = new ProcessBuilder("python3", "-c", "import sys;print(sys.executable)").start();
        python = Path.of(new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip());
        assertThat(probe.waitFor()).isZero();
        assertThat(python).isExecutable();
    }

    @BeforeEach
    void createSandbox() throws IOException {
        dataDir = temp.resolve("data");
        sandbox = GvisorSandbox.create(dataDir);
        bootstrap = dataDir.resolve("runtimes/python/bootstrap.py");
        Files.createDirectories(bootstrap.getParent());
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("io/nimbus/runtime/python/bootstrap.py")) {
            assertThat(in).as("the Python bootstrap on the classpath").isNotNull();
            Files.copy(in, bootstrap, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @AfterEach
    void killWorkers() throws IOException {
        workers.forEach(SandboxedWorker::kill);
        if (sandbox == null) {
            return;
        }
        // The test server's scope is empty once its workers are gone, and no other test reuses it.
        Path cgroups = Path.of("/sys/fs/cgroup");
        List<Path> scopes = new ArrayList<>(List.of(cgroups.resolve(sandbox.cgroupScope())));
        try (var controllers = Files.list(cgroups)) {
            controllers.forEach(controller -> scopes.add(controller.resolve(sandbox.cgroupScope())));
        }
        for (Path scope : scopes) {
            try {
                Files.deleteIfExists(scope);
            } catch (IOException ignored) {
                // not a directory of a controller, or not empty: left as it is
            }
        }
    }

    // ------------------------------------------------------------------ the worker

    @Test
    void runsAHandlerConfinedAndLeavesNothingWhenKilled() throws Exception {
        String id = UUID.randomUUID().toString();
        SandboxedWorker worker = start(id, limits(256, SandboxLimits.Network.NONE), """
                import ctypes, json, os, socket

                def handler(event, context):
                    out = {"hello": event["x"]}
                    try:
                        with open("/etc/shadow") as f:
                            f.read()
                        out["shadow"] = "readable"
                    except OSError as e:
                        out["shadow"] = type(e).__name__
                    try:
                        with open("/var/function/written", "w") as f:
                            f.write("x")
                        out["code_write"] = "written"
                    except OSError as e:
                        out["code_write"] = type(e).__name__
                    with open("/tmp/scratch", "w") as f:
                        f.write("ok")
                    out["tmp_write"] = "written"
                    out["ids"] = [os.getuid(), os.geteuid(), os.getgid(), os.getegid()]
                    with open("/proc/net/dev") as f:
                        out["interfaces"] = sorted(line.split(":")[0].strip() for line in f.readlines()[2:])
                    s = socket.socket()
                    s.settimeout(3)
                    try:
                        s.connect(("1.1.1.1", 53))
                        out["connect"] = "connected"
                    except OSError as e:
                        out["connect"] = type(e).__name__
                    finally:
                        s.close()
                    with open("/proc/self/status") as f:
                        status = dict(line.rstrip("\\n").split(":\\t", 1) for line in f if ":\\t" in line)
                    out["cap_eff"] = status.get("CapEff")
                    out["no_new_privs"] = ctypes.CDLL(None).prctl(39, 0, 0, 0, 0)
                    out["code_dir"] = os.getcwd()
                    return out
                """);

        JsonNode init = init(worker);
        assertThat(init.path("ok").asBoolean()).as(init.toString()).isTrue();
        JsonNode result = exec(worker, "{\"x\": 1}");

        assertThat(result.path("hello").asInt()).isEqualTo(1);
        assertThat(result.path("shadow").asText()).isNotEqualTo("readable");
        assertThat(result.path("code_write").asText()).isNotEqualTo("written");
        assertThat(result.path("tmp_write").asText()).isEqualTo("written");
        assertThat(result.path("ids").toString()).isEqualTo("[65534,65534,65534,65534]");
        assertThat(result.path("interfaces").toString()).isEqualTo("[\"lo\"]");
        assertThat(result.path("connect").asText()).isNotEqualTo("connected");
        if (!result.path("cap_eff").isNull()) {
            assertThat(result.path("cap_eff").asText()).matches("0+");
        }
        assertThat(result.path("no_new_privs").asInt()).isEqualTo(1);
        assertThat(result.path("code_dir").asText()).isEqualTo("/var/function");
        assertThat(worker.oomKilled()).isFalse();

        worker.kill();
        worker.kill();

        assertThat(worker.isAlive()).isFalse();
        assertNothingLeft(id);
    }

    @Test
    void theMemoryLimitEndsTheSandboxAndIsReportedAsOutOfMemory() throws Exception {
        String id = UUID.randomUUID().toString();
        SandboxedWorker worker = start(id, limits(128, SandboxLimits.Network.NONE), """
                def handler(event, context):
                    chunks = [b"\\x01" * (50 * 1024 * 1024) for _ in range(8)]
                    return len(chunks)
                """);
        assertThat(init(worker).path("ok").asBoolean()).isTrue();

        assertThatThrownBy(() -> exec(worker, "{}")).isInstanceOf(IOException.class);

        assertThat(worker.oomKilled()).isTrue();
        worker.kill();
        assertNothingLeft(id);
    }

    @Test
    void killEndsABusyWorkerAtOnce() throws Exception {
        String id = UUID.randomUUID().toString();
        SandboxedWorker worker = start(id, limits(256, SandboxLimits.Network.NONE), """
                import subprocess, time

                def handler(event, context):
                    subprocess.Popen(["/bin/sleep", "600"])
                    time.sleep(600)
                """);
        assertThat(init(worker).path("ok").asBoolean()).isTrue();
        FrameCodec.write(worker.toWorker(), execFrame("{}"));
        Thread.sleep(500);

        long started = System.nanoTime();
        worker.kill();

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(3000);
        assertThatThrownBy(() -> FrameCodec.read(worker.fromWorker())).isInstanceOf(IOException.class);
        assertThat(worker.oomKilled()).isFalse();
        assertNothingLeft(id);
    }

    @Test
    void theProcessLimitHoldsInsideTheSandbox() throws Exception {
        String id = UUID.randomUUID().toString();
        SandboxedWorker worker = start(id, new SandboxLimits(256, 1.0, 16, 64, SandboxLimits.Network.NONE), """
                import subprocess

                def handler(event, context):
                    children, refused = [], 0
                    for _ in range(40):
                        try:
                            children.append(subprocess.Popen(["/bin/sleep", "30"]))
                        except OSError:
                            refused += 1
                    for child in children:
                        child.kill()
                        child.wait()
                    return {"started": len(children), "refused": refused}
                """);
        assertThat(init(worker).path("ok").asBoolean()).isTrue();

        JsonNode result = exec(worker, "{}");

        assertThat(result.path("refused").asInt()).isPositive();
        assertThat(result.path("started").asInt()).isLessThan(16);
    }

    @Test
    void aNewServerRemovesWhatAKilledOneLeft() throws Exception {
        String id = UUID.randomUUID().toString();
        SandboxedWorker orphan = start(id, limits(256, SandboxLimits.Network.NONE),
                "def handler(event, context):\n    return 1\n");
        assertThat(init(orphan).path("ok").asBoolean()).isTrue();

        GvisorSandbox.create(dataDir);

        assertThatThrownBy(() -> FrameCodec.read(orphan.fromWorker())).isInstanceOf(IOException.class);
        assertNothingLeft(id);
    }

    // ------------------------------------------------------------------ helpers

    private static SandboxLimits limits(int memoryMb, SandboxLimits.Network network) {
        return new SandboxLimits(memoryMb, 1.0, 64, 64, network);
    }

    private SandboxedWorker start(String id, SandboxLimits limits, String mainPy) throws IOException {
        Path code = Files.createDirectories(temp.resolve("code-" + id));
        Files.writeString(code.resolve("main.py"), mainPy);
        Path strayOutput = Files.createFile(temp.resolve(id + ".out"));
        SandboxedWorker worker = sandbox.start(new WorkerLaunch(id, python, bootstrap, code, ENVIRONMENT, limits,
                strayOutput));
        workers.add(worker);
        return worker;
    }

    private static JsonNode init(SandboxedWorker worker) throws IOException {
        ObjectNode header = JSON.createObjectNode()
                .put("function_id", "fn-1")
                .put("function_name", "hello")
                .put("function_version", 1)
                .put("handler", "main.handler")
                .put("code_dir", worker.codeDir())
                .put("memory_limit_mb", 256)
                .put("timeout_ms", 30_000);
        header.set("env", JSON.valueToTree(Map.of("NIMBUS_FUNCTION_NAME", "hello")));
        FrameCodec.write(worker.toWorker(), new Frame(FrameType.INIT, JSON.writeValueAsBytes(header), new byte[0]));
        return JSON.readTree(response(worker).header());
    }

    /** The result of an Exec that must succeed. */
    private static JsonNode exec(SandboxedWorker worker, String event) throws IOException {
        FrameCodec.write(worker.toWorker(), execFrame(event));
        Frame response = response(worker);
        JsonNode header = JSON.readTree(response.header());
        assertThat(header.path("ok").asBoolean()).as(header.toString()).isTrue();
        return JSON.readTree(response.payload());
    }

    private static Frame execFrame(String event) {
        String header = "{\"request_id\":\"" + UUID.randomUUID() + "\",\"timeout_ms\":30000}";
        return new Frame(FrameType.EXEC, header.getBytes(StandardCharsets.UTF_8), event.getBytes(StandardCharsets.UTF_8));
    }

    /** The next Resp, Log frames skipped. */
    private static Frame response(SandboxedWorker worker) throws IOException {
        while (true) {
            Frame frame = FrameCodec.read(worker.fromWorker());
            if (frame.type() == FrameType.RESP) {
                return frame;
            }
        }
    }

    /** No runsc process of this server, no container in its runsc state, no bundle, no control group. */
    private void assertNothingLeft(String id) throws Exception {
        String state = sandbox.stateDir().toString();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> processes = runscProcesses(state);
        while (!processes.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            processes = runscProcesses(state);
        }
        assertThat(processes).as("runsc processes of this server").isEmpty();

        Process list = new ProcessBuilder(GvisorSandbox.RUNSC.toString(), "--root", state, "list", "--quiet")
                .redirectErrorStream(true).start();
        String containers = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(list.waitFor()).isZero();
        assertThat(containers).as("runsc list").isEmpty();

        assertThat(dataDir.resolve("gvisor/bundles").resolve(id)).doesNotExist();
        for (String controller : List.of("memory", "cpu", "pids", "")) {
            assertThat(Path.of("/sys/fs/cgroup", controller, sandbox.cgroupScope(), id)).doesNotExist();
        }
    }

    private static List<String> runscProcesses(String state) {
        return ProcessHandle.allProcesses()
                .filter(ProcessHandle::isAlive)
                .map(process -> process.info().commandLine().orElse(""))
                .filter(commandLine -> commandLine.contains(state))
                .toList();
    }
}
