package io.nimbus.sandbox;

import java.nio.file.Path;
import java.util.Map;

/**
 * What to start, in host terms: the runtime's interpreter and bootstrap, the function's
 * code directory, the environment the worker starts with, its limits, and the file its
 * stdout and stderr append to (see the pool's StrayOutput). Each backend decides where
 * these appear inside its sandbox.
 */
public record WorkerLaunch(String instanceId, Path interpreter, Path bootstrap, Path codeDir,
                           Map<String, String> environment, SandboxLimits limits, Path strayOutputFile) {

    /**
     * The installation a sandbox must bind, read-only and in place, for an interpreter outside
     * /usr (pyenv's, say): bin/.. . Null for one under /usr, which every sandbox binds anyway.
     */
    public Path interpreterHome() {
        return interpreter.startsWith("/usr") ? null : interpreter.getParent().getParent();
    }
}
