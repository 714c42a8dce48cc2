package io.nimbus.api;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nimbus.invoker.AsyncInvocations;
import io.nimbus.pool.InstancePool;
import io.nimbus.pool.InstancePools;
import io.nimbus.runtime.RuntimeCatalogue;
import io.nimbus.runtime.RuntimeEntry;
import io.nimbus.sandbox.SandboxBackends;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** /health (details), /health/live and /health/ready; and /api/v1/runtimes. */
final class HealthHandlers {
    private final RuntimeCatalogue runtimes;
    private final InstancePools pools;
    private final AsyncInvocations async;
    private final String storeKind;
    private final BooleanSupplier storeUp;
    private final BooleanSupplier accepting;

    HealthHandlers(RuntimeCatalogue runtimes, InstancePools pools, AsyncInvocations async, String storeKind,
                   BooleanSupplier storeUp, BooleanSupplier accepting) {
        this.runtimes = runtimes;
        this.pools = pools;
        this.async = async;
        this.storeKind = storeKind;
        this.storeUp = storeUp;
        this.accepting = accepting;
    }

    void live(ServerRequest request, ServerResponse response) {
        Exchange.json(response, 200, Map.of("status", "UP"));
    }

    void ready(ServerRequest request, ServerResponse response) {
        boolean ready = accepting.getAsBoolean() && storeUp.getAsBoolean();
        Exchange.json(response, ready ? 200 : 503, Map.of("status", ready ? "UP" : "DOWN"));
    }

    void details(ServerRequest request, ServerResponse response) {
        boolean store = storeUp.getAsBoolean();
        boolean up = store && accepting.getAsBoolean();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("store", Map.of("kind", storeKind, "status", store ? "UP" : "DOWN"));
        body.put("sandbox", sandbox());
        body.put("runtimes", runtimes.all().stream().map(HealthHandlers::runtime).toList());
        body.put("pools", pools.all().stream().map(HealthHandlers::pool).toList());
        body.put("stem_cells", pools.readyStemCells());
        body.put("memory_budget", Map.of("capacity_mb", pools.budget().capacityMb(), "used_mb", pools.budget().usedMb()));
        body.put("async", Map.of("queue_depth", async.depth(), "in_flight", async.inFlight()));
        Exchange.json(response, up ? 200 : 503, body);
    }

    void runtimes(ServerRequest request, ServerResponse response) {
        List<Map<String, Object>> list = runtimes.all().stream().map(HealthHandlers::runtime).toList();
        Exchange.json(response, 200, Map.of("runtimes", list));
    }

    private Map<String, Object> sandbox() {
        SandboxBackends sandboxes = pools.sandboxes();
        Map<String, Object> sandbox = new LinkedHashMap<>();
        sandbox.put("backend", sandboxes.defaultName());
        Map<String, String> status = sandboxes.status();
        if (status.containsKey("process") && status.get("process") == null) {
            sandbox.put("warning", "functions may run without isolation (process backend enabled): development only");
        }
        Map<String, Object> backends = new LinkedHashMap<>();
        sandboxes.status().forEach((name, reason) -> backends.put(name,
                reason == null ? Map.of("available", true) : Map.of("available", false, "reason", reason)));
        sandbox.put("backends", backends);
        return sandbox;
    }

    static Map<String, Object> runtime(RuntimeEntry runtime) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", runtime.id());
        view.put("aliases", runtime.aliases().stream().sorted().toList());
        view.put("language", runtime.language());
        view.put("version", runtime.version());
        view.put("available", runtime.available());
        view.put("kind", runtime.kind().wireName());
        if (!runtime.available()) {
            view.put("missing_packages", runtime.missingPackages());
            view.put("install", "apt-get install -y " + String.join(" ", runtime.missingPackages()));
        }
        return view;
    }

    private static Map<String, Object> pool(InstancePool pool) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("function_id", pool.function().id());
        view.put("function_name", pool.function().name());
        view.put("version", pool.function().version());
        view.put("instances", pool.liveInstances());
        view.put("idle", pool.idleInstances());
        view.put("template", pool.hasTemplate());
        view.put("max_instances", pool.function().maxInstances());
        view.put("min_instances", pool.function().pool().minInstances());
        return view;
    }
}
