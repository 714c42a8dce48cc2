package io.nimbus.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A deployed function at its current version. Immutable: an update produces a new record
 * with the next {@code version} and the new {@code codeHash}.
 *
 * @param runtime      canonical runtime id, for example {@code python3.11}
 * @param handler      {@code module.function}
 * @param maxInstances concurrency cap: the most instances (and so in-flight invocations) at once
 * @param sandbox      how its instances are confined
 * @param pool         how its instances are pooled
 * @param buildLog     for a compiled runtime, what its build said (diagnostics when {@code status}
 *                     is failed); null before a build ends and for runtimes that are not built
 * @param httpRoute    where it is served over plain HTTP, or null; a route belongs to the
 *                     function and is served by its latest version
 */
public record Function(
        String id,
        String name,
        String description,
        String runtime,
        String handler,
        int memoryMb,
        int timeoutSec,
        int maxInstances,
        Map<String, String> envVars,
        List<String> tags,
        FunctionStatus status,
        int version,
        String codeHash,
        Instant createdAt,
        Instant updatedAt,
        SandboxSpec sandbox,
        PoolSpec pool,
        String buildLog,
        HttpRoute httpRoute) {

    public Function {
        envVars = Map.copyOf(envVars);
        tags = List.copyOf(tags);
        sandbox = sandbox == null ? SandboxSpec.DEFAULT : sandbox;
        pool = pool == null ? PoolSpec.DEFAULT : pool;
    }

    /** A function with no HTTP route. */
    public Function(String id, String name, String description, String runtime, String handler, int memoryMb,
                    int timeoutSec, int maxInstances, Map<String, String> envVars, List<String> tags,
                    FunctionStatus status, int version, String codeHash, Instant createdAt, Instant updatedAt,
                    SandboxSpec sandbox, PoolSpec pool, String buildLog) {
        this(id, name, description, runtime, handler, memoryMb, timeoutSec, maxInstances, envVars, tags, status,
                version, codeHash, createdAt, updatedAt, sandbox, pool, buildLog, null);
    }

    /** A function with no build log (yet). */
    public Function(String id, String name, String description, String runtime, String handler, int memoryMb,
                    int timeoutSec, int maxInstances, Map<String, String> envVars, List<String> tags,
                    FunctionStatus status, int version, String codeHash, Instant createdAt, Instant updatedAt,
                    SandboxSpec sandbox, PoolSpec pool) {
        this(id, name, description, runtime, handler, memoryMb, timeoutSec, maxInstances, envVars, tags, status,
                version, codeHash, createdAt, updatedAt, sandbox, pool, null);
    }

    /** A function confined and pooled the default way. */
    public Function(String id, String name, String description, String runtime, String handler, int memoryMb,
                    int timeoutSec, int maxInstances, Map<String, String> envVars, List<String> tags,
                    FunctionStatus status, int version, String codeHash, Instant createdAt, Instant updatedAt) {
        this(id, name, description, runtime, handler, memoryMb, timeoutSec, maxInstances, envVars, tags, status,
                version, codeHash, createdAt, updatedAt, SandboxSpec.DEFAULT, PoolSpec.DEFAULT);
    }

    /** This version as its build left it. */
    public Function built(FunctionStatus newStatus, String log) {
        return new Function(id, name, description, runtime, handler, memoryMb, timeoutSec, maxInstances, envVars, tags,
                newStatus, version, codeHash, createdAt, updatedAt, sandbox, pool, log, httpRoute);
    }

    /** The key that names one version of this function: instances are bound to one for life. */
    public String versionKey() {
        return id + ":" + version;
    }
}
