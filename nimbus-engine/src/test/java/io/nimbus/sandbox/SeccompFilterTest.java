package io.nimbus.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seccomp program, checked twice: structurally and through a classic-BPF interpreter in
 * pure Java, then for real, loaded by bubblewrap around a Python probe that makes raw system
 * calls through ctypes. Each probe also runs once without the filter (the control), which
 * shows that the refusals seen with it come from the filter and not from the kernel.
 */
class SeccompFilterTest {
    private static final Path BWRAP = Path.of("/usr/bin/bwrap");
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path NODE = Path.of("/usr/bin/node");
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The descriptor the shell opens the filter on. Not 10: /bin/sh is dash on Debian, and dash
     * reads only one digit before a redirection, so {@code 10<file} there means "pass the
     * argument 10, and read stdin from file", and bwrap then fails with "Can't read seccomp
     * data: Bad file descriptor".
     */
    private static final String FILTER_FD = "9";

    private static final int ALLOW = 0x7FFF0000;
    private static final int EPERM = 0x00050000 | 1;
    private static final int ENOSYS = 0x00050000 | 38;
    private static final int KILL_PROCESS = 0x80000000;
    private static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    private static final int AUDIT_ARCH_I386 = 0x40000003;

    /** The brief's list: every one must be refused with EPERM (personality conditionally). */
    private static final List<String> MUST_REFUSE = List.of(
            "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
            "fspick", "mount_setattr", "ptrace", "process_vm_readv", "process_vm_writev", "kexec_load",
            "kexec_file_load", "bpf", "perf_event_open", "keyctl", "add_key", "request_key", "userfaultfd", "unshare",
            "setns", "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff",
            "open_by_handle_at", "name_to_handle_at", "acct", "quotactl", "quotactl_fd", "lookup_dcookie", "syslog",
            "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname", "iopl",
            "ioperm", "create_module", "get_kernel_syms", "query_module", "nfsservctl", "uselib", "vhangup",
            "pidfd_getfd", "kcmp", "fanotify_init", "io_uring_setup", "io_uring_enter", "io_uring_register", "mbind",
            "set_mempolicy", "migrate_pages", "move_pages");

    private static final int[] NAMESPACE_FLAGS = {
        0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000, 0x00000080};

    // ---------------------------------------------------------------- pure Java

    @Test
    void programIsWholeInstructionsStartingWithTheArchitectureCheck() {
        assumeTrue(SeccompFilter.supported(), "x86_64 Linux only");
        byte[] program = SeccompFilter.program();
        assertThat(program.length % 8).isZero();
        List<Insn> code = decode(program);
        assertThat(code).hasSizeBetween(10, 4096);
        // ld [4] (arch); jeq AUDIT_ARCH_X86_64, go on, else a return of KILL_PROCESS.
        assertThat(code.get(0)).isEqualTo(new Insn(0x20, 0, 0, 4));
        Insn archCheck = code.get(1);
        assertThat(archCheck.code()).isEqualTo(0x15);
        assertThat(archCheck.k()).isEqualTo(AUDIT_ARCH_X86_64);
        assertThat(archCheck.jt()).isZero();
        assertThat(code.get(2 + archCheck.jf())).isEqualTo(new Insn(0x06, 0, 0, KILL_PROCESS));
        // then ld [0] (nr).
        assertThat(code.get(2)).isEqualTo(new Insn(0x20, 0, 0, 0));
    }

    @Test
    void everyJumpLandsInsideTheProgramAndTheProgramEndsWithAReturn() {
        assumeTrue(SeccompFilter.supported(), "x86_64 Linux only");
        List<Insn> code = decode(SeccompFilter.program());
        assertThat(code.getLast().code()).isEqualTo(0x06);
        for (int at = 0; at < code.size(); at++) {
            Insn insn = code.get(at);
            assertThat(insn.code()).as("opcode at %d", at).isIn(0x20, 0x15, 0x35, 0x45, 0x06);
            if ((insn.code() & 0x07) == 0x05) {
                assertThat(at + 1 + insn.jt()).as("jt of %d", at).isLessThan(code.size());
                assertThat(at + 1 + insn.jf()).as("jf of %d", at).isLessThan(code.size());
            } else {
                assertThat(insn.jt()).as("jt of non-jump %d", at).isZero();
                assertThat(insn.jf()).as("jf of non-jump %d", at).isZero();
            }
            if (insn.code() == 0x20) {
                assertThat(insn.k()).as("load offset at %d", at).isIn(0, 4, 16);
            }
        }
    }

