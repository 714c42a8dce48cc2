package io.nimbus.sandbox;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * other backends. runsc's stderr, which is also the container's stdout and stderr, is a pipe
 * that a host thread copies into the stray-output file, dropping whatever would take the
 * file past the function's /tmp size (see {@link #copyStrayOutput}).
 *
 * <p>System calls: the namespace backend's seccomp policy ({@link SeccompFilter}), given to
 * runsc as the bundle's OCI seccomp rules (see {@link OciBundle#seccomp()}) and applied by
 * its sentry, {@code runsc --oci-seccomp}.
 *
 * <p>Limits: the memory limit covers the whole sandbox (the sentry, the gofer and the
 * function), with no swap; when it is hit the host OOM killer ends the sandbox. The CPU quota
 * also covers the whole sandbox. The host pids limit cannot be the function's process limit:
 * the sandbox itself needs host tasks of its own (the sentry's threads, and under ptrace a
 * stub process per guest address space, with a thread per sentry thread that has run in
 * it), so the function's own limit is RLIMIT_NPROC inside the sandbox, which the sentry
 * enforces per uid (a fork past it fails with EAGAIN), and the host limit
 * ({@link #sandboxTasks}) is only a backstop against tasks escaping to the host, set far
 * enough above what the guest's limit allows that RLIMIT_NPROC always trips first: were the
 * host limit hit, the sentry's own clone would fail and the whole sandbox would die.
 */
public final class GvisorSandbox implements SandboxBackend {
    private static final Logger LOG = LoggerFactory.getLogger(GvisorSandbox.class);
    static final Path RUNSC = Path.of("/usr/bin/runsc");
    /**
     * The least host task limit of a sandbox. What a sandbox needs is set by the ptrace
     * platform: a stub process per guest address space (kept in a pool and reused when the
     * process ends), and in each stub a thread for every sentry thread that has ever run
     * guest code in it, never released. So a sandbox's host tasks grow towards
     * (sentry threads) x (stubs + 1), and both grow with the function's processes: the sentry
     * keeps a host thread per guest task running at once (it waits for the task's ptrace
     * stop) on top of its own. Measured on two CPUs, RLIMIT_NPROC = 64: one Python fork
     * bomb (63 children exec'ing sleep) peaked at 600 to 740 host tasks; the same bomb
     * repeated in one sandbox climbed to 2,700 after 10 rounds and levelled off near 3,200
     * after 30 (102 sentry threads, 66 stubs of 50 threads or so), and reached 3,500 within
     * 10 rounds with a test JVM busy beside it; 63 busy threads in one process took about 70.
     */
    static final int MIN_SANDBOX_TASKS = 4096;
    /** Sentry threads besides one per guest task: its own goroutines' threads, the gofer's. */
    private static final int SENTRY_THREADS = 64;
    /** Stub processes besides one per guest process: the pool's spares. */
    private static final int SPARE_STUBS = 16;
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
    private final AtomicBoolean checkedProcessIds = new AtomicBoolean();

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
        int tasks = sandboxTasks(limits);
        if (!checkedProcessIds.getAndSet(true)) {
            warnIfFewProcessIds(tasks);
        }
        GvisorCgroup cgroup = GvisorCgroup.create(cgroupScope, id, limits, tasks);
        try {
            Files.createDirectories(bundle);
            OciBundle.write(bundle, spec(launch));
            List<String> command = List.of(RUNSC.toString(), "--root", stateDir.toString(),
                    "--network=" + (limits.network() == SandboxLimits.Network.HOST ? "host" : "none"),
                    "--platform=ptrace", "--oci-seccomp", "--log=" + logFile,
                    "run", "--bundle", bundle.toString(), id);
            ProcessBuilder builder = new ProcessBuilder(command).directory(bundle.toFile());
            builder.environment().clear();
            // stderr stays a pipe: copyStrayOutput moves it into the stray-output file, capped.
            Process process = builder.start();
            Thread copier = copyStrayOutput(process.getErrorStream(), launch.strayOutputFile(),
                    strayOutputCap(limits), id);
            return new GvisorWorker(process, copier, id, bundle, cgroup, limits.cpus());
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
        List<String> args = new ArrayList<>(List.of("/bin/sh", "-c", MOVE_PIPES));
        args.addAll(launch.command(RUNTIME_DIR));
        List<OciBundle.Bind> binds = new ArrayList<>();
        binds.add(new OciBundle.Bind(Path.of("/usr"), "/usr"));
        Path home = launch.interpreterHome();
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
                Cgroup.quotaMicros(Math.max(limits.cpus(), BOOT_CPUS)), Cgroup.CPU_PERIOD_US, limits.cpuShares(),
                sandboxTasks(limits), limits.pids(),
                GvisorCgroup.cgroupsPath(cgroupScope, launch.instanceId()));
    }

    /**
     * The host task limit of a sandbox whose function may have {@code limits.pids()}
     * processes and threads: far enough above what the sandbox can need at that many that
     * RLIMIT_NPROC is always what stops a fork bomb. Were the host limit hit first, a clone
     * of the sentry's or of a stub would fail, and the sentry would end the whole sandbox.
     * The bound is the ptrace platform's (see {@link #MIN_SANDBOX_TASKS}): sentry threads
     * (one per guest task, one per CPU for the Go scheduler, {@value #SENTRY_THREADS} more)
     * times stub processes plus the sentry itself (one per guest process, {@value #SPARE_STUBS}
     * more). At 64 processes on two CPUs that is 10,530, three times the most measured.
     *
     * <p>It is a backstop only, and a large one: a host whose {@code kernel.pid_max} is the
     * kernel's default of 32768 can have its process ids used up by a few such sandboxes
     * (see {@link #warnIfFewProcessIds}).
     */
    static int sandboxTasks(SandboxLimits limits) {
        return sandboxTasks(limits.pids(), Runtime.getRuntime().availableProcessors());
    }

    static int sandboxTasks(int pids, int cpus) {
        long sentryThreads = (long) pids + cpus + SENTRY_THREADS;
        long stubs = (long) pids + SPARE_STUBS;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(MIN_SANDBOX_TASKS, sentryThreads * (stubs + 1)));
    }

    /**
     * Logs a warning, at the first start, when the host's process ids would not last for 64
     * sandboxes using all the host tasks {@link #sandboxTasks} allows them: with the
     * kernel's default {@code kernel.pid_max} (32768) three such sandboxes would do.
     */
    static void warnIfFewProcessIds(int perSandbox) {
        try {
            // Not Files.readString: it reads a sysctl file of procfs short ("3" for 32768).
            long pidMax = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/kernel/pid_max")).getFirst().strip());
            if (pidMax < 64L * perSandbox) {
                LOG.warn("kernel.pid_max is {}: a gVisor sandbox may use up to {} host tasks (the ptrace platform's"
                        + " stubs), so a few sandboxes running fork bombs could use up the host's process ids;"
                        + " raise it: sysctl -w kernel.pid_max=4194304", pidMax, perSandbox);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no procfs: nothing to check
        }
    }

    /** The most the stray-output file may hold at once: the function's /tmp size. */
    static long strayOutputCap(SandboxLimits limits) {
        return limits.tmpMb() * 1024L * 1024L;
    }

    /**
     * Copies what the sandbox writes to its stdout and stderr (runsc's stderr) into the
     * stray-output file, writing only while the file is under {@code cap} bytes and
     * dropping the rest, so that a function printing without end cannot fill the host's
     * disk. The host empties the file after each invocation, so each gets {@code cap}
     * bytes again. The writer in the sandbox never blocks on a full file and never sees an
     * error: what is over the cap is read and dropped.
     *
     * <p>Why on the host: gVisor enforces RLIMIT_FSIZE only on the files of its own file
     * systems, not on a host file that it was given as a descriptor, and the function's
     * stdout and stderr are such descriptors; a child printing 100 MB grew the file by
     * 100 MB under an RLIMIT_FSIZE of 16 MB.
     *
     * <p>One platform thread per sandbox, ended by the pipe's end of file once runsc and
     * the sandbox are gone. A platform thread because a read of a process pipe holds its
     * carrier: one virtual thread per instance blocked in it would take the virtual
     * threads' carriers from everyone else.
     */
    static Thread copyStrayOutput(InputStream from, Path file, long cap, String id) {
        return Thread.ofPlatform().daemon().name("nimbus-gvisor-output-" + id).start(() -> {
            byte[] buffer = new byte[64 * 1024];
            FileChannel to = null;
            try (from) {
                try {
                    to = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    LOG.debug("stray output of {} is dropped: {}", id, e.toString());
                }
                int read;
                while ((read = from.read(buffer)) >= 0) {
                    if (to == null) {
                        continue;
                    }
                    try {
                        // Appending, so a truncation by the host between size() and write() only makes room.
                        long room = cap - to.size();
                        if (room > 0) {
                            to.write(ByteBuffer.wrap(buffer, 0, (int) Math.min(read, room)));
                        }
                    } catch (IOException e) {
                        LOG.debug("stray output of {} is dropped from now on: {}", id, e.toString());
                        closeQuietly(to);
                        to = null;
                    }
                }
            } catch (IOException e) {
                // the pipe broke: the sandbox is gone
            } finally {
                closeQuietly(to);
            }
        });
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do for a file only ever appended to
        }
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

    private final class GvisorWorker extends ProcessBackedWorker {
        private final Thread strayOutputCopier;
        private final String id;
        private final Path bundle;
        private final GvisorCgroup cgroup;
        private final double steadyCpus;
        private boolean killed;

        GvisorWorker(Process process, Thread strayOutputCopier, String id, Path bundle, GvisorCgroup cgroup,
                     double steadyCpus) {
            super(process, CODE_DIR);
            this.strayOutputCopier = strayOutputCopier;
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
         * before the group and the bundle are removed. Last, the stray-output copier is
         * given a moment to meet the end of its pipe, so that it has written all it will.
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
            try {
                // Everything that held the pipe is gone: the copier meets its end of file.
                strayOutputCopier.join(KILL_TIMEOUT_MS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
