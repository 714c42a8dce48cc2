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
}