    @Test
    void refusesEveryListedSyscallWithEperm() {
        assumeTrue(SeccompFilter.supported(), "x86_64 Linux only");
        List<Insn> code = decode(SeccompFilter.program());
        assertThat(SeccompFilter.refusedSyscalls()).containsAll(MUST_REFUSE.stream()
                .filter(name -> !name.equals("personality")).toList()).contains("clone3").doesNotHaveDuplicates();
        for (String name : SeccompFilter.refusedSyscalls()) {
            int expected = name.equals("clone3") ? ENOSYS : EPERM;
            assertThat(run(code, AUDIT_ARCH_X86_64, SyscallTable.number(name), 0))
                    .as("%s (%d)", name, SyscallTable.number(name)).isEqualTo(expected);
        }
    }

    @Test
    void allowsOrdinarySyscalls() {
        assumeTrue(SeccompFilter.supported(), "x86_64 Linux only");
        List<Insn> code = decode(SeccompFilter.program());
        // read, write, open, close, mmap, getpid, vfork, execve, exit_group, futex, epoll_wait, openat, prlimit64
        for (int nr : new int[] {0, 1, 2, 3, 9, 39, 58, 59, 231, 202, 232, 257, 302}) {
            assertThat(run(code, AUDIT_ARCH_X86_64, nr, 0)).as("nr %d", nr).isEqualTo(ALLOW);
        }
    }

    @Test
    void killsOtherArchitecturesAndRefusesX32() {
        assumeTrue(SeccompFilter.supported(), "x86_64 Linux only");
        List<Insn> code = decode(SeccompFilter.program());
        assertThat(run(code, AUDIT_ARCH_I386, 20, 0)).isEqualTo(KILL_PROCESS);
        assertThat(run(code, 0, 39, 0)).isEqualTo(KILL_PROCESS);
        assertThat(run(code, AUDIT_ARCH_X86_64, 0x40000000 | 39, 0)).isEqualTo(EPERM);
        assertThat(run(code, AUDIT_ARCH_X86_64, 0x40000000 | 1, 0)).isEqualTo(EPERM);
    }

    @Test
    void cloneIsRefusedOnlyWithNamespaceFlags() {
        assumeTrue(SeccompFilter.supported(), "x86_64 Linux only");
        List<Insn> code = decode(SeccompFilter.program());
        int fork = 17; // SIGCHLD
        int thread = 0x3D0F00; // glibc's pthread_create flags
        assertThat(run(code, AUDIT_ARCH_X86_64, 56, fork)).isEqualTo(ALLOW);
        assertThat(run(code, AUDIT_ARCH_X86_64, 56, thread)).isEqualTo(ALLOW);
        assertThat(run(code, AUDIT_ARCH_X86_64, 56, 0x4111)).isEqualTo(ALLOW); // vfork-like
        for (int flag : NAMESPACE_FLAGS) {
            assertThat(run(code, AUDIT_ARCH_X86_64, 56, flag | fork)).as("flag %x", flag).isEqualTo(EPERM);
            assertThat(run(code, AUDIT_ARCH_X86_64, 56, flag | thread)).as("flag %x", flag).isEqualTo(EPERM);
        }
        assertThat(run(code, AUDIT_ARCH_X86_64, 435, 0)).isEqualTo(ENOSYS);
    }

