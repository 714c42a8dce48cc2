package io.nimbus.sandbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The seccomp filter every sandboxed worker runs under, as the compiled classic-BPF program
 * that {@code bwrap --seccomp FD} loads: an array of {@code struct sock_filter} (u16 code,
 * u8 jt, u8 jf, u32 k; 8 bytes each, little-endian, no header). x86_64 only.
 *
 * <p>The program, in order:
 * <ol>
 *   <li>a non-x86_64 {@code seccomp_data.arch} (a 32-bit {@code int 0x80} call, say) kills
 *       the process: the rules below are written in x86_64 numbers and would mean nothing
 *       for another table;</li>
 *   <li>x32 calls ({@code nr >= 0x40000000}) get EPERM: a second numbering of the same
 *       kernel entry points, which would otherwise walk around every rule;</li>
 *   <li>{@code clone} gets EPERM when its flags ask for a new namespace (threads and fork
 *       still work);</li>
 *   <li>{@code clone3} gets ENOSYS. Its flags live in a struct in user memory (args[0]
 *       is a pointer) and seccomp sees only the argument registers, so no filter can tell
 *       a thread from a new user namespace; EPERM would break thread creation, while
 *       ENOSYS ("this kernel has no clone3") makes glibc's pthread_create and posix_spawn
 *       (which try clone3 first since glibc 2.34), and so Python, Node and the JVM, fall
 *       back to clone, whose flags are a register the filter checks. Docker's default
 *       profile and Chromium's sandbox do the same;</li>
 *   <li>{@code personality} is allowed only as the query, {@code personality(0xffffffff)},
 *       and as {@code personality(0)} (PER_LINUX, the default): other personas such as
 *       ADDR_NO_RANDOMIZE switch off address-space randomisation for the children, and
 *       READ_IMPLIES_EXEC makes every readable mapping executable;</li>
 *   <li>the {@linkplain #refusedSyscalls() refused calls} get EPERM; why, group by group,
 *       is in the comments of {@code REFUSED} below (copied into docs/security.md);</li>
 *   <li>everything else is allowed.</li>
 * </ol>
 *
 * <p>Most refused calls need a capability the worker does not have anyway; the filter is the
 * second wall, for the day a capability or a kernel bug lets one through, and the first wall
 * for the calls any user may make (keyctl, bpf, perf_event_open, userfaultfd, io_uring,
 * ptrace, process_vm_*).
 *
 * <p>The checks are a linear chain of comparisons. That costs nothing in steady state: since
 * Linux 5.11 the kernel works out, per syscall number, whether the filter allows it whatever
 * the arguments, and skips running it for those (read, write, futex, epoll_wait...).
 */
public final class SeccompFilter {

    // seccomp_data offsets (include/uapi/linux/seccomp.h): int nr; u32 arch; u64 ip; u64 args[6].
    static final int OFFSET_NR = 0;
    static final int OFFSET_ARCH = 4;
    /** Low 32 bits of args[0] on a little-endian machine. */
    static final int OFFSET_ARG0_LOW = 16;

    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    static final int X32_SYSCALL_BIT = 0x40000000;

    static final int SECCOMP_RET_KILL_PROCESS = 0x80000000;
    static final int SECCOMP_RET_ERRNO = 0x00050000;
    static final int SECCOMP_RET_ALLOW = 0x7FFF0000;
    static final int EPERM = 1;
    static final int ENOSYS = 38;

    // Classic BPF opcodes (include/uapi/linux/filter.h, bpf_common.h).
    static final int BPF_LD_W_ABS = 0x00 | 0x00 | 0x20;   // BPF_LD | BPF_W | BPF_ABS
    static final int BPF_JEQ_K = 0x05 | 0x10 | 0x00;      // BPF_JMP | BPF_JEQ | BPF_K
    static final int BPF_JGE_K = 0x05 | 0x30 | 0x00;      // BPF_JMP | BPF_JGE | BPF_K
    static final int BPF_JSET_K = 0x05 | 0x40 | 0x00;     // BPF_JMP | BPF_JSET | BPF_K
    static final int BPF_RET_K = 0x06 | 0x00;             // BPF_RET | BPF_K
    /** The kernel refuses longer classic programs. */
    static final int BPF_MAXINSNS = 4096;

    /**
     * clone flags that create a namespace. The kernel reads only the low 32 bits of clone's
     * flags (lower_32_bits(clone_flags)), so checking those is complete. CLONE_NEWTIME
     * (0x80) overlaps the exit-signal byte of clone() and can really only be asked for
     * through clone3 or unshare, both refused; it is in the mask anyway, which refuses only
     * exit signals 128..255, invalid in any case.
     */
    static final int CLONE_NAMESPACE_FLAGS = 0x00020000   // CLONE_NEWNS
            | 0x02000000                                    // CLONE_NEWCGROUP
            | 0x04000000                                    // CLONE_NEWUTS
            | 0x08000000                                    // CLONE_NEWIPC
            | 0x10000000                                    // CLONE_NEWUSER
            | 0x20000000                                    // CLONE_NEWPID
            | 0x40000000                                    // CLONE_NEWNET
            | 0x00000080;                                   // CLONE_NEWTIME

    /** personality(2) arguments that stay allowed: PER_LINUX and the query. */
    static final int PERSONALITY_LINUX = 0;
    static final int PERSONALITY_QUERY = 0xFFFFFFFF;

    private record Group(String why, List<String> syscalls) {
    }

    /** Refused with EPERM, always. Each group says why; this list is docs/security.md's. */
    private static final List<Group> REFUSED = List.of(
            // Mount family: would let a function remount, unmount or re-root the filesystem
            // view bubblewrap built (read-only code, private /tmp) or escape it.
            new Group("change or escape the sandbox's filesystem view",
                    List.of("mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
                            "fsconfig", "fsmount", "fspick", "mount_setattr")),
            // Namespaces: new namespaces (user namespaces above all) hand a process
            // privileges over fresh kernel objects, the route of many local root exploits;
            // setns would join another process's. clone's flags are checked separately.
            new Group("create or join namespaces",
                    List.of("unshare", "setns")),
            // Other processes: read or write another process's memory, steal its file
            // descriptors, or compare kernel objects across processes (kcmp leaks kernel
            // pointer order, a KASLR aid).
            new Group("reach into another process",
                    List.of("ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "pidfd_getfd",
                            "kcmp")),
            // Kernel code and reboot: load, unload or replace the running kernel, or restart
            // the machine. create_module, get_kernel_syms and query_module are long gone but
            // still hold numbers.
            new Group("load kernel code or restart the machine",
                    List.of("kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
                            "create_module", "get_kernel_syms", "query_module", "reboot")),
            // Large kernel attack surfaces open to unprivileged users: eBPF (verifier bugs),
            // perf events (kernel pointers, a history of exploits), userfaultfd (stalls the
            // kernel on a page fault, the usual way to win a race in an exploit), io_uring
            // (its own path into most of the kernel; disabled by Google on ChromeOS, Android
            // and its servers after many bugs), fanotify (watches whole filesystems).
            new Group("expose large, exploit-prone kernel interfaces",
                    List.of("bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
                            "io_uring_register", "fanotify_init")),
            // Keyrings: the kernel keyring is not namespaced, so keys could cross between
            // workers sharing a uid; it also has a record of exploitable bugs.
            new Group("use the kernel keyrings, which are not namespaced",
                    List.of("keyctl", "add_key", "request_key")),
            // File handles: open_by_handle_at opens a file by inode handle, without a path,
            // so without the mount's boundaries (the 2014 "shocker" container escape).
            new Group("open files by handle, bypassing paths",
                    List.of("open_by_handle_at", "name_to_handle_at")),
            // Host-wide state: the clock, host and domain names, swap, process accounting,
            // disk quotas, the kernel log (kernel addresses) and the terminal.
            new Group("change host-wide state or read the kernel log",
                    List.of("settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname",
                            "setdomainname", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog",
                            "vhangup")),
            // Hardware and segments: raw I/O port access, and the local descriptor table
            // (modify_ldt: 16-bit segments, a source of kernel bugs, unused by 64-bit runtimes).
            new Group("touch I/O ports or segment descriptors",
                    List.of("iopl", "ioperm", "modify_ldt")),
            // NUMA placement: pin or move memory between nodes, for this process or (through
            // migrate_pages and move_pages) for others, degrading neighbours on the host.
            new Group("move memory between NUMA nodes",
                    List.of("mbind", "set_mempolicy", "migrate_pages", "move_pages", "set_mempolicy_home_node")),
            // Obsolete interfaces no runtime uses: pure attack surface.
            new Group("obsolete interfaces",
                    List.of("uselib", "nfsservctl", "_sysctl", "ustat", "sysfs", "lookup_dcookie")));

    private SeccompFilter() {
    }

    /** Whether the filter can be built for this machine: Linux on x86_64. */
    public static boolean supported() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64"));
    }

    /**
     * The compiled program (a fresh copy; computed once).
     *
     * @throws UnsupportedOperationException when {@link #supported()} is false
     */
    public static byte[] program() {
        requireSupported();
        return Compiled.PROGRAM.clone();
    }

    /**
     * The syscalls refused outright, in the order of their groups: EPERM for all but
     * {@code clone3}, which gets ENOSYS. {@link #conditionallyRefusedSyscalls()} lists the
     * ones refused for some arguments only. Available on any architecture.
     */
    public static List<String> refusedSyscalls() {
        List<String> names = new ArrayList<>();
        REFUSED.forEach(group -> names.addAll(group.syscalls()));
        names.add("clone3");
        return List.copyOf(names);
    }

    /** Syscalls refused (EPERM) for some arguments only, with the condition. */
    public static Map<String, String> conditionallyRefusedSyscalls() {
        Map<String, String> rules = new LinkedHashMap<>();
        rules.put("clone", "refused when its flags ask for a new namespace (CLONE_NEW*)");
        rules.put("personality", "allowed only as personality(0) and the query personality(0xffffffff)");
        return Collections.unmodifiableMap(rules);
    }

    /**
     * Writes the program under {@code directory} for bwrap and returns its path. The name
     * holds a hash of the content ({@code seccomp-<hash>.bpf}), so a changed filter never
     * overwrites one a running sandbox may still be opening; writing is a rename of a
     * complete temporary file, so a reader never sees half a program. Idempotent: an
     * existing file with the right content is left alone.
     */
    public static Path writeTo(Path directory) throws IOException {
        byte[] program = program();
        Files.createDirectories(directory);
        Path target = directory.resolve(Compiled.FILE_NAME);
        if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), program)) {
            return target;
        }
        Path temporary = Files.createTempFile(directory, ".seccomp-", ".tmp");
        try {
            Files.write(temporary, program);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
        return target;
    }

    private static void requireSupported() {
        if (!supported()) {
            throw new UnsupportedOperationException("the seccomp filter is built for x86_64 Linux only; this is "
                    + System.getProperty("os.name") + " on " + System.getProperty("os.arch"));
        }
    }

    /** Built on first use, so that supported() and refusedSyscalls() never build it. */
    private static final class Compiled {
        static final byte[] PROGRAM = build();
        static final String FILE_NAME = "seccomp-" + sha256(PROGRAM).substring(0, 16) + ".bpf";
    }

    private static byte[] build() {
        Assembler asm = new Assembler();
        // 1. Architecture.
        asm.load(OFFSET_ARCH);
        asm.jump(BPF_JEQ_K, AUDIT_ARCH_X86_64, null, "kill");
        // 2. The x32 ABI.
        asm.load(OFFSET_NR);
        asm.jump(BPF_JGE_K, X32_SYSCALL_BIT, "eperm", null);
        // 3. Calls with their own rules, then the refused ones.
        asm.jump(BPF_JEQ_K, SyscallTable.number("clone"), "clone", null);
        // clone3: ENOSYS, so that libc falls back to clone (see the class comment).
        asm.jump(BPF_JEQ_K, SyscallTable.number("clone3"), "enosys", null);
        asm.jump(BPF_JEQ_K, SyscallTable.number("personality"), "personality", null);
        Set<Integer> seen = new HashSet<>();
        for (Group group : REFUSED) {
            for (String name : group.syscalls()) {
                int number = SyscallTable.number(name);
                if (!seen.add(number)) {
                    throw new IllegalStateException("syscall listed twice: " + name);
                }
                asm.jump(BPF_JEQ_K, number, "eperm", null);
            }
        }
        asm.ret(SECCOMP_RET_ALLOW);
        // clone: namespace flags in the low word of args[0].
        asm.label("clone");
        asm.load(OFFSET_ARG0_LOW);
        asm.jump(BPF_JSET_K, CLONE_NAMESPACE_FLAGS, "eperm", "allow");
        // personality: PER_LINUX and the query only.
        asm.label("personality");
        asm.load(OFFSET_ARG0_LOW);
        asm.jump(BPF_JEQ_K, PERSONALITY_LINUX, "allow", null);
        asm.jump(BPF_JEQ_K, PERSONALITY_QUERY, "allow", "eperm");
        // Shared returns.
        asm.label("eperm");
        asm.ret(SECCOMP_RET_ERRNO | EPERM);
        asm.label("enosys");
        asm.ret(SECCOMP_RET_ERRNO | ENOSYS);
        asm.label("kill");
        asm.ret(SECCOMP_RET_KILL_PROCESS);
        asm.label("allow");
        asm.ret(SECCOMP_RET_ALLOW);
        return asm.assemble();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A two-pass classic-BPF assembler: jumps name labels, resolved at the end into the
     * 8-bit forward offsets the format allows (target = next instruction + offset). A jump
     * that would be backward or farther than 255 is a build error, not a silent wrap.
     */
    private static final class Assembler {
        private record Instruction(int code, String ifTrue, String ifFalse, int k) {
        }

        private final List<Instruction> instructions = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();

        void load(int offset) {
            instructions.add(new Instruction(BPF_LD_W_ABS, null, null, offset));
        }

        /** A conditional jump; a null label means the next instruction. */
        void jump(int code, int k, String ifTrue, String ifFalse) {
            instructions.add(new Instruction(code, ifTrue, ifFalse, k));
        }

        void ret(int value) {
            instructions.add(new Instruction(BPF_RET_K, null, null, value));
        }

        void label(String name) {
            if (labels.putIfAbsent(name, instructions.size()) != null) {
                throw new IllegalStateException("label defined twice: " + name);
            }
        }

        byte[] assemble() {
            if (instructions.size() > BPF_MAXINSNS) {
                throw new IllegalStateException("program too long: " + instructions.size() + " instructions");
            }
            if (instructions.getLast().code() != BPF_RET_K) {
                throw new IllegalStateException("program must end with a return");
            }
            ByteBuffer out = ByteBuffer.allocate(instructions.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int at = 0; at < instructions.size(); at++) {
                Instruction instruction = instructions.get(at);
                out.putShort((short) instruction.code());
                out.put((byte) offset(at, instruction.ifTrue()));
                out.put((byte) offset(at, instruction.ifFalse()));
                out.putInt(instruction.k());
            }
            return out.array();
        }

        private int offset(int from, String label) {
            if (label == null) {
                return 0;
            }
            Integer target = labels.get(label);
            if (target == null) {
                throw new IllegalStateException("undefined label: " + label);
            }
            int offset = target - from - 1;
            if (offset < 0 || offset > 255) {
                throw new IllegalStateException("jump from " + from + " to " + label + " (" + target
                        + ") does not fit classic BPF's 8-bit offset: " + offset);
            }
            return offset;
        }
    }
}
