package io.nimbus.api;

import io.nimbus.domain.Alias;
import io.nimbus.domain.Function;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationError;
import io.nimbus.pool.PoolSettings;
import io.nimbus.runtime.RuntimeCatalogue;
import io.nimbus.runtime.RuntimeEntry;
import io.nimbus.sandbox.SandboxBackends;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** How functions, invocations and errors look on the wire. Field names are the seed model's. */
final class Views {
    private final RuntimeCatalogue runtimes;
    private final SandboxBackends sandboxes;
    private final PoolSettings poolDefaults;

    Views(RuntimeCatalogue runtimes, SandboxBackends sandboxes, PoolSettings poolDefaults) {
        this.runtimes = runtimes;
        this.sandboxes = sandboxes;
        this.poolDefaults = poolDefaults;
    }

    Map<String, Object> function(Function f) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", f.id());
        view.put("name", f.name());
        view.put("description", f.description());
        view.put("runtime", f.runtime());
        view.put("runtime_version", runtimes.find(f.runtime()).map(RuntimeEntry::version).orElse(null));
        view.put("handler", f.handler());
        view.put("memory_mb", f.memoryMb());
        view.put("timeout_sec", f.timeoutSec());
        view.put("max_instances", f.maxInstances());
        view.put("min_instances", f.pool().minInstances());
        PoolSettings pool = poolDefaults.forFunction(f);
        view.put("queue_timeout_ms", pool.queueTimeout().toMillis());
        view.put("idle_ttl_sec", pool.idleTtl().toSeconds());
        view.put("max_age_sec", pool.maxAge().toSeconds());
        view.put("max_invocations", pool.maxInvocations());
        view.put("isolation", f.sandbox().isolation() == null ? sandboxes.defaultName() : f.sandbox().isolation());
        view.put("network", f.sandbox().network());
        view.put("ephemeral_storage_mb", f.sandbox().ephemeralStorageMb());
        view.put("cpus", sandboxes.limitsFor(f).cpus());
        view.put("env_vars", f.envVars());
        view.put("tags", f.tags());
        view.put("status", f.status().wireName());
        view.put("build_log", f.buildLog());
        view.put("http_path", f.httpRoute() == null ? null : f.httpRoute().path());
        view.put("http_methods", f.httpRoute() == null ? null : f.httpRoute().methods());
        view.put("version", f.version());
        view.put("code_hash", f.codeHash());
        view.put("created_at", time(f.createdAt()));
        view.put("updated_at", time(f.updatedAt()));
        return view;
    }

    static Map<String, Object> alias(Alias a) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", a.name());
        view.put("version", a.version());
        view.put("additional_version", a.additionalVersion());
        view.put("weight", a.weight());
        view.put("created_at", time(a.createdAt()));
        view.put("updated_at", time(a.updatedAt()));
        return view;
    }

    static Map<String, Object> invocation(Invocation i) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", i.id());
        view.put("function_id", i.functionId());
        view.put("function_name", i.functionName());
        view.put("function_version", i.functionVersion());
        view.put("trigger_type", i.triggerType().wireName());
        view.put("status", i.status().wireName());
        if (i.input() != null) {
            view.put("input", Json.tree(i.input()));
        }
        view.put("output", Json.tree(i.output()));
        view.put("error", i.error() == null ? null : error(i.error()));
        view.put("logs", i.logs() == null ? "" : i.logs());
        view.put("duration_ms", i.durationMs());
        view.put("cold_start", i.coldStart());
        view.put("created_at", time(i.createdAt()));
        view.put("started_at", time(i.startedAt()));
        view.put("completed_at", time(i.completedAt()));
        return view;
    }

    /** The error object of the one error shape, with the handler's type and stack when there is one. */
    static Map<String, Object> error(InvocationError error) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("code", error.code());
        view.put("message", error.message());
        if (error.type() != null) {
            view.put("type", error.type());
        }
        if (error.stackTrace() != null && !error.stackTrace().isBlank()) {
            view.put("stack_trace", error.stackTrace());
        }
        return view;
    }

    static Map<String, Object> errorBody(String code, String message, String field) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        if (field != null) {
            error.put("field", field);
        }
        return Map.of("error", error);
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