    @Test
    void personalityAllowsOnlyTheDefaultAndTheQuery() {
        assumeTrue(SeccompFilter.supported(), "x86_64 Linux only");
        List<Insn> code = decode(SeccompFilter.program());
        assertThat(run(code, AUDIT_ARCH_X86_64, 135, 0)).isEqualTo(ALLOW);
        assertThat(run(code, AUDIT_ARCH_X86_64, 135, 0xFFFFFFFF)).isEqualTo(ALLOW);
        assertThat(run(code, AUDIT_ARCH_X86_64, 135, 0x0040000)).isEqualTo(EPERM); // ADDR_NO_RANDOMIZE
        assertThat(run(code, AUDIT_ARCH_X86_64, 135, 0x0400000)).isEqualTo(EPERM); // READ_IMPLIES_EXEC
        assertThat(run(code, AUDIT_ARCH_X86_64, 135, 8)).isEqualTo(EPERM); // PER_LINUX32
        assertThat(SeccompFilter.conditionallyRefusedSyscalls()).containsOnlyKeys("clone", "personality");
    }

    @Test
    void writeToIsIdempotentAndLeavesNoTemporaryFiles(@TempDir Path directory) throws IOException {
        assumeTrue(SeccompFilter.supported(), "x86_64 Linux only");
        Path first = SeccompFilter.writeTo(directory.resolve("sandbox"));
        Path second = SeccompFilter.writeTo(directory.resolve("sandbox"));
        assertThat(second).isEqualTo(first);
        assertThat(Files.readAllBytes(first)).isEqualTo(SeccompFilter.program());
        // A damaged file is replaced.
        Files.write(first, new byte[] {1, 2, 3});
        assertThat(SeccompFilter.writeTo(directory.resolve("sandbox"))).isEqualTo(first);
        assertThat(Files.readAllBytes(first)).isEqualTo(SeccompFilter.program());
        try (Stream<Path> files = Files.list(directory.resolve("sandbox"))) {
            assertThat(files.toList()).containsExactly(first);
        }
    }

    @Test
    void supportFollowsTheArchitecture() {
        String arch = System.getProperty("os.arch");
        boolean x86 = System.getProperty("os.name").startsWith("Linux") && (arch.equals("amd64") || arch.equals("x86_64"));
        assertThat(SeccompFilter.supported()).isEqualTo(x86);
        assertThat(SeccompFilter.refusedSyscalls()).isNotEmpty();
    }

    // ---------------------------------------------------------------- under bubblewrap

