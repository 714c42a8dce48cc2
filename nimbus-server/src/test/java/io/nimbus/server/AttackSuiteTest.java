package io.nimbus.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The attack suite: every attack is a real hostile function, deployed and invoked through
 * the API of a real server, once per isolation backend. Each test asserts that the attack
 * is contained (from what the hostile function itself observed, and where possible from the
 * host's side too), that a well-behaved function invoked at the same time answers correctly,
 * and that the server is still ready afterwards.
 *
 * <p>The hostile functions report what they saw (errno values, exception texts, file lists)
 * as their JSON result; the assertions are on those observations, never merely on "the
 * invocation did not crash".
 *
 * <p>Backends: {@code namespace} (bubblewrap, a control group, seccomp) and {@code gvisor}.
 * Where the two legitimately differ (gVisor emulates some system calls rather than refusing
 * them; the host cannot see processes inside a gVisor sandbox) the test says so where it
 * branches. A server without gVisor answers {@code 400 IsolationUnavailable} when a gvisor
 * function is created: those cases fail, on purpose, until the backend exists.
 */
class AttackSuiteTest {
    private static final String PYTHON = "python3.11";
    private static final String NODE = "nodejs20";
    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int ESRCH = 3;
    private static final int EAGAIN = 11;
    private static final int EACCES = 13;
    private static final int EEXIST = 17;
    private static final int ENODEV = 19;
    private static final int EINVAL = 22;
    private static final int ENOSPC = 28;
    private static final int EROFS = 30;
    private static final int ENOSYS = 38;
    private static final int EOPNOTSUPP = 95;
    private static final int ENETUNREACH = 101;
    private static final int ECONNREFUSED = 111;
    private static final int EHOSTUNREACH = 113;
    private static final String TRUNCATION_MARKER = "[nimbus: log truncated at 65536 bytes]";
    /**
     * The variables a worker starts with (docs/api.md, "Environment"), with their documented
     * values, and the working directory its shell records. A server variable of the same name
     * is not a leak as long as the sandbox has the documented value, not the server's.
     */
    private static final Map<String, String> PLATFORM_ENV = Map.of("PATH", "/usr/local/bin:/usr/bin:/bin",
            "LANG", "C.UTF-8", "HOME", "/tmp", "PYTHONDONTWRITEBYTECODE", "1", "PYTHONUNBUFFERED", "1",
            "NODE_ENV", "production", "PWD", "/var/function");
    private static final Duration LEFTOVER_WAIT = Duration.ofSeconds(10);

    private static RunningNimbus nimbus;
    private static ApiClient api;
    private static final long SERVER_PID = ProcessHandle.current().pid();
    private static final Map<String, String> GOOD_FUNCTIONS = new ConcurrentHashMap<>();
    /** Command-line markers of the processes the hostile functions start, for the host-side scans and the cleanup. */
    private static final Set<String> MARKERS = ConcurrentHashMap.newKeySet();
    private static final AtomicLong MARKER_SEQUENCE = new AtomicLong(ProcessHandle.current().pid() % 1000 * 1000);

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start();
        api = nimbus.client();
    }

    @AfterAll
    static void stop() {
        try {
            // Should a containment test fail, do not leave its sleepers behind on this machine.
            for (String marker : MARKERS) {
                hostProcessesWith(marker).keySet().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            }
        } finally {
            nimbus.close();
        }
    }

    static Stream<String> isolations() {
        return Stream.of("namespace", "gvisor");
    }

    // ------------------------------------------------------------------ reading secrets

    private static final String READ_SECRETS = """
            import os, sys

            def try_read(path):
                try:
                    with open(path, 'rb') as f:
                        return {'ok': True, 'content': f.read(65536).decode('latin-1')}
                except OSError as e:
                    return {'ok': False, 'errno': e.errno, 'error': str(e)}

            def try_list(path):
                try:
                    return {'ok': True, 'entries': sorted(os.listdir(path))}
                except OSError as e:
                    return {'ok': False, 'errno': e.errno, 'error': str(e)}

            def find_files_containing(needle):
                # Everything this sandbox can see, but the kernel's views and the shared runtime.
                skip = ('/proc', '/sys', '/dev', '/usr', sys.base_prefix)
                found, scanned = [], 0
                for root, dirs, files in os.walk('/'):
                    dirs[:] = [d for d in dirs if not os.path.join(root, d).startswith(skip)]
                    for name in files:
                        path = os.path.join(root, name)
                        scanned += 1
                        if scanned > 20000:
                            return found, scanned
                        try:
                            with open(path, 'rb') as f:
                                if needle.encode() in f.read(1 << 20):
                                    found.append(path)
                        except OSError:
                            pass
                return found, scanned

            def handler(event):
                fds = {}
                for fd in os.listdir('/proc/self/fd'):
                    try:
                        fds[fd] = os.readlink('/proc/self/fd/' + fd)
                    except OSError as e:
                        fds[fd] = 'errno %d' % e.errno
                reads = {path: try_read(path) for path in event['read']}
                lists = {path: try_list(path) for path in event['forbidden_lists']}
                # A descriptor inherited from the host that is (or sits in) a host directory would be a way out.
                for fd in fds:
                    lists['/proc/self/fd/%s/..' % fd] = try_list('/proc/self/fd/%s/..' % fd)
                    reads['/proc/self/fd/%s/../nimbus.db' % fd] = try_read('/proc/self/fd/%s/../nimbus.db' % fd)
                visible = {path: try_list(path) for path in event['visible_lists']}
                found, scanned = find_files_containing(event['needle'])
                return {'reads': reads, 'lists': lists, 'visible': visible, 'fds': fds,
                        'files_with_secret': found, 'scanned': scanned}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void shadowTheDataDirectoryAndAnotherFunctionsCodeAreUnreadable(String isolation) {
        String secret = "NIMBUS-VICTIM-SECRET-" + UUID.randomUUID();
        JsonNode victim = api.createFunction("victim-" + isolation, PYTHON,
                "SECRET = '" + secret + "'\ndef handler(event):\n    return len(SECRET)\n", Map.of("isolation", isolation));
        String victimHash = victim.path("code_hash").asText();
        assertThat(victimHash).hasSize(64);
        assertThat(api.invoke("victim-" + isolation, "{}").status()).as("the victim runs (and so its code is on disk)")
                .isEqualTo(200);
        assertThat(nimbus.dataDir().resolve("code").resolve(victimHash).resolve("main.py"))
                .as("the victim's code is on the host where the attack looks for it").exists();
        String attacker = deploy(isolation, "read-secrets", PYTHON, READ_SECRETS, Map.of());
        String dataDir = nimbus.dataDir().toString();
        List<String> reads = List.of("/etc/shadow", "/etc/gshadow", "/proc/1/root/etc/shadow",
                "/proc/" + SERVER_PID + "/root/etc/shadow", "/proc/" + SERVER_PID + "/cwd/pom.xml",
                dataDir + "/nimbus.db", dataDir + "/code/" + victimHash + "/main.py",
                "/var/function/../" + victimHash + "/main.py", "/var/function/../../code/" + victimHash + "/main.py",
                "/var/function/../.." + dataDir + "/nimbus.db", "/proc/1/root" + dataDir + "/nimbus.db");
        List<String> forbiddenLists = List.of(dataDir, dataDir + "/code", dataDir + "/instances",
                "/proc/1/root" + dataDir, "/proc/" + SERVER_PID + "/root", "/proc/" + SERVER_PID + "/cwd");
        List<String> visibleLists = List.of("/", "/var", "/var/function/..", "/tmp");

        assertContainedAndServing(isolation, () -> {
            Reply reply = api.invoke(attacker, json(Map.of("read", reads, "forbidden_lists", forbiddenLists,
                    "visible_lists", visibleLists, "needle", "NIMBUS-VICTIM-SECRET")));
            JsonNode seen = observed(reply);

            assertThat(reply.body()).as("the victim's secret never reaches the attacker").doesNotContain(secret);
            assertThat(seen.path("files_with_secret")).as("files holding the victim's secret that the attacker could read: " + seen)
                    .isEmpty();
            assertThat(seen.path("scanned").asInt()).as("the attacker's search ran").isPositive();
            List<String> readable = new ArrayList<>();
            for (String kind : List.of("reads", "lists")) {
                for (Map.Entry<String, JsonNode> attempt : fields(seen.path(kind))) {
                    if (attempt.getValue().path("ok").asBoolean()) {
                        readable.add(attempt.getKey() + " gave " + attempt.getValue());
                    }
                }
            }
            assertThat(fields(seen.path("reads"))).hasSizeGreaterThanOrEqualTo(reads.size());
            assertThat(readable).as("host files and directories the function could read or list").isEmpty();
            for (Map.Entry<String, JsonNode> list : fields(seen.path("visible"))) {
                String entries = list.getValue().path("entries").toString();
                assertThat(entries).as("what %s shows", list.getKey())
                        .doesNotContain(victimHash).doesNotContain("nimbus.db").doesNotContain("\"code\"")
                        .doesNotContain("instances");
            }
            // The function's parent directory holds its own code and the runtime, nothing of the host's.
            List<String> siblings = new ArrayList<>();
            seen.path("visible").path("/var/function/..").path("entries").forEach(entry -> siblings.add(entry.asText()));
            assertThat(siblings).as("the code directory's siblings").isNotEmpty().isSubsetOf("function", "runtime");
        });
    }

    // ------------------------------------------------------------------ writing outside /tmp

    private static final String WRITE_OUTSIDE_TMP = """
            import os, sys

            def attempt(label, action):
                try:
                    action()
                    return {'ok': True}
                except OSError as e:
                    return {'ok': False, 'errno': e.errno, 'error': str(e)}

            def write(path):
                with open(path, 'w') as f:
                    f.write('nimbus-attack-was-here')

            def handler(event):
                paths = list(event['paths']) + [sys.base_prefix + '/nimbus-attack-x',
                                                os.path.dirname(sys.executable) + '/nimbus-attack-x']
                results = {path: attempt(path, lambda: write(path)) for path in paths}
                for path in event['dirs']:
                    results['mkdir ' + path] = attempt(path, lambda: os.mkdir(path))
                write('/tmp/attack-ok')
                with open('/tmp/attack-ok') as f:
                    tmp = f.read()
                return {'results': results, 'tmp': tmp}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void writesOutsideTmpFailAndTmpWorks(String isolation) throws IOException {
        // /tmp (and /dev/shm, for POSIX shared memory) are the function's own: private and size-bounded.
        String attacker = deploy(isolation, "write-outside", PYTHON, WRITE_OUTSIDE_TMP, Map.of());
        Path codeDir = nimbus.dataDir().resolve("code").resolve(functionHash(attacker));
        List<String> paths = List.of("/var/function/nimbus-attack-x", "/var/function/main.py", "/var/runtime/nimbus-attack-x",
                "/var/runtime/bootstrap.py", "/usr/nimbus-attack-x", "/usr/bin/nimbus-attack-x", "/nimbus-attack-x",
                "/etc/nimbus-attack-x", "/var/nimbus-attack-x", "/dev/nimbus-attack-x",
                "/root/nimbus-attack-x", "/proc/nimbus-attack-x", nimbus.dataDir() + "/nimbus-attack-x");
        List<String> dirs = List.of("/etc", "/nimbus-attack-dir", "/var/function/nimbus-attack-dir", "/usr/nimbus-attack-dir");
        // Host files the attack would create or change, were it not contained.
        List<Path> hostPaths = List.of(Path.of("/nimbus-attack-x"), Path.of("/usr/nimbus-attack-x"),
                Path.of("/usr/bin/nimbus-attack-x"), Path.of("/etc/nimbus-attack-x"), Path.of("/var/nimbus-attack-x"),
                Path.of("/root/nimbus-attack-x"), Path.of("/nimbus-attack-dir"), Path.of("/usr/nimbus-attack-dir"),
                nimbus.dataDir().resolve("nimbus-attack-x"), codeDir.resolve("nimbus-attack-x"),
                codeDir.resolve("nimbus-attack-dir"));
        List<Path> existedBefore = hostPaths.stream().filter(Files::exists).toList();

        assertContainedAndServing(isolation, () -> {
            JsonNode seen = observed(api.invoke(attacker, json(Map.of("paths", paths, "dirs", dirs))));

            List<String> written = new ArrayList<>();
            for (Map.Entry<String, JsonNode> attempt : fields(seen.path("results"))) {
                // mkdir of a directory the sandbox already has (gVisor's root has an empty /etc) is EEXIST.
                Set<Integer> refusals = attempt.getKey().startsWith("mkdir ")
                        ? Set.of(EROFS, EACCES, ENOENT, EEXIST) : Set.of(EROFS, EACCES, ENOENT);
                if (attempt.getValue().path("ok").asBoolean() || !refusals.contains(attempt.getValue().path("errno").asInt())) {
                    written.add(attempt.getKey() + " gave " + attempt.getValue());
                }
            }
            assertThat(written).as("writes outside /tmp that were not refused with EROFS, EACCES or ENOENT").isEmpty();
            assertThat(seen.path("tmp").asText()).as("/tmp is the function's to write").isEqualTo("nimbus-attack-was-here");
        });

        for (Path path : hostPaths) {
            if (!existedBefore.contains(path)) {
                assertThat(path).as("created on the host by the attack").doesNotExist();
            }
        }
        assertThat(Files.readString(codeDir.resolve("main.py"))).as("the function's code on the host")
                .isEqualTo(WRITE_OUTSIDE_TMP);
        // Bytes as Latin-1: the Java worker's jar and AOT cache live here too, and the image's
        // training files come and go while it is made in the background.
        try (Stream<Path> bootstraps = Files.walk(nimbus.dataDir().resolve("runtimes"))) {
            for (Path bootstrap : bootstraps.filter(Files::isRegularFile).toList()) {
                byte[] content;
                try {
                    content = Files.readAllBytes(bootstrap);
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue;
                }
                assertThat(new String(content, java.nio.charset.StandardCharsets.ISO_8859_1))
                        .as("the runtime file " + bootstrap).doesNotContain("nimbus-attack");
            }
        }
    }

    // ------------------------------------------------------------------ filling /tmp

    private static final String FILL_TMP = """
            import os

            def handler(event):
                written, errno, error = 0, None, None
                chunk = b'\\xa5' * (1 << 20)
                fd = os.open('/tmp/fill', os.O_WRONLY | os.O_CREAT, 0o600)
                try:
                    while written < event['max_bytes']:
                        written += os.write(fd, chunk)
                except OSError as e:
                    errno, error = e.errno, str(e)
                finally:
                    os.close(fd)
                st = os.statvfs('/tmp')
                return {'written': written, 'errno': errno, 'error': error, 'tmp_bytes': st.f_blocks * st.f_frsize}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void fillingTmpStopsAtItsSizeWithEnospc(String isolation) {
        String attacker = deploy(isolation, "fill-tmp", PYTHON, FILL_TMP, Map.of("ephemeral_storage_mb", 16));
        long limit = 16L << 20;

        assertContainedAndServing(isolation, () -> {
            JsonNode seen = observed(api.invoke(attacker, json(Map.of("max_bytes", 128L << 20))));

            assertThat(seen.path("errno").isNull()).as("the writes must end in an error: " + seen).isFalse();
            assertThat(seen.path("errno").asInt()).as("the error: " + seen).isEqualTo(ENOSPC);
            assertThat(seen.path("written").asLong()).as("bytes written to /tmp: " + seen).isBetween(1L, limit + (1L << 20));
        });
    }

    // ------------------------------------------------------------------ fork bombs

    private static final String PYTHON_FORK_BOMB = """
            import os, time

            def handler(event):
                if event.get('spin'):
                    while True:
                        pass
                children, errno, error = 0, None, None
                for _ in range(event['max']):
                    try:
                        pid = os.fork()
                    except OSError as e:
                        errno, error = e.errno, str(e)
                        break
                    if pid == 0:
                        try:
                            os.execv('/bin/sleep', ['/bin/sleep', event['marker']])
                        finally:
                            os._exit(127)
                    children += 1
                return {'children': children, 'errno': errno, 'error': error}
            """;

    private static final String NODE_FORK_BOMB = """
            const { spawn } = require('child_process');

            function spawnOne(marker) {
              return new Promise((resolve) => {
                let child;
                try {
                  child = spawn('/bin/sleep', [marker], { stdio: 'ignore' });
                } catch (e) {
                  resolve(e.code || String(e));
                  return;
                }
                child.once('spawn', () => resolve(null));
                child.once('error', (e) => resolve(e.code || String(e)));
              });
            }

            exports.handler = async (event) => {
              if (event.spin) { for (;;) {} }
              let children = 0, error = null;
              for (let i = 0; i < event.max; i++) {
                error = await spawnOne(event.marker);
                if (error) break;
                children++;
              }
              return { children, error };
            };
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void aPythonForkBombHitsThePidLimitAndLeavesNothingBehind(String isolation) {
        String attacker = deploy(isolation, "fork-bomb-py", PYTHON, PYTHON_FORK_BOMB,
                Map.of("timeout_sec", 5, "max_instances", 1, "cpus", 1));
        String marker = marker("31337.5");

        assertContainedAndServing(isolation, () -> {
            JsonNode seen = observed(api.invoke(attacker, json(Map.of("max", 1000, "marker", marker))));

            assertThat(seen.path("errno").asInt()).as("fork must fail with EAGAIN: " + seen).isEqualTo(EAGAIN);
            assertThat(seen.path("children").asInt()).as("children forked: " + seen).isBetween(1, 64);
            forkBombLeavesNothingBehind(isolation, attacker, marker, seen.path("children").asInt());
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void aNodeForkBombHitsThePidLimitAndLeavesNothingBehind(String isolation) {
        String attacker = deploy(isolation, "fork-bomb-node", NODE, NODE_FORK_BOMB,
                Map.of("timeout_sec", 5, "max_instances", 1, "cpus", 1));
        String marker = marker("31337.5");

        assertContainedAndServing(isolation, () -> {
            JsonNode seen = observed(api.invoke(attacker, json(Map.of("max", 1000, "marker", marker))));

            assertThat(seen.path("error").asText()).as("spawn must fail with EAGAIN: " + seen).isEqualTo("EAGAIN");
            assertThat(seen.path("children").asInt()).as("children spawned: " + seen).isBetween(1, 64);
            forkBombLeavesNothingBehind(isolation, attacker, marker, seen.path("children").asInt());
        });
    }

    /**
     * The bomb's children still sleep in the (warm) instance; the next invocation spins past
     * the timeout, the instance is killed, and with it every child.
     */
    private static void forkBombLeavesNothingBehind(String isolation, String attacker, String marker, int children) {
        if (isolation.equals("namespace")) {
            // The host sees a namespace sandbox's processes, so the scan below can see them too.
            // (Inside gVisor they live in the sandbox's kernel and never appear on the host.)
            assertThat(awaitHostProcessesWith(marker, children)).as("the bomb's children, seen from the host")
                    .hasSize(children);
        }
        Reply spin = api.invoke(attacker, "{\"spin\": true}");
        assertThat(spin.status()).as("spinning past the timeout: " + spin).isEqualTo(504);
        assertThat(spin.error().path("code").asText()).isEqualTo("Timeout");
        assertThat(awaitNoHostProcessesWith(marker)).as("processes of the fork bomb left on the host").isEmpty();
        Reply after = api.invoke(attacker, json(Map.of("max", 1, "marker", marker("31337.5"))));
        assertThat(after.status()).as("the function runs again: " + after).isEqualTo(200);
    }

    // ------------------------------------------------------------------ memory

    private static final String ALLOCATE = """
            import os

            def handler(event):
                chunks = []
                for _ in range(event.get('allocate_mb', 0) // 8):
                    chunks.append(bytearray(b'\\x01') * (8 << 20))
                return {'allocated_mb': 8 * len(chunks)}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void allocatingPastTheMemoryLimitIsOutOfMemoryAndTheNextCallSucceeds(String isolation) {
        String attacker = deploy(isolation, "allocate", PYTHON, ALLOCATE, Map.of("memory_mb", 128, "timeout_sec", 20));

        assertContainedAndServing(isolation, () -> {
            Reply hog = api.invoke(attacker, "{\"allocate_mb\": 512}");
            Reply after = api.invoke(attacker, "{\"allocate_mb\": 8}");

            assertThat(hog.status()).as("allocating 512 MB under a 128 MB limit: " + hog).isEqualTo(502);
            assertThat(hog.error().path("code").asText()).isEqualTo("OutOfMemory");
            assertThat(after.status()).as("the next invocation: " + after).isEqualTo(200);
            assertThat(after.json().path("allocated_mb").asInt()).isEqualTo(8);
            assertThat(after.header("X-Nimbus-Cold-Start")).isEqualTo("true");
        });
    }

    // ------------------------------------------------------------------ timeout

    private static final String SPIN = """
            import signal

            def handler(event):
                if event.get('spin'):
                    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
                        signal.signal(sig, signal.SIG_IGN)
                    while True:
                        pass
                return 'awake'
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void spinningPastTheTimeoutIsA504AndTheNextCallSucceeds(String isolation) {
        String attacker = deploy(isolation, "spin", PYTHON, SPIN, Map.of("timeout_sec", 1));

        assertContainedAndServing(isolation, () -> {
            Reply spin = api.invoke(attacker, "{\"spin\": true}");
            Reply after = api.invoke(attacker, "{}");

            assertThat(spin.status()).as("spinning: " + spin).isEqualTo(504);
            assertThat(spin.error().path("code").asText()).isEqualTo("Timeout");
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.body()).isEqualTo("\"awake\"");
            assertThat(after.header("X-Nimbus-Cold-Start")).isEqualTo("true");
        });
    }

    // ------------------------------------------------------------------ background processes

    private static final String BACKGROUND = """
            import os, subprocess, time

            def handler(event):
                child = subprocess.Popen(['/bin/sleep', event['marker']], start_new_session=True,
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                # The classic daemon: fork, new session, fork again, the middle one exits.
                middle = os.fork()
                if middle == 0:
                    try:
                        os.setsid()
                        if os.fork() == 0:
                            os.execv('/bin/sleep', ['/bin/sleep', event['daemon_marker']])
                    finally:
                        os._exit(0)
                os.waitpid(middle, 0)
                if event.get('hang'):
                    time.sleep(3600)
                return {'child': child.pid}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void backgroundProcessesEndWithTheirInstance(String isolation) {
        String returns = deploy(isolation, "background-returns", PYTHON, BACKGROUND, Map.of("max_instances", 1));
        String hangs = deploy(isolation, "background-hangs", PYTHON, BACKGROUND, Map.of("max_instances", 1, "timeout_sec", 1));
        String childMarker = marker("31338.5");
        String daemonMarker = marker("31338.6");
        String hangChildMarker = marker("31338.7");
        String hangDaemonMarker = marker("31338.8");

        assertContainedAndServing(isolation, () -> {
            // 1. The handler returns, leaving its processes behind; deleting the function must end them.
            Reply returned = api.invoke(returns, json(Map.of("marker", childMarker, "daemon_marker", daemonMarker)));
            assertThat(returned.status()).as("starting background processes: " + returned).isEqualTo(200);
            if (isolation.equals("namespace")) {
                // Visible from the host, so that the checks below can fail (gVisor's are not).
                assertThat(hostProcessesWith(childMarker)).as("the Popen child, seen from the host").hasSize(1);
                assertThat(awaitHostProcessesWith(daemonMarker, 1)).as("the daemon, seen from the host").hasSize(1);
            }
            Reply deleted = api.delete("/api/v1/functions/" + returns);
            assertThat(deleted.status()).isEqualTo(204);
            assertThat(awaitNoHostProcessesWith(childMarker)).as("the child after the function was deleted").isEmpty();
            assertThat(awaitNoHostProcessesWith(daemonMarker)).as("the daemon after the function was deleted").isEmpty();

            // 2. The handler hangs past its timeout; the kill must take its processes too.
            Reply hung = api.invoke(hangs, json(Map.of("marker", hangChildMarker, "daemon_marker", hangDaemonMarker,
                    "hang", true)));
            assertThat(hung.status()).as("hanging: " + hung).isEqualTo(504);
            assertThat(awaitNoHostProcessesWith(hangChildMarker)).as("the child after the timeout").isEmpty();
            assertThat(awaitNoHostProcessesWith(hangDaemonMarker)).as("the daemon after the timeout").isEmpty();
        });
    }

    // ------------------------------------------------------------------ network

    private static final String CONNECT = """
            import socket

            def handler(event):
                results = {}
                for target in event['targets']:
                    host, port = target.rsplit(':', 1)
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    s.settimeout(3)
                    try:
                        s.connect((host, int(port)))
                        results[target] = {'connected': True}
                    except OSError as e:
                        results[target] = {'connected': False, 'errno': e.errno, 'error': repr(e)}
                    finally:
                        s.close()
                try:
                    socket.getaddrinfo('example.com', 443)
                    dns = 'resolved'
                except OSError as e:
                    dns = repr(e)
                return {'connect': results, 'interfaces': [name for _, name in socket.if_nameindex()], 'dns': dns}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void withNetworkNoneNeitherTheApiNorHostServicesAreReachable(String isolation) throws IOException {
        String attacker = deploy(isolation, "connect", PYTHON, CONNECT, Map.of("network", "none"));
        try (ServerSocket hostService = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"));
             ServerSocket postgresStandIn = bindOrNull(5432)) {
            List<String> targets = new ArrayList<>(List.of("127.0.0.1:" + nimbus.port(), "127.0.0.1:5432",
                    "127.0.0.1:" + hostService.getLocalPort(), "1.1.1.1:53"));
            hostAddresses().forEach(address -> targets.add(address + ":" + hostService.getLocalPort()));

            assertContainedAndServing(isolation, () -> {
                JsonNode seen = observed(api.invoke(attacker, json(Map.of("targets", targets))));

                for (Map.Entry<String, JsonNode> attempt : fields(seen.path("connect"))) {
                    assertThat(attempt.getValue().path("connected").asBoolean())
                            .as("connecting to %s: %s", attempt.getKey(), attempt.getValue()).isFalse();
                    assertThat(attempt.getValue().path("errno").asInt())
                            .as("connecting to %s must be refused or unreachable: %s", attempt.getKey(), attempt.getValue())
                            .isIn(ECONNREFUSED, ENETUNREACH, EHOSTUNREACH);
                }
                assertThat(fields(seen.path("connect"))).hasSize(targets.size());
                assertThat(seen.path("interfaces").toString()).as("network interfaces").isEqualTo("[\"lo\"]");
                assertThat(seen.path("dns").asText()).as("name resolution").isNotEqualTo("resolved");
            });

            assertThat(acceptedAnything(hostService)).as("the host service got a connection").isFalse();
            if (postgresStandIn != null) {
                assertThat(acceptedAnything(postgresStandIn)).as("127.0.0.1:5432 got a connection").isFalse();
            }
        }
    }

    // ------------------------------------------------------------------ host processes

    private static final String HOST_PROCESSES = """
            import ctypes, os, signal

            def errno_of(action):
                try:
                    action()
                    return {'ok': True}
                except OSError as e:
                    return {'ok': False, 'errno': e.errno, 'error': str(e)}

            def handler(event):
                server = event['server_pid']
                pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
                commands = {}
                for pid in pids:
                    try:
                        with open('/proc/%d/cmdline' % pid, 'rb') as f:
                            commands[pid] = f.read().replace(bytes(1), b' ').decode('latin-1')
                    except OSError as e:
                        commands[pid] = 'errno %d' % e.errno
                libc = ctypes.CDLL(None, use_errno=True)
                libc.ptrace.restype = ctypes.c_long
                libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
                ctypes.set_errno(0)
                traced = libc.ptrace(16, server, None, None)  # PTRACE_ATTACH
                trace_errno = ctypes.get_errno()
                return {
                    'pids': pids, 'commands': commands, 'self': os.getpid(),
                    'server_visible': os.path.exists('/proc/%d' % server),
                    'kill_server': errno_of(lambda: os.kill(server, signal.SIGKILL)),
                    'stop_server': errno_of(lambda: os.kill(server, signal.SIGSTOP)),
                    'kill_everyone': errno_of(lambda: os.kill(-1, signal.SIGKILL)),
                    'ptrace': {'ret': traced, 'errno': trace_errno},
                }
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void hostProcessesCanBeNeitherListedSignalledNorTraced(String isolation) {
        String attacker = deploy(isolation, "host-processes", PYTHON, HOST_PROCESSES, Map.of());

        assertContainedAndServing(isolation, () -> {
            JsonNode seen = observed(api.invoke(attacker, json(Map.of("server_pid", SERVER_PID))));

            assertThat(seen.path("pids").size()).as("processes the sandbox can see: " + seen.path("commands")).isBetween(1, 5);
            assertThat(seen.path("commands").toString()).as("commands the sandbox can see")
                    .doesNotContain("java").doesNotContain("surefire").doesNotContain("maven");
            assertThat(seen.path("kill_server").path("ok").asBoolean()).as("SIGKILL to the server: " + seen).isFalse();
            assertThat(seen.path("kill_server").path("errno").asInt()).isIn(ESRCH, EPERM);
            assertThat(seen.path("stop_server").path("ok").asBoolean()).as("SIGSTOP to the server: " + seen).isFalse();
            assertThat(seen.path("stop_server").path("errno").asInt()).isIn(ESRCH, EPERM);
            assertThat(seen.path("ptrace").path("ret").asLong()).as("PTRACE_ATTACH to the server: " + seen).isEqualTo(-1);
            assertThat(seen.path("ptrace").path("errno").asInt()).isIn(ESRCH, EPERM);
            assertThat(ProcessHandle.current().isAlive()).isTrue();
        });
    }

    // ------------------------------------------------------------------ environment

    private static final String PYTHON_ENVIRON = """
            import os

            def handler(event):
                paths = ['/proc/%d/environ' % event['server_pid'], '/proc/1/environ', '/proc/self/environ']
                paths += ['/proc/%s/environ' % p for p in os.listdir('/proc') if p.isdigit()]
                out = {}
                for path in paths:
                    try:
                        with open(path, 'rb') as f:
                            out[path] = {'ok': True, 'content': f.read().decode('latin-1')}
                    except OSError as e:
                        out[path] = {'ok': False, 'errno': e.errno}
                out['os.environ'] = {'ok': True, 'content': chr(0).join(k + '=' + v for k, v in os.environ.items())}
                return out
            """;

    private static final String NODE_ENVIRON = """
            const fs = require('fs');

            exports.handler = async (event) => {
              const paths = [`/proc/${event.server_pid}/environ`, '/proc/1/environ', '/proc/self/environ'];
              for (const p of fs.readdirSync('/proc')) if (/^[0-9]+$/.test(p)) paths.push(`/proc/${p}/environ`);
              const out = {};
              for (const path of paths) {
                try { out[path] = { ok: true, content: fs.readFileSync(path, 'latin1') }; }
                catch (e) { out[path] = { ok: false, code: e.code }; }
              }
              out['process.env'] = { ok: true,
                content: Object.entries(process.env).map(([k, v]) => k + '=' + v).join(String.fromCharCode(0)) };
              return out;
            };
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void theServersEnvironmentCannotBeReadThroughProc(String isolation) {
        String python = deploy(isolation, "environ-py", PYTHON, PYTHON_ENVIRON, Map.of());
        String node = deploy(isolation, "environ-node", NODE, NODE_ENVIRON, Map.of());
        Map<String, String> server = System.getenv();
        assertThat(server.keySet().stream().filter(name -> !PLATFORM_ENV.containsKey(name)))
                .as("this test needs a server environment to look for").isNotEmpty();

        assertContainedAndServing(isolation, () -> {
            for (String function : List.of(python, node)) {
                JsonNode seen = observed(api.invoke(function, json(Map.of("server_pid", SERVER_PID))));
                assertThat(seen.path("/proc/1/environ").isMissingNode()).isFalse();
                for (Map.Entry<String, JsonNode> source : fields(seen)) {
                    String content = source.getValue().path("content").asText("");
                    Map<String, String> seenEnv = environ(content);
                    Set<String> leaked = new TreeSet<>();
                    seenEnv.forEach((name, value) -> {
                        if (PLATFORM_ENV.containsKey(name) ? !PLATFORM_ENV.get(name).equals(value) && value.equals(server.get(name))
                                : server.containsKey(name)) {
                            leaked.add(name);
                        }
                    });
                    assertThat(leaked).as("server variables in %s of %s: %s", source.getKey(), function, content).isEmpty();
                    assertThat(content).as("%s of %s", source.getKey(), function)
                            .doesNotContain("JAVA_HOME").doesNotContain("PATH=/usr/lib/jvm").doesNotContain("/usr/lib/jvm");
                }
            }
        });
    }

    // ------------------------------------------------------------------ refused system calls

    private static final String SYSCALLS = """
            import ctypes, os

            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long

            def call(nr, *args):
                ctypes.set_errno(0)
                ret = libc.syscall(ctypes.c_long(nr), *args)
                return {'ret': ret, 'errno': ctypes.get_errno()}

            def observe(action):
                try:
                    return action()
                except Exception as e:
                    return repr(e)

            def read_shadow():
                try:
                    with open('/etc/shadow', 'rb') as f:
                        return 'read %d bytes' % len(f.read())
                except OSError as e:
                    return 'errno %d' % e.errno

            def status(field):
                with open('/proc/self/status') as f:
                    for line in f:
                        if line.startswith(field + ':'):
                            return line.split(':', 1)[1].strip()

            def handler(event):
                os.makedirs('/tmp/mnt', exist_ok=True)
                c = ctypes
                results = {}
                # In the order an exploit would go: a user namespace first (for capabilities in
                # it), a mount namespace, then mounts; each later call benefits from any earlier success.
                results['unshare(CLONE_NEWUSER)'] = call(272, c.c_ulong(0x10000000))
                results['unshare(CLONE_NEWNS)'] = call(272, c.c_ulong(0x00020000))
                results['mount'] = call(165, c.c_char_p(b'none'), c.c_char_p(b'/tmp/mnt'), c.c_char_p(b'tmpfs'),
                                        c.c_ulong(0), c.c_void_p(None))
                results['umount2'] = call(166, c.c_char_p(b'/var/function'), c.c_int(2))  # MNT_DETACH
                results['setns'] = call(308, c.c_int(0), c.c_int(0))
                # keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, create)
                results['keyctl'] = call(250, c.c_long(0), c.c_long(-3), c.c_long(1))
                results['add_key'] = call(248, c.c_char_p(b'user'), c.c_char_p(b'nimbus'), c.c_char_p(b'x'),
                                          c.c_size_t(1), c.c_long(-3))
                # bpf(BPF_MAP_CREATE, {BPF_MAP_TYPE_ARRAY, key 4, value 4, 1 entry}, size)
                attr = (c.c_uint32 * 30)(2, 4, 4, 1)
                results['bpf'] = call(321, c.c_int(0), c.byref(attr), c.c_uint(c.sizeof(attr)))
                perf = (c.c_uint32 * 32)()
                perf[0], perf[1], perf[2] = 1, 128, 0  # PERF_TYPE_SOFTWARE, size, PERF_COUNT_SW_CPU_CLOCK
                results['perf_event_open'] = call(298, c.byref(perf), c.c_int(0), c.c_int(-1), c.c_int(-1), c.c_ulong(0))
                results['userfaultfd'] = call(323, c.c_int(0))
                params = (c.c_uint8 * 120)()
                results['io_uring_setup'] = call(425, c.c_uint(1), c.byref(params))
                # clone(CLONE_NEWUSER | SIGCHLD) as a fork: a child that got through leaves at once.
                cloned = call(56, c.c_ulong(0x10000000 | 17), c.c_void_p(None), c.c_void_p(None), c.c_void_p(None),
                              c.c_ulong(0))
                if cloned['ret'] == 0:
                    os._exit(0)
                if cloned['ret'] > 0:
                    os.waitpid(cloned['ret'], 0)
                results['clone(CLONE_NEWUSER)'] = cloned
                after = {'euid': observe(os.geteuid), 'shadow': observe(read_shadow),
                         'tmp_mounted': observe(lambda: os.path.ismount('/tmp/mnt')),
                         'code_still_mounted': observe(lambda: os.path.exists('/var/function/main.py')),
                         'cap_eff': observe(lambda: status('CapEff')), 'no_new_privs': observe(lambda: status('NoNewPrivs')),
                         'uid_map': observe(lambda: open('/proc/self/uid_map').read().split())}
                # Last, as it would change what the checks above see.
                results['chroot'] = call(161, c.c_char_p(b'/tmp'))
                return {'results': results, 'after': after}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void mountUnshareKeyctlBpfAndFriendsAreRefused(String isolation) {
        String attacker = deploy(isolation, "syscalls", PYTHON, SYSCALLS, Map.of());

        assertContainedAndServing(isolation, () -> {
            JsonNode seen = observed(api.invoke(attacker, "{}"));

            List<String> allowed = new ArrayList<>();
            for (Map.Entry<String, JsonNode> call : fields(seen.path("results"))) {
                JsonNode result = call.getValue();
                // namespace: the seccomp filter refuses each with EPERM. gvisor: its kernel
                // implements some of these itself, partly or not at all, so EPERM, ENOSYS, EINVAL
                // and the "not here" answers EACCES (keyctl), ENODEV (perf_event_open) and
                // EOPNOTSUPP (setns) are all refusals, provided they change nothing (checked below).
                Set<Integer> refusals = isolation.equals("namespace") ? Set.of(EPERM)
                        : Set.of(EPERM, ENOSYS, EINVAL, EACCES, ENODEV, EOPNOTSUPP);
                if (result.path("ret").asLong() != -1 || !refusals.contains(result.path("errno").asInt())) {
                    allowed.add(call.getKey() + " gave " + result);
                }
            }
            JsonNode after = seen.path("after");
            assertThat(allowed).as("system calls that were not refused; afterwards: " + after).isEmpty();
            assertThat(after.path("euid").asInt()).as("euid after the calls: " + after).isEqualTo(65534);
            assertThat(after.path("shadow").asText()).as("/etc/shadow after the calls").startsWith("errno");
            assertThat(after.path("tmp_mounted").asBoolean()).as("a mount appeared").isFalse();
            assertThat(after.path("code_still_mounted").asBoolean()).as("the code directory is still there").isTrue();
            assertThat(after.path("cap_eff").asText()).as("effective capabilities afterwards").matches("0+");
        });
    }

    // ------------------------------------------------------------------ setuid binaries

    private static final String SETUID = """
            import os, subprocess

            CANDIDATES = [
                ['/usr/bin/su', 'root', '-c', 'id -u'],
                ['/usr/bin/passwd', '-d', 'root'],
                ['/usr/bin/mount', '-t', 'tmpfs', 'none', '/tmp'],
                ['/usr/bin/newgrp', 'root'],
                ['/usr/bin/chsh', '-s', '/bin/sh', 'root'],
                ['/usr/bin/sudo', '-n', 'id', '-u'],
            ]

            def handler(event):
                out = {'euid': os.geteuid(), 'uid': os.getuid(), 'runs': {}}
                for argv in CANDIDATES:
                    if not os.path.exists(argv[0]):
                        continue
                    st = os.stat(argv[0])
                    run = {'setuid_bit': bool(st.st_mode & 0o4000), 'owner': st.st_uid}
                    try:
                        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=5)
                        run.update(rc=p.returncode, stdout=p.stdout.decode('utf-8', 'replace')[:500],
                                   stderr=p.stderr.decode('utf-8', 'replace')[:500])
                    except subprocess.TimeoutExpired:
                        run['timeout'] = True
                    except OSError as e:
                        run.update(rc=-1, errno=e.errno, stderr=str(e))
                    out['runs'][argv[0]] = run
                out['euid_after'] = os.geteuid()
                return out
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void setuidBinariesGiveNoPrivileges(String isolation) {
        String attacker = deploy(isolation, "setuid", PYTHON, SETUID, Map.of());

        assertContainedAndServing(isolation, () -> {
            JsonNode seen = observed(api.invoke(attacker, "{}"));

            assertThat(seen.path("euid").asInt()).isEqualTo(65534);
            assertThat(seen.path("euid_after").asInt()).isEqualTo(65534);
            List<Map.Entry<String, JsonNode>> runs = fields(seen.path("runs"));
            assertThat(runs.stream().filter(run -> run.getValue().path("setuid_bit").asBoolean()))
                    .as("setuid-root binaries the function could run: " + seen).isNotEmpty();
            for (Map.Entry<String, JsonNode> run : runs) {
                JsonNode result = run.getValue();
                assertThat(result.path("rc").asInt(-1)).as("%s must fail: %s", run.getKey(), result).isNotZero();
                assertThat(result.path("stdout").asText().strip()).as("%s's output: %s", run.getKey(), result).isNotEqualTo("0");
                // util-linux names the effective uid when it refuses; it must not be root's.
                assertThat(result.path("stderr").asText()).as("%s: %s", run.getKey(), result).doesNotContain("effective UID is 0");
            }
        });
    }

    // ------------------------------------------------------------------ output floods

    private static final String PRINT = """
            import sys

            def handler(event):
                line = 'x' * ((1 << 20) - 1)
                for _ in range(event['mb']):
                    print(line)
                return {'printed_mb': event['mb']}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void printing100MbIsCutAtTheLogLimit(String isolation) {
        String attacker = deploy(isolation, "print", PYTHON, PRINT, Map.of());

        assertContainedAndServing(isolation, () -> {
            Reply reply = api.invoke(attacker, "{\"mb\": 100}");
            assertThat(reply.status()).as("printing 100 MB: " + reply).isEqualTo(200);
            assertThat(reply.json().path("printed_mb").asInt()).isEqualTo(100);
            String logs = api.get("/api/v1/invocations/" + reply.header("X-Nimbus-Invocation-Id")).json().path("logs").asText();

            assertThat(logs).contains(TRUNCATION_MARKER);
            assertThat(logs.length()).isLessThan(70 * 1024);
        });
    }

    private static final String STRAY_FLOOD = """
            import subprocess

            def handler(event):
                # Straight to the worker's own stdout, past the runtime's capture of print().
                done = subprocess.run(['/bin/sh', '-c', 'head -c %d /dev/zero' % event['bytes']])
                return {'rc': done.returncode}
            """;

    /**
     * A child process writing to the worker's stdout bypasses the runtime's capture. Whatever
     * the host does with that output, a function must not be able to make it take more host
     * storage than the function was given ({@code ephemeral_storage_mb}), nor more than the log
     * limit in its logs.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void aChildProcessPrinting100MbFillsNeitherTheHostDiskNorTheLogs(String isolation) {
        String attacker = deploy(isolation, "stray-flood", PYTHON, STRAY_FLOOD, Map.of("ephemeral_storage_mb", 16));
        long allowed = 16L << 20;
        long before = treeSize(nimbus.dataDir());

        assertContainedAndServing(isolation, () -> {
            // Watch the data directory for as long as the invocation runs.
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong largest = new AtomicLong(before);
            Thread watcher = Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    largest.accumulateAndGet(treeSize(nimbus.dataDir()), Math::max);
                    ApiClient.sleep(20);
                }
            });
            Reply reply;
            try {
                reply = api.invoke(attacker, json(Map.of("bytes", 100L << 20)));
            } finally {
                running.set(false);
                watcher.join();
            }
            JsonNode seen = observed(reply);
            String logs = api.get("/api/v1/invocations/" + reply.header("X-Nimbus-Invocation-Id")).json().path("logs").asText();

            // The writer either finishes or is stopped by the file-size limit (SIGXFSZ, 25); what
            // counts is that the host's disk and the logs stay bounded (to /tmp's size, plus the
            // MiB of slack the limit has and what the store writes meanwhile).
            assertThat(seen.path("rc").asInt()).as("the writer finished or hit the file-size limit").isIn(0, -25);
            assertThat(logs.length()).as("logs of the invocation").isLessThan(70 * 1024);
            assertThat(largest.get() - before).as("host bytes taken in the data directory by the function's output")
                    .isLessThanOrEqualTo(allowed + (2L << 20));
        });
    }

    private static final String PYTHON_BIG_RESULT = """
            def handler(event):
                return 'x' * (event['mb'] << 20)
            """;

    private static final String NODE_BIG_RESULT = """
            exports.handler = async (event) => 'x'.repeat(event.mb * 1024 * 1024);
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void returning20MbIsResponseTooLarge(String isolation) {
        String python = deploy(isolation, "big-result-py", PYTHON, PYTHON_BIG_RESULT, Map.of());
        String node = deploy(isolation, "big-result-node", NODE, NODE_BIG_RESULT, Map.of());

        assertContainedAndServing(isolation, () -> {
            for (String function : List.of(python, node)) {
                Reply big = api.invoke(function, "{\"mb\": 20}");
                Reply small = api.invoke(function, "{\"mb\": 0}");

                assertThat(big.status()).as("%s returning 20 MB: %s", function, abbreviated(big)).isEqualTo(502);
                assertThat(big.error().path("code").asText()).isEqualTo("ResponseTooLarge");
                assertThat(big.body().length()).isLessThan(4096);
                assertThat(small.status()).isEqualTo(200);
                assertThat(small.body()).isEqualTo("\"\"");
            }
        });
    }

    // ------------------------------------------------------------------ the protocol channel

    private static final String PYTHON_CHANNEL = """
            import os

            def handler(event):
                action = event.get('action')
                if action == 'garbage':
                    os.write(4, b'\\xff\\xff\\xff\\xff\\x03garbage, not a frame' * 64)
                elif action == 'close':
                    os.close(4)
                elif action == 'kill':
                    os.kill(os.getpid(), 9)
                return 'clean'
            """;

    private static final String NODE_CHANNEL = """
            const fs = require('fs');

            exports.handler = async (event) => {
              if (event.action === 'garbage') {
                fs.writeSync(4, Buffer.from('\\xff\\xff\\xff\\xff\\x03garbage, not a frame'.repeat(64), 'latin1'));
              } else if (event.action === 'close') {
                fs.closeSync(4);
              } else if (event.action === 'kill') {
                process.kill(process.pid, 'SIGKILL');
              }
              return 'clean';
            };
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void garbageOnTheProtocolChannelCostsOnlyTheInstance(String isolation) {
        String python = deploy(isolation, "garbage-py", PYTHON, PYTHON_CHANNEL, Map.of());
        String node = deploy(isolation, "garbage-node", NODE, NODE_CHANNEL, Map.of());

        assertContainedAndServing(isolation, () -> {
            spoilsOnlyItsInstance(python, "garbage");
            spoilsOnlyItsInstance(node, "garbage");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void closingTheProtocolChannelCostsOnlyTheInstance(String isolation) {
        String python = deploy(isolation, "close-py", PYTHON, PYTHON_CHANNEL, Map.of());
        String node = deploy(isolation, "close-node", NODE, NODE_CHANNEL, Map.of());

        assertContainedAndServing(isolation, () -> {
            spoilsOnlyItsInstance(python, "close");
            spoilsOnlyItsInstance(node, "close");
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void killingItsOwnWorkerCostsOnlyTheInstance(String isolation) {
        String python = deploy(isolation, "suicide-py", PYTHON, PYTHON_CHANNEL, Map.of());
        String node = deploy(isolation, "suicide-node", NODE, NODE_CHANNEL, Map.of());

        assertContainedAndServing(isolation, () -> {
            spoilsOnlyItsInstance(python, "kill");
            spoilsOnlyItsInstance(node, "kill");
        });
    }

    private static void spoilsOnlyItsInstance(String function, String action) {
        assertThat(api.invoke(function, "{}").status()).isEqualTo(200);
        Reply spoiled = api.invoke(function, json(Map.of("action", action)));
        Reply after = api.invoke(function, "{}");

        assertThat(spoiled.status()).as("%s %s: %s", function, action, spoiled).isEqualTo(502);
        assertThat(spoiled.error().path("code").asText()).as("%s %s: %s", function, action, spoiled).isEqualTo("RuntimeExit");
        assertThat(after.status()).as("%s after %s: %s", function, action, after).isEqualTo(200);
        assertThat(after.body()).isEqualTo("\"clean\"");
        assertThat(after.header("X-Nimbus-Cold-Start")).isEqualTo("true");
    }

    // ------------------------------------------------------------------ uploads

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void uploadsWhosePathsEscapeTheFunctionDirectoryAreRefused(String isolation) {
        List<String> escaping = List.of("../x.py", "/etc/x.py", "a/../../x.py", "..", "a/..", "./x.py", "a//x.py",
                "a\\..\\..\\x.py", "C:/x.py");

        assertContainedAndServing(isolation, () -> {
            for (String path : escaping) {
                String name = "escape-" + isolation + "-" + Integer.toHexString(path.hashCode());
                ObjectNode body = ApiClient.JSON.createObjectNode().put("name", name).put("runtime", PYTHON)
                        .put("handler", "main.handler").put("isolation", isolation);
                body.putObject("files").put("main.py", base64("def handler(event):\n    return 1\n"))
                        .put(path, base64("print('escaped')\n"));
                Reply reply = api.post("/api/v1/functions", body.toString());

                assertThat(reply.status()).as("uploading %s: %s", path, reply).isEqualTo(400);
                assertThat(reply.error().path("code").asText()).isEqualTo("InvalidInput");
                assertThat(reply.error().path("field").asText()).isEqualTo("files." + path);
                assertThat(api.get("/api/v1/functions/" + name).status()).isEqualTo(404);
            }
        });
        assertThat(nimbus.dataDir().resolve("x.py")).doesNotExist();
        assertThat(nimbus.dataDir().resolve("code").resolve("x.py")).doesNotExist();
    }

    private static final String READ_LINK_LOOKALIKE = """
            import os

            def handler(event):
                with open('shadow') as f:
                    content = f.read()
                with open('lib/passwd') as f:
                    nested = f.read()
                return {'content': content, 'nested': nested, 'is_link': os.path.islink('shadow'),
                        'nested_is_link': os.path.islink('lib/passwd')}
            """;

    @ParameterizedTest(name = "{0}")
    @MethodSource("isolations")
    void aFileWhoseContentLooksLikeASymlinkTargetIsAPlainFile(String isolation) {
        // The upload format carries file contents only: no symlink can be expressed. A file
        // whose content is a path must arrive as that text, not as a link to the path.
        String name = "link-lookalike-" + isolation;
        ObjectNode body = ApiClient.JSON.createObjectNode().put("name", name).put("runtime", PYTHON)
                .put("handler", "main.handler").put("isolation", isolation);
        body.putObject("files").put("main.py", base64(READ_LINK_LOOKALIKE)).put("shadow", base64("/etc/shadow"))
                .put("lib/passwd", base64("../../../../etc/passwd"));
        Reply created = api.post("/api/v1/functions", body.toString());
        assertThat(created.status()).as("creating " + name + ": " + created).isEqualTo(201);
        Path codeDir = nimbus.dataDir().resolve("code").resolve(created.json().path("code_hash").asText());
        assertThat(Files.isSymbolicLink(codeDir.resolve("shadow"))).as("a symlink on the host").isFalse();

        assertContainedAndServing(isolation, () -> {
            JsonNode seen = observed(api.invoke(name, "{}"));

            assertThat(seen.path("content").asText()).isEqualTo("/etc/shadow");
            assertThat(seen.path("nested").asText()).isEqualTo("../../../../etc/passwd");
            assertThat(seen.path("is_link").asBoolean()).isFalse();
            assertThat(seen.path("nested_is_link").asBoolean()).isFalse();
        });
    }

    // ------------------------------------------------------------------ the harness

    @FunctionalInterface
    interface Attack {
        void run() throws Exception;
    }

    /**
     * Runs the attack (which invokes the hostile function and asserts its containment) while a
     * well-behaved function of the same isolation is invoked again and again, from a virtual
     * thread started at the same moment; then checks every one of those answers and that the
     * server is ready.
     */
    private static void assertContainedAndServing(String isolation, Attack attack) {
        String good = goodFunction(isolation);
        AtomicBoolean attackOver = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        List<String> wrong = Collections.synchronizedList(new ArrayList<>());
        Thread goodCalls = Thread.ofVirtual().name("well-behaved-" + isolation).start(() -> {
            do {
                String nonce = UUID.randomUUID().toString();
                try {
                    Reply reply = api.invoke(good, json(Map.of("nonce", nonce)));
                    if (reply.status() == 200 && reply.json().path("echo").asText().equals(nonce)
                            && reply.json().path("sum").asLong() == 499500) {
                        answered.incrementAndGet();
                    } else {
                        wrong.add(abbreviated(reply));
                    }
                } catch (Throwable e) {
                    wrong.add(e.toString());
                }
                ApiClient.sleep(20);
            } while (!attackOver.get() && wrong.size() < 20);
        });
        Throwable attackFailure = null;
        try {
            attack.run();
        } catch (Throwable e) {
            attackFailure = e;
        } finally {
            attackOver.set(true);
        }
        try {
            goodCalls.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (attackFailure != null) {
            if (!wrong.isEmpty()) {
                attackFailure.addSuppressed(new AssertionError("the well-behaved function also failed: " + wrong));
            }
            if (attackFailure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (attackFailure instanceof Error error) {
                throw error;
            }
            throw new AssertionError(attackFailure);
        }
        assertThat(wrong).as("answers of the well-behaved function invoked during the attack").isEmpty();
        assertThat(answered.get()).as("well-behaved invocations answered during the attack").isPositive();
        Reply ready = api.get("/health/ready");
        assertThat(ready.status()).as("/health/ready after the attack: " + ready).isEqualTo(200);
    }

    private static String goodFunction(String isolation) {
        return GOOD_FUNCTIONS.computeIfAbsent(isolation, iso -> {
            String name = "well-behaved-" + iso;
            api.createFunction(name, PYTHON, """
                    def handler(event):
                        return {'echo': event.get('nonce'), 'sum': sum(range(1000))}
                    """, Map.of("isolation", iso, "max_instances", 2));
            return name;
        });
    }

    private static String deploy(String isolation, String base, String runtime, String code, Map<String, Object> extra) {
        String name = base + "-" + isolation;
        Map<String, Object> settings = new HashMap<>(extra);
        settings.put("isolation", isolation);
        api.createFunction(name, runtime, code, settings);
        return name;
    }

    private static String functionHash(String function) {
        return api.get("/api/v1/functions/" + function).json().path("code_hash").asText();
    }

    /** The hostile function's report of what it saw; it must have answered. */
    private static JsonNode observed(Reply reply) {
        if (reply.status() != 200) {
            fail("the hostile function did not report its observations: " + abbreviated(reply));
        }
        System.out.println("observed: " + abbreviated(reply));
        return reply.json();
    }

    private static String marker(String prefix) {
        String marker = prefix + MARKER_SEQUENCE.incrementAndGet();
        MARKERS.add(marker);
        return marker;
    }

    /** Host processes whose command line contains the marker, by pid. */
    private static Map<Long, String> hostProcessesWith(String marker) {
        Map<Long, String> found = new LinkedHashMap<>();
        ProcessHandle.allProcesses().forEach(process -> {
            String command = commandLine(process);
            if (command.contains(marker)) {
                found.put(process.pid(), command);
            }
        });
        return found;
    }

    private static String commandLine(ProcessHandle process) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
            return new String(raw, StandardCharsets.ISO_8859_1).replace('\0', ' ');
        } catch (IOException | UncheckedIOException e) {
            return process.info().commandLine().orElse("");
        }
    }

    /** Waits (up to {@link #LEFTOVER_WAIT}) for the marker's processes to go; returns those still there. */
    private static Map<Long, String> awaitNoHostProcessesWith(String marker) {
        long deadline = System.nanoTime() + LEFTOVER_WAIT.toNanos();
        Map<Long, String> left = hostProcessesWith(marker);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            ApiClient.sleep(100);
            left = hostProcessesWith(marker);
        }
        return left;
    }

    /** Waits (up to {@link #LEFTOVER_WAIT}) for {@code count} processes with the marker to be there. */
    private static Map<Long, String> awaitHostProcessesWith(String marker, int count) {
        long deadline = System.nanoTime() + LEFTOVER_WAIT.toNanos();
        Map<Long, String> found = hostProcessesWith(marker);
        while (found.size() < count && System.nanoTime() < deadline) {
            ApiClient.sleep(50);
            found = hostProcessesWith(marker);
        }
        return found;
    }

    private static Map<String, String> environ(String content) {
        Map<String, String> variables = new HashMap<>();
        for (String entry : content.split("\0")) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                variables.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        return variables;
    }

    private static List<String> hostAddresses() throws IOException {
        List<String> addresses = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address) {
                        addresses.add(address.getHostAddress());
                    }
                }
            }
        }
        return addresses;
    }

    private static ServerSocket bindOrNull(int port) {
        try {
            return new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            return null; // taken (a real database, perhaps): the attack still tries it
        }
    }

    private static boolean acceptedAnything(ServerSocket server) throws IOException {
        server.setSoTimeout(200);
        try (Socket ignored = server.accept()) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private static long treeSize(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        return new ArrayList<>(node.properties());
    }

    private static String json(Object value) {
        try {
            return ApiClient.JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String abbreviated(Reply reply) {
        String body = reply.body();
        return reply.status() + " " + (body.length() > 2000 ? body.substring(0, 2000) + "... (" + body.length() + " chars)" : body);
    }
}
