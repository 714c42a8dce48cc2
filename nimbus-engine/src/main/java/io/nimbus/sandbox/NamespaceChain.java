package io.nimbus.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The launch chain shared by everything Nimbus runs in a namespace sandbox, long-lived
 * workers ({@link NamespaceSandbox}) and one-shot jobs ({@link NamespaceJobs}) alike:
 * {@code /bin/sh} joins the control groups and lays out descriptors, {@code bwrap} builds the
 * namespaces and the root and loads the seccomp filter, {@code prlimit} caps file sizes,
 * {@code setpriv} drops to uid 65534 with no capabilities. Kept in one place so that a
 * hardening of one is a hardening of both.
 */
final class NamespaceChain {
    static final Path BWRAP = Path.of("/usr/bin/bwrap");
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    static final Path PRLIMIT = Path.of("/usr/bin/prlimit");
    private static final String UNPRIVILEGED = "65534";
    /** Open descriptors per process: the usual soft default, not the server's own (often far higher) limit. */
    private static final int OPEN_FILES = 1024;
    /**
     * Joins the control groups named before {@code --}, then runs bwrap with the seccomp
     * program on fd 9 and bwrap's options on fd 8 (dash takes one-digit descriptors only);
     * the command follows {@code --}. Options read from a descriptor keep the host's paths out
     * of the sandbox: its pid 1 is bwrap, and /proc/1/cmdline is readable.
     */
    private static final String JOIN_AND_EXEC = """
            seccomp=$1; options=$2; shift 2
            while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done
            exec %s --args 8 "$@" %s9<"$seccomp" 8<"$options"
            """;

    /** How the three pipes Java gives a child reach the sandboxed program. */
    enum Descriptors {
        /** A worker's: stdin becomes fd 3, stdout fd 4, stdout joins stderr, stdin is /dev/null. */
        PROTOCOL_PIPES("3<&0 4>&1 </dev/null 1>&2 "),
        /** A one-shot job's: stdin, stdout and stderr stay where they are. */
        STANDARD("");

        private final String redirections;

        Descriptors(String redirections) {
            this.redirections = redirections;
        }
    }

    private NamespaceChain() {
    }

    /**
     * The host command: the shell that joins {@code cgroup}, then bwrap with its options read
     * from {@code optionsFile} (written by the caller, NUL-separated), then {@code confined}.
     */
    static List<String> command(Descriptors descriptors, Path seccompProgram, Path optionsFile, Cgroup cgroup,
                                List<String> confined) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
                JOIN_AND_EXEC.formatted(BWRAP, descriptors.redirections), "nimbus-sandbox",
                seccompProgram.toString(), optionsFile.toString()));
        cgroup.procsFiles().forEach(file -> command.add(file.toString()));
        command.add("--");
        command.addAll(confined);
        return command;
    }

    /** Fresh namespaces (all but network and user) and a root of the host's /usr, read-only. */
    static List<String> namespacesAndRoot() {
        return List.of(
                "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--die-with-parent", "--new-session", "--hostname", "nimbus",
                "--ro-bind", "/usr", "/usr",
                "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
                "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64");
    }

    /** A private, size-bounded /tmp and /dev/shm, its own /proc and a minimal /dev. */
    static List<String> scratchAndDevices(int tmpMb) {
        String bytes = Long.toString(tmpMb * 1024L * 1024L);
        return List.of(
                "--size", bytes, "--perms", "1777", "--tmpfs", "/tmp",
                "--proc", "/proc", "--dev", "/dev",
                "--size", bytes, "--perms", "1777", "--tmpfs", "/dev/shm");
    }

    /** Only the capabilities setpriv needs to change uid, and the seccomp filter from fd 9. */
    static List<String> capabilitiesAndSeccomp() {
        return List.of("--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                "--cap-add", "CAP_SETPCAP", "--seccomp", "9");
    }

    /** A network namespace with only lo, or the host's network with its resolver and CA files. */
    static List<String> network(SandboxLimits.Network network) {
        if (network == SandboxLimits.Network.NONE) {
            return List.of("--unshare-net");
        }
        List<String> args = new ArrayList<>(List.of("--share-net"));
        for (String file : List.of("/etc/resolv.conf", "/etc/hosts", "/etc/ssl", "/etc/ca-certificates")) {
            args.addAll(List.of("--ro-bind-try", file, file));
        }
        return args;
    }

    /**
     * What bwrap runs: {@code program} under RLIMIT_FSIZE (soft and hard) of
     * {@code fileSizeLimit} bytes and a usual open-file limit, as uid and gid 65534 with no
     * groups, no capabilities and no_new_privs.
     */
    static List<String> unprivileged(long fileSizeLimit, List<String> program) {
        List<String> command = new ArrayList<>(List.of(
                PRLIMIT.toString(), "--fsize=" + fileSizeLimit + ":" + fileSizeLimit,
                "--nofile=" + OPEN_FILES + ":" + OPEN_FILES, "--",
                SETPRIV.toString(), "--reuid=" + UNPRIVILEGED, "--regid=" + UNPRIVILEGED,
                "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
        command.addAll(program);
        return command;
    }

    /** Why nothing can run in a namespace sandbox here, or null when it can. */
    static String unavailableReason() {
        if (!Files.isExecutable(BWRAP)) {
            return "bubblewrap is not installed: apt-get install -y bubblewrap";
        }
        if (!Files.isExecutable(SETPRIV) || !Files.isExecutable(PRLIMIT)) {
            return "setpriv and prlimit are not installed: apt-get install -y util-linux";
        }
        if (!Cgroup.available()) {
            return "control groups are not writable (run as root, or delegate a cgroup to this user)";
        }
        if (!SeccompFilter.supported()) {
            return "the seccomp filter supports x86_64 only";
        }
        return null;
    }

    /** The control-group scope of the server whose data directory this is: its own, so servers never touch each other's. */
    static String scope(Path dataDir) {
        return "nimbus/" + Integer.toHexString(dataDir.toAbsolutePath().normalize().toString().hashCode());
    }
}