    /** Python, raw syscalls through ctypes; prints one JSON object of label: "OK" or errno name. */
    private static final String PROBE = """
            import ctypes, errno, json, os, subprocess, threading
            libc = ctypes.CDLL(None, use_errno=True)
            libc.syscall.restype = ctypes.c_long
            libc.syscall.argtypes = [ctypes.c_long] * 7
            MINUS_ONE = (1 << 64) - 1
            out = {}
            keep = []
            def raw(nr, *args):
                args = list(args) + [0] * (6 - len(args))
                ctypes.set_errno(0)
                r = libc.syscall(nr, *args)
                return r, (ctypes.get_errno() if r == -1 else 0)
            def name(e):
                return errno.errorcode.get(e, str(e)) if e else "OK"
            def cstr(s):
                buf = ctypes.create_string_buffer(s)
                keep.append(buf)
                return ctypes.addressof(buf)
            def probe(label, nr, *args):
                out[label] = name(raw(nr, *args)[1])
            def in_child(label, nr, *args):
                # for calls whose success would change the probe itself (ptrace, unshare, personality)
                rfd, wfd = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.write(wfd, name(raw(nr, *args)[1]).encode())
                    os._exit(0)
                os.close(wfd)
                got = os.read(rfd, 64).decode()
                os.close(rfd)
                os.waitpid(pid, 0)
                out[label] = got or "NO_ANSWER"
            def clone_probe(label, flags):
                r, e = raw(56, flags, 0, 0, 0, 0)
                if r == 0:
                    os._exit(0)  # the child: leave at once
                if r > 0:
                    out[label] = "OK" if os.waitstatus_to_exitcode(os.waitpid(r, 0)[1]) == 0 else "CHILD_FAILED"
                else:
                    out[label] = name(e)
            probe("mount_null", 165, 0, 0, 0, 0, 0)
            probe("mount_tmpfs", 165, cstr(b"none"), cstr(b"/tmp"), cstr(b"tmpfs"), 0, 0)
            probe("umount2", 166, cstr(b"/tmp"), 0)
            in_child("unshare_newuser", 272, 0x10000000)
            in_child("unshare_zero", 272, 0)
            in_child("keyctl", 250, 0, MINUS_ONE - 2, 0)
            probe("bpf", 321, 9999, 0, 0)
            in_child("ptrace_traceme", 101, 0, 0, 0, 0)
            probe("perf_event_open", 298, 0, 0, MINUS_ONE, MINUS_ONE, 0)
            probe("clone3", 435, 0, 0)
            probe("personality_query", 135, 0xffffffff)
            in_child("personality_linux", 135, 0)
            in_child("personality_addr_no_randomize", 135, 0x0040000)
            probe("x32_getpid", 0x40000000 | 39)
            for flag_name, flag in [("NEWNS", 0x20000), ("NEWCGROUP", 0x02000000), ("NEWUTS", 0x04000000),
                                    ("NEWIPC", 0x08000000), ("NEWUSER", 0x10000000), ("NEWPID", 0x20000000),
                                    ("NEWNET", 0x40000000), ("NEWTIME", 0x80)]:
                # CLONE_THREAD without CLONE_SIGHAND: the kernel answers EINVAL before it looks at
                # namespaces, so EPERM here can only come from the filter.
                clone_probe("clone_thread_" + flag_name, flag | 0x10000)
            clone_probe("clone_newnet", 0x40000000 | 17)
            clone_probe("clone_fork", 17)
            out["getpid"] = "OK" if raw(39)[0] == os.getpid() else "BAD"
            rfd, wfd = os.pipe()
            out["write"] = "OK" if raw(1, wfd, cstr(b"ping"), 4)[0] == 4 else "BAD"
            buf = ctypes.create_string_buffer(4)
            out["read"] = "OK" if raw(0, rfd, ctypes.addressof(buf), 4)[0] == 4 and buf.raw == b"ping" else "BAD"
            addr, e = raw(9, 0, 4096, 3, 0x22, MINUS_ONE, 0)
            out["mmap"] = name(e) if addr == -1 else "OK"
            pid = os.fork()
            if pid == 0:
                os._exit(7)
            out["os_fork"] = "OK" if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 7 else "BAD"
            seen = []
            t = threading.Thread(target=lambda: seen.append(threading.get_native_id()))
            t.start()
            t.join()
            out["thread"] = "OK" if seen and seen[0] != threading.get_native_id() else "BAD"
            out["subprocess"] = "OK" if subprocess.run(["/bin/true"]).returncode == 0 else "BAD"
            print(json.dumps(out, sort_keys=True))
            """;

    /** Probes where the kernel alone would not say EPERM: with the filter they must. */
    private static final List<String> FILTER_ONLY_EPERM = List.of(
            "mount_null", "unshare_newuser", "unshare_zero", "keyctl", "bpf", "ptrace_traceme", "perf_event_open",
            "personality_addr_no_randomize", "x32_getpid", "clone_thread_NEWNS", "clone_thread_NEWCGROUP",
            "clone_thread_NEWUTS", "clone_thread_NEWIPC", "clone_thread_NEWUSER", "clone_thread_NEWPID",
            "clone_thread_NEWNET", "clone_thread_NEWTIME");

    private static final List<String> MUST_WORK = List.of(
            "getpid", "read", "write", "mmap", "os_fork", "thread", "subprocess", "clone_fork", "personality_query",
            "personality_linux");

    @Test
    void underTheFilterDangerousCallsGetEpermAndOrdinaryOnesWork(@TempDir Path directory) throws Exception {
        Map<String, String> results = probe(directory, true);
        assertThat(results).as("probe output").containsKeys(FILTER_ONLY_EPERM.toArray(String[]::new));
        for (String label : FILTER_ONLY_EPERM) {
            assertThat(results.get(label)).as(label).isEqualTo("EPERM");
        }
        assertThat(results.get("mount_tmpfs")).isEqualTo("EPERM");
        assertThat(results.get("umount2")).isEqualTo("EPERM");
        assertThat(results.get("clone_newnet")).isEqualTo("EPERM");
        assertThat(results.get("clone3")).isEqualTo("ENOSYS");
        for (String label : MUST_WORK) {
            assertThat(results.get(label)).as(label).isEqualTo("OK");
        }
    }

