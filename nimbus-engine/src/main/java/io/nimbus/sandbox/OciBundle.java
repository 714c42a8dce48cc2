package io.nimbus.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The OCI runtime configuration ({@code config.json}) of one gVisor worker. The root is the
 * shared, read-only skeleton; everything the worker sees besides it is a mount listed here.
 * The seccomp policy is {@link SeccompFilter}'s, in the OCI form (see {@link #seccomp()}).
 */
final class OciBundle {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final List<String> READ_ONLY_BIND = List.of("rbind", "ro", "nosuid", "nodev");
    private static final long PAGE_SIZE = 4096;
    /**
     * Refused by {@link SeccompFilter} but left out of the OCI rules. clone3 is to answer
     * ENOSYS, so that glibc falls back to clone (whose flags the rules check); this runsc
     * (0.0~20221219) reads an OCI rule's action but not its {@code errnoRet}
     * (google/gvisor#14688) and would answer EPERM, on which glibc's pthread_create gives
     * up instead of falling back: no thread could start. Its sentry has no clone3 and
     * answers ENOSYS itself, which is what the filter wants; GvisorSandboxTest checks that,
     * so a runsc that implements clone3 fails the test rather than open it silently.
     */
    private static final Set<String> ANSWERED_BY_THE_SENTRY = Set.of("clone3");

    /** What one worker's configuration is made of, in host terms where a path is a host path. */
    record Spec(List<String> args, Map<String, String> environment, String cwd, int uid, Path rootfs,
                List<Bind> binds, int tmpMb, boolean hostNetwork, long memoryBytes, long cpuQuotaUs,
                long cpuPeriodUs, long cpuShares, int sandboxPids, int processes, String cgroupsPath) {

        /**
         * RLIMIT_FSIZE: one page more than /tmp, so that no file the function can write is cut
         * by it, and a full /tmp still answers ENOSPC, as a full file system should, not EFBIG (at
         * exactly the size of /tmp, a write at the end of a file that fills /tmp meets the
         * size limit before the tmpfs is asked for a page). The sentry enforces it on the
         * files of its own file systems only: not on the host descriptors that are the
         * function's stdout and stderr, which GvisorSandbox caps on the host instead.
         */
        long fileSizeLimitBytes() {
            return tmpMb * 1024L * 1024L + PAGE_SIZE;
        }
    }

    /** A read-only bind mount of a host file or directory. */
    record Bind(Path source, String destination) {
    }

    private OciBundle() {
    }

    static void write(Path bundleDir, Spec spec) throws IOException {
        Files.writeString(bundleDir.resolve("config.json"), JSON.writeValueAsString(config(spec)));
    }

    static ObjectNode config(Spec spec) {
        ObjectNode config = JSON.createObjectNode().put("ociVersion", "1.0.2");
        config.set("process", process(spec));
        config.putObject("root").put("path", spec.rootfs().toString()).put("readonly", true);
        config.put("hostname", "nimbus");
        config.set("mounts", mounts(spec));
        config.set("linux", linux(spec));
        return config;
    }

