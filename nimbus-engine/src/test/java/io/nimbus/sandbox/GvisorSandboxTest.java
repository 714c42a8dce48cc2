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
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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

    // ------------------------------------------------------------------ system calls

    @Test
    void theBundlesSeccompRulesAreTheNamespaceBackendsPolicy() {
        JsonNode seccomp = OciBundle.seccomp();

        assertThat(seccomp.path("defaultAction").asText()).isEqualTo("SCMP_ACT_ALLOW");
        assertThat(seccomp.path("architectures").toString()).isEqualTo("[\"SCMP_ARCH_X86_64\"]");
        for (JsonNode rule : seccomp.path("syscalls")) {
            assertThat(rule.path("action").asText()).as(rule.toString()).isEqualTo("SCMP_ACT_ERRNO");
            assertThat(rule.path("errnoRet").asInt()).as(rule.toString()).isEqualTo(1);
            for (JsonNode arg : rule.path("args")) {
                assertThat(arg.path("op").asText()).isEqualTo("SCMP_CMP_MASKED_EQ");
                assertThat(arg.path("index").asInt()).isZero();
            }
        }
        JsonNode refused = seccomp.path("syscalls").get(0);
        List<String> names = new ArrayList<>();
        refused.path("names").forEach(name -> names.add(name.asText()));
        assertThat(refused.has("args")).isFalse();
        // clone3 is left to the sentry, which answers ENOSYS (checked in a real sandbox below).
        assertThat(names).containsExactlyElementsOf(
                SeccompFilter.refusedSyscalls().stream().filter(name -> !name.equals("clone3")).toList());

        // clone: refused when, and only when, a namespace flag is set.
        long[] cloneFlags = {0x11, 0x3d0f00 | 0x11, 0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000,
                0x20000000, 0x40000000, 0x80, 0x10000000 | 0x11, 0x01200011};
        for (long flags : cloneFlags) {
            assertThat(refuses(seccomp, "clone", flags)).as("clone(%#x)", flags)
                    .isEqualTo((flags & SeccompFilter.CLONE_NAMESPACE_FLAGS) != 0);
        }
        // personality: allowed only for 0 and the query, on the low 32 bits as the kernel reads them.
        List<Long> personas = new ArrayList<>(List.of(0L, 0xFFFFFFFFL, 1L, 2L, 0x80000000L, 0x7FFFFFFFL, 0xFFFFFFFEL,
                0x0040000L, 0x0400000L, 0x100000000L, 0x1FFFFFFFFL, 0xFFFFFFFF00000000L));
        Random random = new Random(42);
        for (int i = 0; i < 10_000; i++) {
            personas.add(random.nextLong());
        }
        for (long persona : personas) {
            long low = persona & 0xFFFFFFFFL;
            assertThat(refuses(seccomp, "personality", persona)).as("personality(%#x)", persona)
                    .isEqualTo(low != 0 && low != 0xFFFFFFFFL);
        }
    }

    @Test
    void theBundleLimitsFileSizesToTmpAndHostTasksFarAboveTheProcessLimit() {
        SandboxLimits limits = new SandboxLimits(256, 1.0, 64, 16, SandboxLimits.Network.NONE);
        OciBundle.Spec spec = new OciBundle.Spec(List.of("/bin/true"), Map.of(), "/", 65534, temp, List.of(), 16, false,
                256L << 20, 100_000, 100_000, 256, GvisorSandbox.sandboxTasks(limits), 64, "/x/y");
        JsonNode config = OciBundle.config(spec);

        JsonNode fsize = null;
        for (JsonNode rlimit : config.path("process").path("rlimits")) {
            if (rlimit.path("type").asText().equals("RLIMIT_FSIZE")) {
                fsize = rlimit;
            }
        }
        assertThat(fsize).isNotNull();
        assertThat(fsize.path("hard").asLong()).isEqualTo((16L << 20) + 4096).isEqualTo(fsize.path("soft").asLong());
        assertThat(config.path("linux").path("resources").path("pids").path("limit").asInt())
                .isEqualTo(GvisorSandbox.sandboxTasks(limits));
        assertThat(config.path("linux").path("seccomp")).isEqualTo(OciBundle.seccomp());
        // (sentry threads: pids + CPUs + 64) x (stubs: pids + 16, and the sentry): 3x the 3,200 measured at 64 on 2 CPUs.
        assertThat(GvisorSandbox.sandboxTasks(64, 2)).isEqualTo(130 * 81);
        assertThat(GvisorSandbox.sandboxTasks(1, 1)).isEqualTo(GvisorSandbox.MIN_SANDBOX_TASKS);
        assertThat(GvisorSandbox.strayOutputCap(limits)).isEqualTo(16L << 20);
    }

    @Test
    void systemCallsTheNamespaceBackendRefusesAreRefusedAndForkThreadsAndSubprocessesWork() throws Exception {
        String id = UUID.randomUUID().toString();
        SandboxedWorker worker = start(id, limits(256, SandboxLimits.Network.NONE), """
                import ctypes, os, subprocess, threading

                libc = ctypes.CDLL(None, use_errno=True)
                c = ctypes

                def call(nr, *args):
                    ctypes.set_errno(0)
                    ret = libc.syscall(c.c_long(nr), *args)
                    return {"ret": ret, "errno": ctypes.get_errno() if ret == -1 else 0}

                def clone(flags):
                    # clone(flags | SIGCHLD) as a fork: a child that got through leaves at once.
                    result = call(56, c.c_ulong(flags | 17), c.c_void_p(None), c.c_void_p(None), c.c_void_p(None),
                                  c.c_ulong(0))
                    if result["ret"] == 0:
                        os._exit(0)
                    if result["ret"] > 0:
                        os.waitpid(result["ret"], 0)
                    return result

                # Node: a child process, the libuv thread pool and a worker thread.
                NODE = '''
                const { spawnSync } = require('child_process');
                const { Worker } = require('worker_threads');
                const crypto = require('crypto');
                const out = { spawn: spawnSync('/bin/sh', ['-c', 'echo spawned']).stdout.toString().trim() };
                crypto.pbkdf2('a', 'b', 1000, 32, 'sha256', (e, key) => {
                  out.threadpool = e ? e.code : key.length;
                  const w = new Worker('require("worker_threads").parentPort.postMessage("worker")', { eval: true });
                  w.on('message', (m) => { out.worker = m; w.terminate(); console.log(JSON.stringify(out)); });
                  w.on('error', (e) => { out.worker = String(e); console.log(JSON.stringify(out)); });
                });
                '''

                def handler(event, context):
                    os.makedirs("/tmp/mnt", exist_ok=True)
                    refused = {
                        "unshare(CLONE_NEWUSER)": call(272, c.c_ulong(0x10000000)),
                        "unshare(CLONE_NEWNS)": call(272, c.c_ulong(0x00020000)),
                        "unshare(0)": call(272, c.c_ulong(0)),
                        "mount": call(165, c.c_char_p(b"none"), c.c_char_p(b"/tmp/mnt"), c.c_char_p(b"tmpfs"),
                                      c.c_ulong(0), c.c_void_p(None)),
                        "keyctl": call(250, c.c_long(0), c.c_long(-3), c.c_long(1)),
                        "bpf": call(321, c.c_int(0), c.byref((c.c_uint32 * 30)(2, 4, 4, 1)), c.c_uint(120)),
                        "io_uring_setup": call(425, c.c_uint(1), c.byref((c.c_uint8 * 120)())),
                        "ptrace": call(101, c.c_long(16), c.c_long(1), c.c_long(0), c.c_long(0)),
                        "sethostname": call(170, c.c_char_p(b"x"), c.c_size_t(1)),
                        "clone(CLONE_NEWUSER)": clone(0x10000000),
                        "clone(CLONE_NEWNET)": clone(0x40000000),
                        "personality(ADDR_NO_RANDOMIZE)": call(135, c.c_ulong(0x0040000)),
                        "personality(READ_IMPLIES_EXEC)": call(135, c.c_ulong(0x0400000)),
                        "chroot": call(161, c.c_char_p(b"/tmp")),
                    }
                    # Refused names this runsc does not know: it skips them, and its sentry answers ENOSYS.
                    unknown = {
                        "mount_setattr": call(442, c.c_int(-1), c.c_char_p(b""), c.c_uint(0), c.c_void_p(None),
                                              c.c_size_t(0)),
                        "process_madvise": call(440, c.c_int(-1), c.c_void_p(None), c.c_size_t(0), c.c_int(0),
                                                c.c_uint(0)),
                        "pidfd_getfd": call(438, c.c_int(-1), c.c_int(0), c.c_uint(0)),
                        "quotactl_fd": call(443, c.c_uint(0), c.c_uint(0), c.c_uint(0), c.c_void_p(None)),
                        "set_mempolicy_home_node": call(450, c.c_ulong(0), c.c_ulong(0), c.c_ulong(0), c.c_ulong(0)),
                        "_sysctl": call(156, c.c_void_p(None)),
                    }
                    pid = os.fork()
                    if pid == 0:
                        os._exit(7)
                    forked = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
                    ran = []
                    thread = threading.Thread(target=lambda: ran.append(True))
                    thread.start()
                    thread.join()
                    shell = subprocess.run(["/bin/sh", "-c", "echo sub; (echo nested)"], capture_output=True)
                    node = subprocess.run(["/usr/bin/node", "-e", NODE], capture_output=True, timeout=60)
                    return {"refused": refused, "unknown": unknown,
                            "clone3": call(435, c.c_void_p(None), c.c_size_t(0)),
                            "clone(SIGCHLD)": clone(0), "fork": forked, "thread": ran,
                            "subprocess": shell.stdout.decode(),
                            "node": node.stdout.decode().strip() or node.stderr.decode()}
                """);
        assertThat(init(worker).path("ok").asBoolean()).isTrue();

        JsonNode result = exec(worker, "{}");

        assertThat(result.path("refused").size()).isEqualTo(14);
        for (Map.Entry<String, JsonNode> call : result.path("refused").properties()) {
            assertThat(call.getValue().toString()).as(call.getKey()).isEqualTo("{\"ret\":-1,\"errno\":1}");
        }
        assertThat(result.path("unknown").size()).isEqualTo(6);
        for (Map.Entry<String, JsonNode> call : result.path("unknown").properties()) {
            assertThat(call.getValue().path("ret").asInt()).as(call.getKey()).isEqualTo(-1);
            assertThat(call.getValue().path("errno").asInt()).as(call.getKey()).isIn(1, 38);
        }
        // ENOSYS, not EPERM: glibc then falls back to clone.
        assertThat(result.path("clone3").toString()).isEqualTo("{\"ret\":-1,\"errno\":38}");
        assertThat(result.path("clone(SIGCHLD)").path("ret").asInt()).as("a plain fork through clone").isPositive();
        assertThat(result.path("fork").asInt()).isEqualTo(7);
        assertThat(result.path("thread").toString()).isEqualTo("[true]");
        assertThat(result.path("subprocess").asText()).isEqualTo("sub\nnested\n");
        assertThat(result.path("node").asText()).as("Node under the filter")
                .isEqualTo("{\"spawn\":\"spawned\",\"threadpool\":32,\"worker\":\"worker\"}");
    }

    // ------------------------------------------------------------------ fork bombs

    @Test
    void aForkBombMeetsRlimitNprocTenTimesAndTheSandboxSurvives() throws Exception {
        String id = UUID.randomUUID().toString();
        SandboxedWorker worker = start(id, limits(1024, SandboxLimits.Network.NONE), """
                import os, signal

                def handler(event, context):
                    children, errno = [], None
                    for _ in range(1000):
                        try:
                            pid = os.fork()
                        except OSError as e:
                            errno = e.errno
                            break
                        if pid == 0:
                            try:
                                os.execv("/bin/sleep", ["/bin/sleep", "60"])
                            finally:
                                os._exit(127)
                        children.append(pid)
                    for pid in children:
                        os.kill(pid, signal.SIGKILL)
                        os.waitpid(pid, 0)
                    return {"children": len(children), "errno": errno}
                """);
        assertThat(init(worker).path("ok").asBoolean()).isTrue();
        Path pids = pidsGroup(id);
        int limit = GvisorSandbox.sandboxTasks(limits(1024, SandboxLimits.Network.NONE));
        assertThat(Cgroup.read(pids.resolve("pids.max")).strip()).isEqualTo(Integer.toString(limit));
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong peak = new AtomicLong();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (running.get()) {
                String current = Cgroup.read(pids.resolve("pids.current")).strip();
                if (!current.isEmpty()) {
                    peak.accumulateAndGet(Long.parseLong(current), Math::max);
                }
                sleep(5);
            }
        });

        List<String> rounds = new ArrayList<>();
        try {
            for (int round = 0; round < 10; round++) {
                JsonNode result = exec(worker, "{}");
                rounds.add(result.toString());
                assertThat(result.path("errno").asInt()).as("round %d: %s", round, result).isEqualTo(11);
                assertThat(result.path("children").asInt()).as("round %d: %s", round, result).isBetween(1, 63);
            }
        } finally {
            running.set(false);
            sampler.join();
        }

        System.out.printf("fork bomb, 10 rounds: %s; host tasks at most %d (limit %s)%n", rounds, peak.get(),
                Cgroup.read(pids.resolve("pids.max")).strip());
        assertThat(worker.isAlive()).isTrue();
        assertThat(Cgroup.keyedValue(Cgroup.read(pids.resolve("pids.events")), "max"))
                .as("forks the host's pids limit refused").isZero();
        assertThat(peak.get()).as("host tasks at the peak").isLessThan(limit / 2);
    }

    // ------------------------------------------------------------------ stray output

    @Test
    void strayOutputTakesAtMostTheTmpSizeOnTheHostAndNormalOutputAndTmpFilesWork() throws Exception {
        String id = UUID.randomUUID().toString();
        SandboxedWorker worker = start(id, new SandboxLimits(256, 1.0, 64, 16, SandboxLimits.Network.NONE), """
                import os, resource, subprocess, sys

                def handler(event, context):
                    if event["flood"]:
                        done = subprocess.run(["/bin/sh", "-c", "head -c 104857600 /dev/zero"])
                        return {"rc": done.returncode}
                    python = subprocess.run([sys.executable, "-c", "print('python child says hi')"])
                    node = subprocess.run(["/usr/bin/node", "-e", "console.log('node child says hi')"])
                    written, errno = 0, None
                    chunk = b"x" * (1 << 20)
                    fd = os.open("/tmp/fill", os.O_WRONLY | os.O_CREAT, 0o600)
                    try:
                        while written < (32 << 20):
                            written += os.write(fd, chunk)
                    except OSError as e:
                        errno = e.errno
                    finally:
                        os.close(fd)
                    size = os.stat("/tmp/fill").st_size
                    os.unlink("/tmp/fill")
                    return {"python": python.returncode, "node": node.returncode, "written": written,
                            "size": size, "errno": errno, "fsize": resource.getrlimit(resource.RLIMIT_FSIZE)}
                """);
        Path strayOutput = temp.resolve(id + ".out");
        assertThat(init(worker).path("ok").asBoolean()).isTrue();
        long cap = 16L << 20;

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong largest = new AtomicLong();
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            while (running.get()) {
                largest.accumulateAndGet(size(strayOutput), Math::max);
                sleep(5);
            }
        });
        JsonNode flood;
        try {
            flood = exec(worker, "{\"flood\": true}");
            // The copier may still be reading the last of the pipe.
            sleep(500);
        } finally {
            running.set(false);
            watcher.join();
        }
        largest.accumulateAndGet(size(strayOutput), Math::max);

        // The host drops what is over the cap; the writer sees every write succeed.
        assertThat(flood.path("rc").asInt()).as("the writer finished: " + flood).isZero();
        assertThat(largest.get()).as("the stray-output file at its largest").isLessThanOrEqualTo(cap);
        assertThat(Files.size(strayOutput)).as("what was kept").isEqualTo(cap);

        // The host empties the file after an invocation (the pool's StrayOutput), and output flows again.
        try (FileChannel channel = FileChannel.open(strayOutput, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
        JsonNode normal = exec(worker, "{\"flood\": false}");

        assertThat(normal.path("python").asInt()).isZero();
        assertThat(normal.path("node").asInt()).isZero();
        // /tmp files up to /tmp's size; past it, ENOSPC as on Linux (not EFBIG from RLIMIT_FSIZE).
        assertThat(normal.path("written").asLong()).as(normal.toString()).isEqualTo(cap);
        assertThat(normal.path("size").asLong()).isEqualTo(cap);
        assertThat(normal.path("errno").asInt()).as(normal.toString()).isEqualTo(28);
        assertThat(normal.path("fsize").toString()).isEqualTo("[" + (cap + 4096) + "," + (cap + 4096) + "]");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String printed = Files.readString(strayOutput);
        while (!printed.contains("node child says hi") && System.nanoTime() < deadline) {
            sleep(20);
            printed = Files.readString(strayOutput);
        }
        assertThat(printed).contains("python child says hi\n", "node child says hi\n");
        assertThat(worker.isAlive()).isTrue();

        worker.kill();
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

    /**
     * Whether the OCI rules refuse {@code name} with {@code arg0}: some rule for it whose
     * conditions (masked comparisons of args[0], on all 64 bits as runsc compiles them) all hold.
     */
    private static boolean refuses(JsonNode seccomp, String name, long arg0) {
        for (JsonNode rule : seccomp.path("syscalls")) {
            boolean named = false;
            for (JsonNode each : rule.path("names")) {
                named |= each.asText().equals(name);
            }
            boolean holds = named;
            for (JsonNode arg : rule.path("args")) {
                holds &= (arg0 & arg.path("value").asLong()) == arg.path("valueTwo").asLong();
            }
            if (holds) {
                return true;
            }
        }
        return false;
    }

    /** The instance's pids control group: runsc's on version 1, the one GvisorCgroup makes on version 2. */
    private Path pidsGroup(String id) {
        Path cgroups = Path.of("/sys/fs/cgroup");
        Path v1 = cgroups.resolve("pids").resolve(sandbox.cgroupScope()).resolve(id);
        return Files.isDirectory(v1) ? v1 : cgroups.resolve(sandbox.cgroupScope()).resolve(id);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