    @Test
    void withoutTheFilterTheSameProbesAreNotRefusedWithEperm(@TempDir Path directory) throws Exception {
        Map<String, String> results = probe(directory, false);
        for (String label : FILTER_ONLY_EPERM) {
            assertThat(results.get(label)).as(label).isNotNull().isNotEqualTo("EPERM");
        }
        assertThat(results.get("clone3")).isNotNull().isNotEqualTo("ENOSYS");
        for (String label : MUST_WORK) {
            assertThat(results.get(label)).as(label).isEqualTo("OK");
        }
    }

    /** The probe through the production chain: bwrap keeps setuid capabilities, setpriv drops them. */
    @Test
    void setprivStillDropsPrivilegesUnderTheFilter(@TempDir Path directory) throws Exception {
        assumeTrue(isRoot(), "bwrap keeps capabilities only when started as root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv is not installed");
        List<String> command = new ArrayList<>(List.of(BWRAP.toString(), "--unshare-pid", "--unshare-ipc",
                "--unshare-uts", "--unshare-net", "--die-with-parent", "--ro-bind", "/", "/", "--dev", "/dev",
                "--proc", "/proc", "--tmpfs", "/tmp", "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add",
                "CAP_SETGID", "--cap-add", "CAP_SETPCAP", "--seccomp", FILTER_FD, "--",
                "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all", "--no-new-privs", "--",
                PYTHON.toString(), "-c", PROBE));
        Map<String, String> results = parse(runWithFilter(directory, command, true));
        for (String label : FILTER_ONLY_EPERM) {
            assertThat(results.get(label)).as(label).isEqualTo("EPERM");
        }
        assertThat(results.get("clone3")).isEqualTo("ENOSYS");
        for (String label : MUST_WORK) {
            assertThat(results.get(label)).as(label).isEqualTo("OK");
        }
    }

    /** A 32-bit call (int 0x80, getpid) from an x86_64 process: the filter kills the process. */
    @Test
    void aThirtyTwoBitSyscallKillsTheProcess(@TempDir Path directory) throws Exception {
        String i386 = """
                import ctypes, mmap, os, resource
                resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
                page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
                page.write(bytes.fromhex("b814000000cd80c3"))  # mov eax, 20; int 0x80; ret
                call = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))
                print("i386 getpid", call() == os.getpid(), flush=True)
                """;
        Result control = runWithFilter(directory, sandboxed(PYTHON.toString(), "-c", i386), false);
        assertThat(control.stdout()).as("without the filter (stderr: %s)", control.stderr())
                .isEqualTo("i386 getpid True\n");
        Result filtered = runWithFilter(directory, sandboxed(PYTHON.toString(), "-c", i386), true);
        assertThat(filtered.stdout()).isEmpty();
        // bwrap reports a child killed by a signal as 128 + the signal: SIGSYS is 31.
        assertThat(filtered.exitCode()).as("exit code (stderr: %s)", filtered.stderr()).isEqualTo(128 + 31);
    }

    /** Node: worker threads and child processes go through glibc's clone3-then-clone fallback. */
    @Test
    void nodeThreadsAndChildProcessesWorkUnderTheFilter(@TempDir Path directory) throws Exception {
        assumeTrue(Files.isExecutable(NODE), "node is not installed");
        String script = """
                const { Worker } = require('worker_threads');
                const { spawnSync } = require('child_process');
                const w = new Worker('require("worker_threads").parentPort.postMessage(6 * 7)', { eval: true });
                w.on('message', (answer) => {
                  const child = spawnSync('/bin/true');
                  console.log(JSON.stringify({ worker: answer, child: child.status, error: String(child.error) }));
                  w.terminate();
                });
                """;
        Result result = runWithFilter(directory, sandboxed(NODE.toString(), "-e", script), true);
        assertThat(result.exitCode()).as("stderr: %s", result.stderr()).isZero();
        assertThat(JSON.readTree(result.stdout()).toString()).isEqualTo("{\"worker\":42,\"child\":0,\"error\":\"undefined\"}");
    }

    // ---------------------------------------------------------------- helpers

    private record Insn(int code, int jt, int jf, int k) {
    }

