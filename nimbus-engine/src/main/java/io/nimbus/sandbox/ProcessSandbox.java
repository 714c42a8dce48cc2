package io.nimbus.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * No isolation: the worker is a plain child process of the server, with a cleared
 * environment. For development only; the server warns loudly when it is chosen.
 *
 * <p>The worker is started through {@code /bin/sh} only to move the pipes Java gives a child
 * onto the descriptors the protocol uses: the parent's pipe to the child's stdin becomes
 * fd 3, the child's stdout pipe becomes fd 4, stdin becomes /dev/null and stdout joins
 * stderr, which appends to the launch's stray-output file. A function that prints cannot
 * reach fd 4.
 */
public final class ProcessSandbox implements SandboxBackend {
    private static final String MOVE_PIPES = "exec \"$0\" \"$@\" 3<&0 4>&1 </dev/null 1>&2";

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
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", MOVE_PIPES));
        command.addAll(launch.command());
        ProcessBuilder builder = new ProcessBuilder(command).directory(launch.codeDir().toFile());
        builder.environment().clear();
        builder.environment().putAll(launch.environment());
        builder.redirectError(ProcessBuilder.Redirect.appendTo(launch.strayOutputFile().toFile()));
        return new ProcessWorker(builder.start());
    }

    private record ProcessWorker(Process process) implements SandboxedWorker {
        @Override
        public InputStream fromWorker() {
            return process.getInputStream();
        }

        @Override
        public OutputStream toWorker() {
            return process.getOutputStream();
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public void kill() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
