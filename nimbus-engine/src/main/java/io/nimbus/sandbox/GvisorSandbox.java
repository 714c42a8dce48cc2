package io.nimbus.sandbox;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * gVisor: each worker runs on its own user-space kernel (runsc's sentry, ptrace platform),
 * so a kernel bug reachable from the function's system calls is a bug in the sentry, not in
 * the host. Same contract as {@link NamespaceSandbox}: the code read-only at /var/function,
 * the bootstrap's directory read-only at /var/runtime, /usr and an interpreter home outside
 * /usr read-only at their own paths, a private size-bounded /tmp, no host /etc, uid 65534, no
 * capabilities, no_new_privs, no network but loopback unless the function asks for the host's.
 *
 * <p>Layout under {@code <dataDir>/gvisor}: {@code state} (runsc's {@code --root}, one per
 * server), {@code bundles/<instance>/config.json}, {@code logs/runsc.log} (runsc's own
 * errors), and {@code rootfs}, an empty skeleton shared read-only by every worker (mount
 * points and the merged-/usr symlinks).
 *
 * <p>A worker is {@code runsc run}, attached: the host's pipes become the container's
 * stdin and stdout, and a {@code /bin/sh} inside moves them to fds 3 and 4 exactly as for the
 * other backends. runsc's stderr and the container's go to the stray-output file.
 *
 * <p>Limits: the memory limit covers the whole sandbox (the sentry, the gofer and the
 * function), with no swap; when it is hit the host OOM killer ends the sandbox. The CPU quota
 * also covers the whole sandbox. The host pids limit cannot be the function's process limit:
 * the sandbox itself needs a few dozen host tasks (the sentry's threads, a ptrace stub per
 * guest thread group), so it is set at {@value #SANDBOX_PIDS} against fork bombs escaping to
 * the host, and the function's own limit is RLIMIT_NPROC inside the sandbox, which the
 * sentry enforces per uid (a fork past it fails with EAGAIN).
 */
public final class GvisorSandbox implements SandboxBackend {
    private static final Logger LOG = LoggerFactory.getLogger(GvisorSandbox.class);
    static final Path RUNSC = Path.of("/usr/bin/runsc");
    static final int SANDBOX_PIDS = 1024;
    /**
     * The CPU share a sandbox boots and loads its function with. Booting gVisor costs a few
     * hundred milliseconds of CPU; at a small function's steady share (0.14 of a core at
     * 256 MB) that would be seconds.
     */
    static final double BOOT_CPUS = 1.0;
    private static final int UNPRIVILEGED = 65534;
    private static final String CODE_DIR = "/var/function";
    private static final String RUNTIME_DIR = "/var/runtime";
    private static final String MOVE_PIPES = "exec \"$0\" \"$@\" 3<&0 4>&1 </dev/null 1>&2";
    /** What a container id may be for runsc; instance ids are UUIDs. */
    private static final Pattern CONTAINER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final List<String> HOST_NETWORK_FILES =
            List.of("/etc/resolv.conf", "/etc/hosts", "/etc/ssl", "/etc/ca-certificates");
    private static final long COMMAND_TIMEOUT_MS = 5000;
    private static final long KILL_TIMEOUT_MS = 2000;

    private final Path stateDir;
    private final Path bundlesDir;
    private final Path logFile;
    private final Path rootfs;
    private final String cgroupScope;

    private GvisorSandbox(Path stateDir, Path bundlesDir, Path logFile, Path rootfs, String cgroupScope) {
        this.stateDir = stateDir;
        this.bundlesDir = bundlesDir;
        this.logFile = logFile;
        this.rootfs = rootfs;
        this.cgroupScope = cgroupScope;
    }

    /** Why this backend cannot run here, or null when it can. */
    public static String unavailableReason() {
        if (!Files.isExecutable(RUNSC)) {
            return "gVisor is not installed: apt-get install -y runsc";
        }
        if (!isRoot()) {
            return "runsc needs root (rootless gVisor is not supported by Nimbus)";
        }
        Command version = Command.run(List.of(RUNSC.toString(), "--version"), 10_000);
        if (version.exitCode() != 0) {
            return "runsc does not work here (runsc --version: " + (version.exitCode() < 0 ? "timed out"
                    : "exit " + version.exitCode() + ", " + version.output().strip()) + "): reinstall it with apt-get install -y runsc";
        }
        if (!GvisorCgroup.available()) {
            return "control groups are not writable (run as root, with the memory, cpu and pids controllers mounted)";
        }
        return null;
    }

    /**
     * The backend, its directories under {@code <dataDir>/gvisor}. Control groups live under
     * {@code /nimbus-gvisor/<server>}, the server named after its data directory as for the
     * namespace backend, and runsc's state under the data directory: whatever a killed
     * predecessor left in either (containers, processes, groups, bundles) is removed now.
     */
    public static GvisorSandbox create(Path dataDir) throws IOException {
        Path base = Files.createDirectories(dataDir.resolve("gvisor"));
        Path state = Files.createDirectories(base.resolve("state"));
        Path bundles = Files.createDirectories(base.resolve("bundles"));
        Path logs = Files.createDirectories(base.resolve("logs"));
        Path rootfs = Files.createDirectories(base.resolve("rootfs"));
        String scope = "nimbus-gvisor/"
                + Integer.toHexString(dataDir.toAbsolutePath().normalize().toString().hashCode());
        GvisorSandbox sandbox = new GvisorSandbox(state.toAbsolutePath(), bundles.toAbsolutePath(),
                logs.resolve("runsc.log").toAbsolutePath(), rootfs.toAbsolutePath(), scope);
        sandbox.removeLeftovers();
        sandbox.buildSkeleton();
        rotate(sandbox.logFile);
        return sandbox;
    }

    @Override
    public String name() {
        return "gvisor";
    }

    @Override
    public boolean isolates() {
        return true;
    }

    /** runsc's {@code --root}: its record of this server's containers. */
    Path stateDir() {
        return stateDir;
    }

    String cgroupScope() {
        return cgroupScope;
    }

    @Override
    public SandboxedWorker start(WorkerLaunch launch) throws IOException {
        String id = launch.instanceId();
        if (!CONTAINER_ID.matcher(id).matches()) {
            throw new IOException("'" + id + "' cannot name a gVisor container");
        }
        SandboxLimits limits = launch.limits();
        Path bundle = bundlesDir.resolve(id);
        GvisorCgroup cgroup = GvisorCgroup.create(cgroupScope, id, limits, SANDBOX_PIDS);
        try {
            Files.createDirectories(bundle);
            OciBundle.write(bundle, spec(launch));
            List<String> command = List.of(RUNSC.toString(), "--root", stateDir.toString(),
                    "--network=" + (limits.network() == SandboxLimits.Network.HOST ? "host" : "none"),
                    "--platform=ptrace", "--log=" + logFile,
                    "run", "--bundle", bundle.toString(), id);
            ProcessBuilder builder = new ProcessBuilder(command).directory(bundle.toFile());
            builder.environment().clear();
            builder.redirectError(ProcessBuilder.Redirect.appendTo(launch.strayOutputFile().toFile()));
            return new GvisorWorker(builder.start(), id, bundle, cgroup, limits.cpus());
        } catch (IOException | RuntimeException e) {
            runsc("delete", "--force", id);
            cgroup.killAll();
            cgroup.delete();
            deleteTree(bundle);
            throw e;
        }
    }

    private OciBundle.Spec spec(WorkerLaunch launch) throws IOException {
        SandboxLimits limits = launch.limits();
        List<String> args = new ArrayList<>(List.of("/bin/sh", "-c", MOVE_PIPES, launch.interpreter().toString(),
                RUNTIME_DIR + "/" + launch.bootstrap().getFileName()));
        List<OciBundle.Bind> binds = new ArrayList<>();
        binds.add(new OciBundle.Bind(Path.of("/usr"), "/usr"));
        Path home = interpreterHome(launch.interpreter());
        if (home != null) {
            // At its own path: an interpreter finds its shared libraries through an rpath
            // (pyenv's libpython), and elsewhere it would load the system's instead.
            Files.createDirectories(rootfs.resolve(home.toString().substring(1)));
            binds.add(new OciBundle.Bind(home, home.toString()));
        }
        binds.add(new OciBundle.Bind(launch.codeDir().toAbsolutePath(), CODE_DIR));
        binds.add(new OciBundle.Bind(launch.bootstrap().toAbsolutePath().getParent(), RUNTIME_DIR));
        boolean hostNetwork = limits.network() == SandboxLimits.Network.HOST;
        if (hostNetwork) {
            for (String file : HOST_NETWORK_FILES) {
                if (Files.exists(Path.of(file))) {
                    binds.add(new OciBundle.Bind(Path.of(file), file));
                }
            }
        }
        return new OciBundle.Spec(args, launch.environment(), CODE_DIR, UNPRIVILEGED, rootfs, binds,
                limits.tmpMb(), hostNetwork, limits.memoryMb() * 1024L * 1024L,
                Cgroup.quotaMicros(Math.max(limits.cpus(), BOOT_CPUS)), Cgroup.CPU_PERIOD_US,
                SANDBOX_PIDS, limits.pids(),
                GvisorCgroup.cgroupsPath(cgroupScope, launch.instanceId()));
    }

    /** An interpreter outside /usr (pyenv's, say) brings its whole installation: bin/.. is bound read-only, in place. */
    private static Path interpreterHome(Path interpreter) {
        if (interpreter.startsWith("/usr")) {
            return null;
        }
        return interpreter.getParent().getParent();
    }

    /**
     * The root every worker shares: empty directories for the mounts, the merged-/usr
     * symlinks, and empty files and directories for the host's network files (bound only
     * when a function asks for the host network). runsc mounts it read-only.
     */
    private void buildSkeleton() throws IOException {
        for (String dir : List.of("usr", "proc", "dev", "tmp", "etc/ssl", "etc/ca-certificates", "var/function",
                "var/runtime")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        for (String link : List.of("bin", "sbin", "lib", "lib64")) {
            Path path = rootfs.resolve(link);
            if (!Files.isSymbolicLink(path)) {
                Files.createSymbolicLink(path, Path.of("usr", link));
            }
        }
        for (String file : List.of("etc/resolv.conf", "etc/hosts")) {
            if (!Files.exists(rootfs.resolve(file))) {
                Files.createFile(rootfs.resolve(file));
            }
        }
    }

    /** Containers, processes, control groups and bundles of a previous life of this server. */
    private void removeLeftovers() {
        Command list = runsc("list", "--quiet");
        int containers = 0;
        if (list.exitCode() == 0) {
            for (String id : list.output().split("\\s+")) {
                if (!id.isBlank()) {
                    runsc("kill", "--all", id, "KILL");
                    runsc("delete", "--force", id);
                    containers++;
                }
            }
        }
        GvisorCgroup.removeLeftovers(cgroupScope);
        try (Stream<Path> bundles = Files.list(bundlesDir)) {
            bundles.forEach(GvisorSandbox::deleteTree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (containers > 0) {
            LOG.info("removed {} gVisor container(s) left by a previous run", containers);
        }
    }

    private static void rotate(Path log) throws IOException {
        if (Files.exists(log) && Files.size(log) > 10L * 1024 * 1024) {
            Files.move(log, log.resolveSibling(log.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Command runsc(String... args) {
        List<String> command = new ArrayList<>(List.of(RUNSC.toString(), "--root", stateDir.toString()));
        command.addAll(List.of(args));
        long timeout = args[0].equals("kill") ? KILL_TIMEOUT_MS : COMMAND_TIMEOUT_MS;
        Command result = Command.run(command, timeout);
        if (result.exitCode() != 0) {
            LOG.debug("runsc {} exited {}: {}", String.join(" ", args), result.exitCode(), result.output().strip());
        }
        return result;
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.debug("could not remove {}: {}", dir, e.toString());
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** A short command's exit code (-1: killed after the timeout) and its merged output. */
    record Command(int exitCode, String output) {
        static Command run(List<String> command, long timeoutMs) {
            Path output = null;
            Process process = null;
            try {
                output = Files.createTempFile("nimbus-runsc", ".out");
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
                builder.environment().clear();
                process = builder.start();
                if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor();
                    return new Command(-1, Files.readString(output, StandardCharsets.UTF_8));
                }
                return new Command(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return new Command(-2, e.toString());
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                return new Command(-1, "interrupted");
            } finally {
                if (output != null) {
                    try {
                        Files.deleteIfExists(output);
                    } catch (IOException ignored) {
                        // a temporary file; nothing else to do
                    }
                }
            }
        }
    }

    private final class GvisorWorker implements SandboxedWorker {
        private final Process process;
        private final String id;
        private final Path bundle;
        private final GvisorCgroup cgroup;
        private final double steadyCpus;
        private boolean killed;

        GvisorWorker(Process process, String id, Path bundle, GvisorCgroup cgroup, double steadyCpus) {
            this.process = process;
            this.id = id;
            this.bundle = bundle;
            this.cgroup = cgroup;
            this.steadyCpus = steadyCpus;
        }

        @Override
        public void initialized() {
            try {
                cgroup.limitCpu(steadyCpus);
            } catch (IOException e) {
                kill();
            }
        }

        @Override
        public InputStream fromWorker() {
            return process.getInputStream();
        }

        @Override
        public OutputStream toWorker() {
            return process.getOutputStream();
        }

        @Override
        public String codeDir() {
            return CODE_DIR;
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        /**
         * From the memory group's {@code oom_kill} counter, which this backend creates itself
         * and removes only in {@link #kill()}, so it is still there when the host sees the
         * pipe close. (An exit status of 137 would not do: it is also what a function that
         * SIGKILLs itself, or the host's own kill, produce.)
         */
        @Override
        public boolean oomKilled() {
            return cgroup.oomKilled();
        }

        /**
         * {@code runsc kill --all} (every process of the container, at once), then the
         * attached {@code runsc run} ends; if it does not, it is killed, which takes the
         * sandbox down with it. {@code runsc delete --force} then removes what runsc still
         * holds for the container, and whatever is left in the control group is killed
         * before the group and the bundle are removed.
         */
        @Override
        public synchronized void kill() {
            if (killed) {
                return;
            }
            killed = true;
            // The clean-up runs to its end even for an interrupted caller; the flag is restored after.
            boolean interrupted = Thread.interrupted();
            try {
                if (process.isAlive()) {
                    runsc("kill", "--all", id, "KILL");
                }
                if (!process.waitFor(KILL_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(KILL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                interrupted = true;
            }
            runsc("delete", "--force", id);
            cgroup.killAll();
            cgroup.delete();
            deleteTree(bundle);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
