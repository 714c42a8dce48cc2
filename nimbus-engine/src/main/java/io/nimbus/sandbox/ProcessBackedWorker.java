package io.nimbus.sandbox;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * A worker that is, from the host's side, one child process (the interpreter, bwrap or
 * runsc) whose standard pipes carry the protocol. The backends differ in how they confine
 * and kill it, not in how they talk to it.
 */
abstract class ProcessBackedWorker implements SandboxedWorker {
    protected final Process process;
    private final String codeDir;

    ProcessBackedWorker(Process process, String codeDir) {
        this.process = process;
        this.codeDir = codeDir;
    }

    @Override
    public final InputStream fromWorker() {
        return process.getInputStream();
    }

    @Override
    public final OutputStream toWorker() {
        return process.getOutputStream();
    }

    @Override
    public final String codeDir() {
        return codeDir;
    }

    @Override
    public final boolean isAlive() {
        return process.isAlive();
    }
}
