package io.nimbus.sandbox;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Linux namespaces through bubblewrap, with a control group per instance and a seccomp
 * filter. The worker gets new pid, mount, network, ipc, uts and cgroup namespaces; a root
 * made of the runtime's files read-only (/usr, the interpreter), the function's code
 * read-only at /var/function, the bootstrap at /var/runtime, a private size-bounded /tmp,
 * its own /proc and a minimal /dev; no host /etc. It runs as uid 65534 with no capabilities
 * and no_new_privs.
 *
 * <p>The launch is a short chain, each step doing one thing: {@code /bin/sh} joins the
 * instance's control groups (so everything after is limited from its first instruction)
 * and lays out the descriptors; {@code bwrap} builds the namespaces and the root, keeps only
 * the capabilities needed to change uid, and loads the seccomp filter; {@code prlimit} caps
 * file sizes; {@code setpriv} drops to the unprivileged uid, clears every capability set and
 * sets no_new_privs; then the interpreter runs the bootstrap.
 */
public final class NamespaceSandbox implements SandboxBackend {
    /** The CPU share an instance gets while it loads its function, whatever its steady share. */
    private static final double INIT_CPUS = 1.0;
    private static final String CODE_DIR = "/var/function";
    private static final String RUNTIME_DIR = "/var/runtime";
    private static final String FORK_DIR = "/var/fork";

    private final Path seccompProgram;
    private final String cgroupScope;

    private NamespaceSandbox(Path seccompProgram, String cgroupScope) {
        this.seccompProgram = seccompProgram;
        this.cgroupScope = cgroupScope;
    }

    /** Why this backend cannot run here, or null when it can. */
    public static String unavailableReason() {
        return NamespaceChain.unavailableReason();
    }

    /**
     * The backend, with its seccomp program written under {@code dataDir}. Its control groups
     * live in a scope named after the data directory, so that servers on one host never touch
     * each other's; groups a killed predecessor left there are removed now.
     */
    public static NamespaceSandbox create(Path dataDir) throws IOException {
        Path program = SeccompFilter.writeTo(Files.createDirectories(dataDir.resolve("sandbox")));
        String scope = NamespaceChain.scope(dataDir);
        Cgroup.removeLeftovers(scope);
        return new NamespaceSandbox(program, scope);
    }

    @Override
    public String name() {
        return "namespace";
    }

    @Override
    public boolean isolates() {
        return true;
    }

    @Override
    public boolean canFork() {
        return true;
    }

    @Override
    public SandboxedWorker start(WorkerLaunch launch) throws IOException {
        SandboxLimits steady = launch.limits();
        SandboxLimits loading = new SandboxLimits(steady.memoryMb(), Math.max(steady.cpus(), INIT_CPUS), steady.pids(),
                steady.tmpMb(), steady.network());
        Cgroup cgroup = Cgroup.create(cgroupScope, launch.instanceId(), loading);
        Path arguments = launch.strayOutputFile().resolveSibling(launch.instanceId() + ".args");
        try {
            Files.writeString(arguments, String.join("\0", bwrapOptions(launch)) + "\0");
            ProcessBuilder builder = new ProcessBuilder(NamespaceChain.command(NamespaceChain.Descriptors.PROTOCOL_PIPES,
                    seccompProgram, arguments, cgroup, confinedCommand(launch)));
            builder.environment().clear();
            builder.environment().putAll(launch.environment());
            builder.redirectError(ProcessBuilder.Redirect.appendTo(launch.strayOutputFile().toFile()));
            return new NamespaceWorker(builder.start(), cgroup, steady.cpus(), arguments, cgroupScope,
                    launch.forkDir() != null);
        } catch (IOException | RuntimeException e) {
            cgroup.delete();
            Files.deleteIfExists(arguments);
            throw e;
        }
    }

