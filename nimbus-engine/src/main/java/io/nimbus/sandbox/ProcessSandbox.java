package io.nimbus.sandbox;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * No isolation: the worker is a plain child process of the server, with a cleared
 * environment and no limits but the host-enforced timeout. For development only; the
 * server warns loudly when it is chosen.
 */
public final class ProcessSandbox implements SandboxBackend {

    @Override
    public String name() {
        return "process";
    }

    @Override
    public boolean isolates() {
        return false;
    }

    @Override
    public SandboxedWorker start(WorkerLaunch launch) throws IOException {
        List<String> command = WorkerCommands.movingProtocolPipes(
                launch.command(launch.bootstrap().toAbsolutePath().getParent().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(launch.codeDir().toFile());
        builder.environment().clear();
        builder.environment().putAll(launch.environment());
        builder.redirectError(ProcessBuilder.Redirect.appendTo(launch.strayOutputFile().toFile()));
        return new ProcessWorker(builder.start(), launch.codeDir().toString(), launch.forkDir());
    }

    @Override
    public boolean canFork() {
        return true;
    }

    private static final class ProcessWorker extends ProcessBackedWorker {
        private final Path forkDir;

        ProcessWorker(Process process, String codeDir, Path forkDir) {
            super(process, codeDir);
            this.forkDir = forkDir;
        }

        @Override
        public String forkDir() {
            return forkDir == null ? null : forkDir.toString();
        }

        /** No sandbox: the child's pid is the host's, and it has no limits to move into. */
        @Override
        public SandboxedWorker adoptChild(long pid, SocketChannel channel, String instanceId, SandboxLimits limits)
                throws IOException {
            // only a child of this worker: never a pid it merely names
            ProcessHandle child = process.children().filter(handle -> handle.pid() == pid).findFirst()
                    .orElseThrow(() -> new IOException("the forked worker " + pid + " is not a child of its template"));
            return new ForkedWorker(channel, codeDir(), child, null);
        }

        @Override
        public boolean oomKilled() {
            return false;
        }

        @Override
        public void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
