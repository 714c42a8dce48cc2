package io.nimbus.sandbox;

import java.nio.file.Path;
import java.util.Map;

/**
 * What to start, in host terms: the runtime's interpreter and bootstrap, the function's
 * code directory, the environment the worker starts with, its limits, and the file its
 * stdout and stderr append to (see the pool's StrayOutput). Each backend decides where
 * these appear inside its sandbox.
 *
 * @param forkDir for a template (a worker that forks instances of its function): a host
 *                directory the worker can reach, holding the socket its children connect to
 *                and their stray-output files; null for any other worker
 */
public record WorkerLaunch(String instanceId, Path interpreter, Path bootstrap, Path codeDir,
                           Map<String, String> environment, SandboxLimits limits, Path strayOutputFile, Path forkDir) {

    /** A worker that will not fork. */
    public WorkerLaunch(String instanceId, Path interpreter, Path bootstrap, Path codeDir,
                        Map<String, String> environment, SandboxLimits limits, Path strayOutputFile) {
        this(instanceId, interpreter, bootstrap, codeDir, environment, limits, strayOutputFile, null);
    }

    /**
     * The installation a sandbox must bind, read-only and in place, for an interpreter outside
     * /usr (pyenv's, say): bin/.. . Null for one under /usr, which every sandbox binds anyway.
     */
    public Path interpreterHome() {
        return interpreter.startsWith("/usr") ? null : interpreter.getParent().getParent();
    }
}