    private static List<String> bwrapOptions(WorkerLaunch launch) {
        List<String> args = new ArrayList<>(NamespaceChain.namespacesAndRoot());
        args.addAll(List.of("--perms", "0755", "--dir", "/var",
                "--ro-bind", launch.codeDir().toString(), CODE_DIR,
                "--ro-bind", launch.bootstrap().getParent().toString(), RUNTIME_DIR));
        args.addAll(NamespaceChain.scratchAndDevices(launch.limits().tmpMb()));
        args.addAll(NamespaceChain.capabilitiesAndSeccomp());
        args.addAll(List.of("--chdir", CODE_DIR));
        if (launch.forkDir() != null) {
            // Writable, yet owned by root with mode 0755: the worker's uid can connect to the
            // socket and append to the files the host made for it (0666), and create nothing.
            args.addAll(List.of("--bind", launch.forkDir().toString(), FORK_DIR));
        }
        Path home = launch.interpreterHome();
        if (home != null) {
            // At its own path: an interpreter finds its shared libraries through an rpath
            // (pyenv's libpython), and elsewhere it would load the system's instead.
            for (int depth = 1; depth < home.getNameCount(); depth++) {
                args.addAll(List.of("--perms", "0755", "--dir", "/" + home.subpath(0, depth)));
            }
            args.addAll(List.of("--ro-bind", home.toString(), home.toString()));
        }
        args.addAll(NamespaceChain.network(launch.limits().network()));
        return args;
    }

    /**
     * What bwrap runs. The stray-output file is on the host's disk: RLIMIT_FSIZE keeps what the
     * function's processes print there (and any file they write) within its /tmp size, plus a
     * MiB so that filling /tmp still ends in ENOSPC, as a user expects, rather than EFBIG.
     */
    private static List<String> confinedCommand(WorkerLaunch launch) {
        long fileSizeLimit = (launch.limits().tmpMb() + 1L) * 1024L * 1024L;
        return NamespaceChain.unprivileged(fileSizeLimit, launch.command(RUNTIME_DIR));
    }

    private static final class NamespaceWorker extends ProcessBackedWorker {
        private final Cgroup cgroup;
        private final double steadyCpus;
        private final Path arguments;
        private final String cgroupScope;
        private final boolean forks;
        private volatile boolean killed;

        NamespaceWorker(Process process, Cgroup cgroup, double steadyCpus, Path arguments, String cgroupScope,
                        boolean forks) {
            super(process, CODE_DIR);
            this.cgroup = cgroup;
            this.steadyCpus = steadyCpus;
            this.arguments = arguments;
            this.cgroupScope = cgroupScope;
            this.forks = forks;
        }

        @Override
        public String forkDir() {
            return forks ? FORK_DIR : null;
        }

        /**
         * A forked child starts in this worker's group; it is found there by its pid in the
         * sandbox and moved into a group of its own before it runs anything of the user's.
         */
        @Override
        public SandboxedWorker adoptChild(long pidInSandbox, SocketChannel channel, String instanceId,
                                          SandboxLimits limits) throws IOException {
            long hostPid = ForkedWorker.hostPid(cgroup.pids(), pidInSandbox);
            if (hostPid < 0) {
                throw new IOException("the forked worker " + pidInSandbox + " is not in its template's group");
            }
            Cgroup own = Cgroup.create(cgroupScope, instanceId, limits);
            try {
                own.adopt(hostPid);
            } catch (IOException e) {
                ProcessHandle.of(hostPid).ifPresent(ProcessHandle::destroyForcibly);
                own.killAll();
                own.delete();
                throw e;
            }
            return new ForkedWorker(channel, CODE_DIR, ProcessHandle.of(hostPid).orElseThrow(
                    () -> new IOException("the forked worker " + pidInSandbox + " exited")), own);
        }

        @Override
        public void initialized() {
            if (steadyCpus >= INIT_CPUS) {
                return; // it loaded under its steady cap already
            }
            try {
                cgroup.limitCpu(steadyCpus);
            } catch (IOException e) {
                kill();
            }
        }

        @Override
        public boolean oomKilled() {
            return cgroup.oomKilled();
        }

        @Override
        public synchronized void kill() {
            if (killed) {
                return;
            }
            killed = true;
            cgroup.killAll();
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            cgroup.delete();
            try {
                Files.deleteIfExists(arguments);
            } catch (IOException ignored) {
                // the instance folder is emptied at start-up anyway
            }
        }
    }
}
