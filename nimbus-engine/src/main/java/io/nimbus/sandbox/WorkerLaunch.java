package io.nimbus.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What to start, in host terms: the runtime's interpreter, its options and bootstrap (or, with
 * no interpreter, a bootstrap that is itself the executable: a compiled worker), the
 * function's code directory, the environment the worker starts with, its limits, and the
 * file its stdout and stderr append to (see the pool's StrayOutput). Each backend decides
 * where these appear inside its sandbox.
 *
 * @param interpreterOptions arguments between the interpreter and the bootstrap (a JVM's
 *                           flags); {@link #RUNTIME_DIR_VARIABLE} in one stands for the bootstrap's
 *                           directory as the worker sees it, so that an option can name a
 *                           file there (the JVM's AOT cache)
 * @param forkDir            for a template (a worker that forks instances of its function): a
 *                           host directory the worker can reach, holding the socket its children
 *                           connect to and their stray-output files; null for any other worker
 */
public record WorkerLaunch(String instanceId, Path interpreter, List<String> interpreterOptions, Path bootstrap,
                           Path codeDir, Map<String, String> environment, SandboxLimits limits, Path strayOutputFile,
                           Path forkDir) {

    /** Replaced, in interpreter options, by the bootstrap's directory as the worker sees it. */
    public static final String RUNTIME_DIR_VARIABLE = "{runtime_dir}";

    public WorkerLaunch {
        interpreterOptions = List.copyOf(interpreterOptions);
    }

    /** A launch whose interpreter takes the bootstrap alone, as python3 and node do, and that will not fork. */
    public WorkerLaunch(String instanceId, Path interpreter, Path bootstrap, Path codeDir,
                        Map<String, String> environment, SandboxLimits limits, Path strayOutputFile) {
        this(instanceId, interpreter, List.of(), bootstrap, codeDir, environment, limits, strayOutputFile, null);
    }

    /** A launch that will not fork. */
    public WorkerLaunch(String instanceId, Path interpreter, List<String> interpreterOptions, Path bootstrap,
                        Path codeDir, Map<String, String> environment, SandboxLimits limits, Path strayOutputFile) {
        this(instanceId, interpreter, interpreterOptions, bootstrap, codeDir, environment, limits, strayOutputFile, null);
    }

    /** The same launch, as a template that forks through {@code forkDir}. */
    public WorkerLaunch forking(Path forkDir) {
        return new WorkerLaunch(instanceId, interpreter, interpreterOptions, bootstrap, codeDir, environment, limits,
                strayOutputFile, forkDir);
    }

    /** The interpreter, its options and the bootstrap, for a worker that sees the bootstrap's directory at {@code runtimeDir}. */
    public List<String> command(String runtimeDir) {
        List<String> command = new ArrayList<>();
        if (interpreter == null) {
            return List.of(runtimeDir + "/" + bootstrap.getFileName());
        }
        command.add(interpreter.toString());
        interpreterOptions.forEach(option -> command.add(option.replace(RUNTIME_DIR_VARIABLE, runtimeDir)));
        command.add(runtimeDir + "/" + bootstrap.getFileName());
        return command;
    }

    /**
     * The installation a sandbox must bind, read-only and in place, for an interpreter outside
     * /usr (pyenv's, say): bin/.. . Null for one under /usr, which every sandbox binds anyway,
     * and for a compiled worker, which has none.
     */
    public Path interpreterHome() {
        return interpreter == null || interpreter.startsWith("/usr") ? null : interpreter.getParent().getParent();
    }
}
