package io.nimbus.sandbox;

import java.io.IOException;
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
        return new ProcessWorker(builder.start(), launch.codeDir().toString());
    }

    private static final class ProcessWorker extends ProcessBackedWorker {
        ProcessWorker(Process process, String codeDir) {
            super(process, codeDir);
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