    private static ObjectNode process(Spec spec) {
        ObjectNode process = JSON.createObjectNode().put("terminal", false);
        process.putObject("user").put("uid", spec.uid()).put("gid", spec.uid());
        ArrayNode args = process.putArray("args");
        spec.args().forEach(args::add);
        ArrayNode env = process.putArray("env");
        new TreeMap<>(spec.environment()).forEach((name, value) -> env.add(name + "=" + value));
        process.put("cwd", spec.cwd());
        ObjectNode capabilities = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
            capabilities.putArray(set);
        }
        ArrayNode rlimits = process.putArray("rlimits");
        // gVisor counts RLIMIT_NPROC per user inside the sandbox: the worker's own processes
        // and threads, which the host pids limit cannot single out (see GvisorSandbox).
        rlimits.addObject().put("type", "RLIMIT_NPROC").put("hard", spec.processes()).put("soft", spec.processes());
        rlimits.addObject().put("type", "RLIMIT_NOFILE").put("hard", 4096).put("soft", 1024);
        rlimits.addObject().put("type", "RLIMIT_FSIZE")
                .put("hard", spec.fileSizeLimitBytes()).put("soft", spec.fileSizeLimitBytes());
        process.put("noNewPrivileges", true);
        return process;
    }

    private static ArrayNode mounts(Spec spec) {
        ArrayNode mounts = JSON.createArrayNode();
        mounts.addObject().put("destination", "/proc").put("type", "proc").put("source", "proc");
        ObjectNode dev = mounts.addObject().put("destination", "/dev").put("type", "tmpfs").put("source", "tmpfs");
        dev.putArray("options").add("nosuid").add("strictatime").add("mode=755").add("size=65536k");
        ObjectNode tmp = mounts.addObject().put("destination", "/tmp").put("type", "tmpfs").put("source", "tmpfs");
        tmp.putArray("options").add("nosuid").add("nodev").add("mode=1777").add("size=" + spec.tmpMb() + "m");
        for (Bind bind : spec.binds()) {
            ObjectNode mount = mounts.addObject()
                    .put("destination", bind.destination()).put("type", "bind").put("source", bind.source().toString());
            ArrayNode options = mount.putArray("options");
            READ_ONLY_BIND.forEach(options::add);
        }
        return mounts;
    }

    private static ObjectNode linux(Spec spec) {
        ObjectNode linux = JSON.createObjectNode();
        ArrayNode namespaces = linux.putArray("namespaces");
        for (String type : List.of("pid", "ipc", "uts", "mount")) {
            namespaces.addObject().put("type", type);
        }
        if (!spec.hostNetwork()) {
            namespaces.addObject().put("type", "network");
        }
        ObjectNode resources = linux.putObject("resources");
        // memory.swap is memory plus swap in OCI (version 1 semantics): equal to the limit means no swap.
        resources.putObject("memory").put("limit", spec.memoryBytes()).put("swap", spec.memoryBytes());
        resources.putObject("cpu").put("quota", spec.cpuQuotaUs()).put("period", spec.cpuPeriodUs())
                .put("shares", spec.cpuShares());
        resources.putObject("pids").put("limit", spec.sandboxPids());
        linux.put("cgroupsPath", spec.cgroupsPath());
        linux.set("seccomp", seccomp());
        return linux;
    }

    /**
     * {@link SeccompFilter}'s policy as OCI seccomp rules, which runsc (run with
     * {@code --oci-seccomp}) compiles into a filter its sentry applies to every system call
     * of the function's processes. Each entry of {@code syscalls} is one rule; a call is
     * refused when any rule matches. Rule by rule:
     * <ul>
     * <li>{@link SeccompFilter#refusedSyscalls()}, EPERM always, but for
     *     {@link #ANSWERED_BY_THE_SENTRY}. Names runsc does not know it skips with a warning
     *     in its debug log, and its sentry answers them ENOSYS: with runsc 0.0~20221219
     *     that is mount_setattr, process_madvise, pidfd_getfd, quotactl_fd,
     *     set_mempolicy_home_node and _sysctl. They stay listed, for a runsc that knows them.</li>
     * <li>clone with any namespace flag: one rule per flag of
     *     {@link SeccompFilter#CLONE_NAMESPACE_FLAGS}, {@code (flags & FLAG) == FLAG}.</li>
     * <li>personality other than 0 and the query 0xffffffff, compared on the low 32 bits as
     *     the kernel does. An OCI rule cannot say "neither 0 nor 0xffffffff": runsc, after
     *     runc, OR-s several conditions on one argument instead of AND-ing them. But a
     *     32-bit value is neither all zeros nor all ones exactly when some bit differs from
     *     bit 0, so the rules are, for k = 1..31, "bit 0 clear and bit k set" and "bit 0 set
     *     and bit k clear", each one masked comparison (62 rules). This sentry answers
     *     EINVAL to personality(0) and to the query anyway.</li>
     * </ul>
     * The architecture and x32 checks of the BPF program have no counterpart: the sentry
     * has only the 64-bit system call table, and runsc ignores {@code architectures}.
     */
    static ObjectNode seccomp() {
        if (SeccompFilter.PERSONALITY_LINUX != 0 || SeccompFilter.PERSONALITY_QUERY != 0xFFFFFFFF) {
            throw new IllegalStateException("the personality rules below allow exactly 0 and 0xffffffff");
        }
        ObjectNode seccomp = JSON.createObjectNode().put("defaultAction", "SCMP_ACT_ALLOW");
        seccomp.putArray("architectures").add("SCMP_ARCH_X86_64");
        ArrayNode syscalls = seccomp.putArray("syscalls");
        ObjectNode refused = syscalls.addObject();
        ArrayNode names = refused.putArray("names");
        SeccompFilter.refusedSyscalls().stream().filter(name -> !ANSWERED_BY_THE_SENTRY.contains(name))
                .forEach(names::add);
        refused.put("action", "SCMP_ACT_ERRNO").put("errnoRet", SeccompFilter.EPERM);
        for (int bit = 0; bit < 32; bit++) {
            long flag = 1L << bit;
            if ((SeccompFilter.CLONE_NAMESPACE_FLAGS & flag) != 0) {
                refuse(syscalls, "clone", flag, flag);
            }
        }
        for (int bit = 1; bit < 32; bit++) {
            long mask = 1L | 1L << bit;
            refuse(syscalls, "personality", mask, 1L << bit);
            refuse(syscalls, "personality", mask, 1L);
        }
        return seccomp;
    }

    /** EPERM when {@code (args[0] & mask) == value}. */
    private static void refuse(ArrayNode syscalls, String name, long mask, long value) {
        ObjectNode rule = syscalls.addObject();
        rule.putArray("names").add(name);
        rule.put("action", "SCMP_ACT_ERRNO").put("errnoRet", SeccompFilter.EPERM);
        rule.putArray("args").addObject()
                .put("index", 0).put("value", mask).put("valueTwo", value).put("op", "SCMP_CMP_MASKED_EQ");
    }
}
