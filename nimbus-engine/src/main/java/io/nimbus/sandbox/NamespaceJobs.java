package io.nimbus.sandbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs one-shot jobs in the namespace sandbox, with the same chain, seccomp filter and
 * unprivileged uid as workers ({@link NamespaceChain}), each under a control group of its
 * own. On its timeout, or when it ends, every process of the job is killed through the group:
 * a compiler's children, or a daemon the job tried to leave behind, go with it.
 */
public final class NamespaceJobs implements JobRunner {
    /** Diagnostics kept per job: a compiler's worst error list, not an unbounded flood. */
    public static final int STDERR_LIMIT_BYTES = 64 * 1024;

    private final Path seccompProgram;
    private final String cgroupScope;
    private final Path optionsDir;

    private NamespaceJobs(Path seccompProgram, String cgroupScope, Path optionsDir) {
        this.seccompProgram = seccompProgram;
        this.cgroupScope = cgroupScope;
        this.optionsDir = optionsDir;
    }

    /** Why jobs cannot run here, or null when they can. */
    public static String unavailableReason() {
        return NamespaceChain.unavailableReason();
    }

    /**
     * The runner of the server with this data directory. Its control groups live beside the
     * instances' scope, in one of their own, so that neither's clean-up at start-up touches
     * the other's; what a killed predecessor left there is removed now.
     */
    public static NamespaceJobs create(Path dataDir) throws IOException {
        Path program = SeccompFilter.writeTo(Files.createDirectories(dataDir.resolve("sandbox")));
        String scope = NamespaceChain.scope(dataDir) + "-jobs";
        Cgroup.removeLeftovers(scope);
        return new NamespaceJobs(program, scope, Files.createDirectories(dataDir.resolve("jobs")));
    }

    @Override
    public JobResult run(SandboxJob job) throws IOException {
        Cgroup cgroup = Cgroup.create(cgroupScope, job.id(), job.limits());
        Path options = optionsDir.resolve(job.id() + ".args");
        try {
            Files.writeString(options, String.join("\0", bwrapOptions(job)) + "\0");
            long fileSizeLimit = (job.limits().tmpMb() + 1L) * 1024L * 1024L;
            ProcessBuilder builder = new ProcessBuilder(NamespaceChain.command(NamespaceChain.Descriptors.STANDARD,
                    seccompProgram, options, cgroup, NamespaceChain.unprivileged(fileSizeLimit, job.command())));
            builder.environment().clear();
            builder.environment().putAll(job.environment());
            return supervise(builder.start(), job, cgroup);
        } finally {
            cgroup.killAll();
            cgroup.delete();
            Files.deleteIfExists(options);
        }
    }

    private static List<String> bwrapOptions(SandboxJob job) {
        List<String> args = new ArrayList<>(NamespaceChain.namespacesAndRoot());
        Set<String> parents = new LinkedHashSet<>();
        for (SandboxJob.Mount mount : job.mounts()) {
            // bwrap would make missing parents of a mount point readable by root only
            Path inside = Path.of(mount.inside());
            for (int depth = 1; depth < inside.getNameCount(); depth++) {
                if (parents.add("/" + inside.subpath(0, depth))) {
                    args.addAll(List.of("--perms", "0755", "--dir", "/" + inside.subpath(0, depth)));
                }
            }
            args.addAll(List.of("--ro-bind", mount.host().toString(), mount.inside()));
        }
        args.addAll(NamespaceChain.scratchAndDevices(job.limits().tmpMb()));
        args.addAll(NamespaceChain.capabilitiesAndSeccomp());
        args.addAll(List.of("--chdir", job.workDir()));
        args.addAll(NamespaceChain.network(job.limits().network()));
        return args;
    }

    private static JobResult supervise(Process process, SandboxJob job, Cgroup cgroup) throws IOException {
        CappedSink stdout = new CappedSink(job.stdout());
        CappedSink stderr = new CappedSink(SandboxJob.Output.inMemory(STDERR_LIMIT_BYTES));
        Thread feeder = Thread.ofVirtual().start(() -> feed(process.getOutputStream(), job.stdin()));
        Thread outReader = Thread.ofVirtual().start(() -> stdout.drain(process.getInputStream()));
        Thread errReader = Thread.ofVirtual().start(() -> stderr.drain(process.getErrorStream()));
        try {
            boolean ended = process.waitFor(job.timeout().toMillis(), TimeUnit.MILLISECONDS);
            // Whatever it left running holds the pipes open; the group takes it all down.
            cgroup.killAll();
            if (!ended) {
                // Not when it ended by itself: destroying closes the pipes, and their last
                // bytes may still be on their way to the readers.
                process.destroyForcibly();
            }
            process.waitFor();
            feeder.join();
            outReader.join();
            errReader.join();
            stdout.close();
            if (!ended) {
                return new JobResult.TimedOut(stderr.text());
            }
            return new JobResult.Exited(process.exitValue(), stdout.bytes(), stdout.incomplete(), stderr.text(),
                    cgroup.oomKilled());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while job " + job.id() + " ran", e);
        }
    }

    private static void feed(OutputStream in, byte[] bytes) {
        try (in) {
            in.write(bytes);
        } catch (IOException ignored) {
            // the command did not read all of its input: its business
        }
    }

    /**
     * Keeps the first bytes of a stream, up to a limit, and reads the rest to nowhere. Read by
     * one thread, then looked at by another only after that thread was joined.
     */
    private static final class CappedSink {
        private final long limit;
        private final OutputStream target;
        private final ByteArrayOutputStream memory;
        private long kept;
        private boolean incomplete;

        CappedSink(SandboxJob.Output output) throws IOException {
            this.limit = output.limitBytes();
            this.memory = output.file() == null ? new ByteArrayOutputStream() : null;
            this.target = output.file() == null ? memory : Files.newOutputStream(output.file());
        }

        void drain(InputStream in) {
            byte[] buffer = new byte[64 * 1024];
            try (in) {
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    int keep = (int) Math.min(read, limit - kept);
                    if (keep > 0) {
                        target.write(buffer, 0, keep);
                        kept += keep;
                    }
                    incomplete |= keep < read;
                }
            } catch (IOException e) {
                incomplete = true;
            }
        }

        boolean incomplete() {
            return incomplete;
        }

        byte[] bytes() {
            return memory == null ? new byte[0] : memory.toByteArray();
        }

        String text() {
            String text = new String(bytes(), StandardCharsets.UTF_8);
            return incomplete ? text + "\n[nimbus: output truncated at " + limit + " bytes]\n" : text;
        }

        void close() throws IOException {
            target.close();
        }
    }
}