    private static List<Insn> decode(byte[] program) {
        ByteBuffer in = ByteBuffer.wrap(program).order(ByteOrder.LITTLE_ENDIAN);
        List<Insn> code = new ArrayList<>();
        while (in.remaining() >= 8) {
            code.add(new Insn(Short.toUnsignedInt(in.getShort()), Byte.toUnsignedInt(in.get()),
                    Byte.toUnsignedInt(in.get()), in.getInt()));
        }
        assertThat(in.remaining()).isZero();
        return code;
    }

    /** Runs the program on a seccomp_data of (nr, arch, args[0] low word); the filter's verdict. */
    private static int run(List<Insn> code, int arch, int nr, int arg0Low) {
        int accumulator = 0;
        int pc = 0;
        while (true) {
            assertThat(pc).as("program counter").isBetween(0, code.size() - 1);
            Insn insn = code.get(pc);
            switch (insn.code()) {
                case 0x20 -> accumulator = switch (insn.k()) {
                    case 0 -> nr;
                    case 4 -> arch;
                    case 16 -> arg0Low;
                    default -> throw new AssertionError("load of offset " + insn.k());
                };
                case 0x15 -> pc += accumulator == insn.k() ? insn.jt() : insn.jf();
                case 0x35 -> pc += Integer.compareUnsigned(accumulator, insn.k()) >= 0 ? insn.jt() : insn.jf();
                case 0x45 -> pc += (accumulator & insn.k()) != 0 ? insn.jt() : insn.jf();
                case 0x06 -> {
                    return insn.k();
                }
                default -> throw new AssertionError("opcode " + Integer.toHexString(insn.code()) + " at " + pc);
            }
            pc++;
        }
    }

    private static List<String> sandboxed(String... command) {
        List<String> bwrap = new ArrayList<>(List.of(BWRAP.toString(), "--unshare-all", "--die-with-parent",
                "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                "--unshare-user", "--uid", "65534", "--disable-userns"));
        bwrap.addAll(List.of(command));
        return bwrap;
    }

    private static Map<String, String> probe(Path directory, boolean withFilter) throws Exception {
        return parse(runWithFilter(directory, sandboxed(PYTHON.toString(), "-c", PROBE), withFilter));
    }

    private static Map<String, String> parse(Result probe) throws IOException {
        assertThat(probe.exitCode()).as("probe exit code (stderr: %s)", probe.stderr()).isZero();
        return JSON.readValue(probe.stdout(), new TypeReference<>() { });
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    /**
     * Runs a bwrap command line through /bin/sh, which opens the filter file on
     * {@link #FILTER_FD}; with the filter, {@code --seccomp FD} goes in right after "bwrap"
     * (unless the command line already has it).
     */
    private static Result runWithFilter(Path directory, List<String> bwrapCommand, boolean withFilter)
            throws Exception {
        assumeTrue(SeccompFilter.supported(), "x86_64 Linux only");
        assumeTrue(Files.isExecutable(BWRAP), "bubblewrap is not installed");
        assumeTrue(Files.isExecutable(PYTHON), "/usr/bin/python3 is not installed");
        List<String> command = new ArrayList<>(bwrapCommand);
        if (!withFilter) {
            int at = command.indexOf("--seccomp");
            if (at >= 0) {
                command.subList(at, at + 2).clear();
            }
        } else if (!command.contains("--seccomp")) {
            command.addAll(1, List.of("--seccomp", FILTER_FD));
        }
        Path filter = SeccompFilter.writeTo(directory.resolve("filter"));
        List<String> shell = new ArrayList<>(List.of("/bin/sh", "-c",
                withFilter ? "filter=$1; shift; exec \"$@\" " + FILTER_FD + "<\"$filter\"" : "shift; exec \"$@\"",
                "probe", filter.toString()));
        shell.addAll(command);
        Path stdout = Files.createTempFile(directory, "stdout-", ".txt");
        Path stderr = Files.createTempFile(directory, "stderr-", ".txt");
        Process process = new ProcessBuilder(shell).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) { // a hang guard, not a measurement
            process.destroyForcibly();
            fail("the sandboxed command did not finish: " + command);
        }
        return new Result(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }

    private static boolean isRoot() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("/usr/bin/id", "-u").start();
        String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        id.waitFor();
        return uid.equals("0");
    }
}
