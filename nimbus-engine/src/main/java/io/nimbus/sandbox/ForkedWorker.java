package io.nimbus.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A worker forked by a template worker: one process inside the template's sandbox, talking
 * over a unix socket instead of pipes. Under {@code namespace} it has a control group of its
 * own, which is how it is limited and killed apart from its parent and siblings; under
 * {@code process} it is killed by pid.
 */
final class ForkedWorker implements SandboxedWorker {
    private final SocketChannel channel;
    private final InputStream fromWorker;
    private final OutputStream toWorker;
    private final String codeDir;
    private final ProcessHandle process;
    private final Cgroup cgroup;
    private volatile boolean killed;

    /** @param cgroup the child's own group, which it has already joined; null under {@code process} */
    ForkedWorker(SocketChannel channel, String codeDir, ProcessHandle process, Cgroup cgroup) {
        this.channel = channel;
        this.fromWorker = Channels.newInputStream(channel);
        this.toWorker = Channels.newOutputStream(channel);
        this.codeDir = codeDir;
        this.process = process;
        this.cgroup = cgroup;
    }

    /**
     * The host's pid of a process of a sandbox, found among {@code candidates} (host pids) by
     * the last field of their NSpid line, which is the pid in the innermost pid namespace.
     * -1 when none matches, for instance because the process has already exited.
     */
    static long hostPid(List<Long> candidates, long pidInSandbox) {
        for (long candidate : candidates) {
            if (innermostPid(candidate) == pidInSandbox) {
                return candidate;
            }
        }
        return -1;
    }

    private static long innermostPid(long hostPid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(hostPid), "status"))) {
                if (line.startsWith("NSpid:")) {
                    String[] fields = line.substring("NSpid:".length()).trim().split("\\s+");
                    // one field only: the process is in the host's namespace, not a sandbox's
                    return fields.length < 2 ? -1 : Long.parseLong(fields[fields.length - 1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone meanwhile
        }
        return -1;
    }

    @Override
    public InputStream fromWorker() {
        return fromWorker;
    }

    @Override
    public OutputStream toWorker() {
        return toWorker;
    }

    @Override
    public String codeDir() {
        return codeDir;
    }

    @Override
    public boolean isAlive() {
        return !killed && process.isAlive() && channel.isOpen();
    }

    @Override
    public boolean oomKilled() {
        return cgroup != null && cgroup.oomKilled();
    }

    @Override
    public synchronized void kill() {
        if (killed) {
            return;
        }
        killed = true;
        if (cgroup != null) {
            cgroup.killAll();
            cgroup.delete();
        } else {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing is all that was left to do
        }
    }
}
