package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Per-function pools: warm minimums, bursts, the memory budget, dead instances, and stem cells. */
class PoolBehaviourTest {

    @Test
    void minInstancesAreWarmBeforeTheFirstCallAndStayWarm() {
        try (RunningNimbus nimbus = RunningNimbus.start(Map.of(Setting.IDLE_TTL_SEC, "1"))) {
            ApiClient api = nimbus.client();
            JsonNode created = api.createFunction("provisioned", "python", "def handler(event):\n    return 'warm'\n",
                    Map.of("min_instances", 2));
            assertThat(created.path("min_instances").asInt()).isEqualTo(2);

            Reply health = api.await("/health", r -> pool(r, "provisioned").path("idle").asInt() == 2, Duration.ofSeconds(30));
            Reply first = api.invoke("provisioned", "{}");
            ApiClient.sleep(2500);

            assertThat(pool(health, "provisioned").path("instances").asInt()).isEqualTo(2);
            assertThat(first.header("X-Nimbus-Cold-Start")).isEqualTo("false");
            assertThat(pool(api.get("/health"), "provisioned").path("instances").asInt())
                    .as("kept past the idle TTL").isEqualTo(2);
        }
    }

    @Test
    void aBurstOf50ConcurrentFirstCallsIsServedCompletely() throws Exception {
        try (RunningNimbus nimbus = RunningNimbus.start()) {
            ApiClient api = nimbus.client();
            api.createFunction("bursty", "node", "exports.handler = async (e) => { await new Promise(r => setTimeout(r, 20)); return e.i; };\n");
            AtomicInteger served = new AtomicInteger();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int n = i;
                callers.add(Thread.ofVirtual().start(() -> {
                    Reply reply = api.invoke("bursty", "{\"i\": " + n + "}");
                    if (reply.status() == 200 && reply.body().equals(Integer.toString(n))) {
                        served.incrementAndGet();
                    }
                }));
            }
            for (Thread caller : callers) {
                caller.join();
            }

            assertThat(served.get()).isEqualTo(50);
            assertThat(pool(api.get("/health"), "bursty").path("instances").asInt()).isBetween(1, 10);
        }
    }

    @Test
    void whenTheMemoryBudgetIsFullTheLeastRecentlyUsedIdleInstanceOfAnotherFunctionIsEvicted() {
        try (RunningNimbus nimbus = RunningNimbus.start(Map.of(Setting.MEMORY_BUDGET_MB, "600"))) {
            ApiClient api = nimbus.client();
            for (String name : List.of("oldest", "newer", "newest")) {
                api.createFunction(name, "python", "def handler(event):\n    return 1\n", Map.of("memory_mb", 256));
            }
            assertThat(api.invoke("oldest", "{}").status()).isEqualTo(200);
            assertThat(api.invoke("newer", "{}").status()).isEqualTo(200);

            Reply newest = api.invoke("newest", "{}");

            Reply health = api.get("/health");
            assertThat(newest.status()).isEqualTo(200);
            assertThat(pool(health, "oldest").path("instances").asInt()).as("evicted").isZero();
            assertThat(pool(health, "newer").path("instances").asInt()).isEqualTo(1);
            assertThat(pool(health, "newest").path("instances").asInt()).isEqualTo(1);
            assertThat(health.json().path("memory_budget").path("used_mb").asInt()).isEqualTo(512);
        }
    }

    @Test
    void anInstanceThatDiesWhileIdleIsNeverHandedARequest() {
        try (RunningNimbus nimbus = RunningNimbus.start(Map.of(Setting.ALLOW_PROCESS, "true"))) {
            ApiClient api = nimbus.client();
            api.createFunction("fragile", "python", "import os\ndef handler(event):\n    return os.getpid()\n",
                    Map.of("isolation", "process"));
            long pid = Long.parseLong(api.invoke("fragile", "{}").body());

            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            api.await("/health", r -> ProcessHandle.of(pid).isEmpty(), Duration.ofSeconds(10));
            Reply next = api.invoke("fragile", "{}");

            assertThat(next.status()).isEqualTo(200);
            assertThat(next.header("X-Nimbus-Cold-Start")).isEqualTo("true");
            assertThat(Long.parseLong(next.body())).isNotEqualTo(pid);
        }
    }

    @Test
    void theHealthCheckRemovesAnIdleInstanceThatStoppedAnswering() {
        try (RunningNimbus nimbus = RunningNimbus.start(Map.of(Setting.HEALTH_CHECK_MS, "200", Setting.ALLOW_PROCESS, "true"))) {
            ApiClient api = nimbus.client();
            api.createFunction("silent", "python", "import os\ndef handler(event):\n    return os.getpid()\n",
                    Map.of("isolation", "process"));
            long pid = Long.parseLong(api.invoke("silent", "{}").body());

            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            Reply health = api.await("/health", r -> pool(r, "silent").path("instances").asInt() == 0, Duration.ofSeconds(30));

            assertThat(pool(health, "silent").path("instances").asInt()).isZero();
        }
    }

    @Test
    void aColdInvocationWithAStemCellReadyStartsNoNewProcessOnTheRequestPath() {
        try (RunningNimbus nimbus = RunningNimbus.start(Map.of(Setting.SANDBOX, "process"))) {
            ApiClient api = nimbus.client();
            api.await("/health", r -> r.json().path("stem_cells").path("python3.11/process/256MB").asInt() == 2,
                    Duration.ofSeconds(30));
            api.createFunction("from-a-cell", "python", "import os\ndef handler(event):\n    return os.getpid()\n");
            java.time.Instant requested = java.time.Instant.now();

            Reply reply = api.invoke("from-a-cell", "{}");

            assertThat(reply.header("X-Nimbus-Cold-Start")).isEqualTo("true");
            java.time.Instant workerStarted = ProcessHandle.of(Long.parseLong(reply.body())).orElseThrow()
                    .info().startInstant().orElseThrow();
            assertThat(workerStarted).as("the worker was running before the request").isBefore(requested);
            assertThat(api.get("/metrics").body())
                    .contains("nimbus_vm_boot_duration_ms_count{from_snapshot=\"true\",runtime=\"python3.11\"} 1");
        }
    }

    @Test
    void sandboxedStemCellsServeColdInvocationsAndAreReplenished() {
        try (RunningNimbus nimbus = RunningNimbus.start()) {
            ApiClient api = nimbus.client();
            api.await("/health", r -> r.json().path("stem_cells").path("nodejs20/namespace/256MB").asInt() == 2,
                    Duration.ofSeconds(30));
            for (int i = 0; i < 3; i++) {
                api.createFunction("cell-node-" + i, "node", "exports.handler = async (e) => ({uid: process.getuid(), i: e.i});\n");
                Reply reply = api.invoke("cell-node-" + i, "{\"i\": " + i + "}");
                assertThat(reply.json().path("i").asInt()).isEqualTo(i);
                assertThat(reply.json().path("uid").asInt()).as("confined like any instance").isEqualTo(65534);
            }

            Reply health = api.await("/health", r -> r.json().path("stem_cells").path("nodejs20/namespace/256MB").asInt() == 2,
                    Duration.ofSeconds(30));

            assertThat(health.json().path("stem_cells").path("nodejs20/namespace/256MB").asInt()).as("replenished").isEqualTo(2);
            assertThat(api.get("/metrics").body())
                    .contains("nimbus_vm_boot_duration_ms_count{from_snapshot=\"true\",runtime=\"nodejs20\"}");
        }
    }

    @Test
    void coldJavaInvocationsWithStemCellsReadyStartNoNewJvmOnTheRequestPath() {
        try (RunningNimbus nimbus = RunningNimbus.start()) {
            ApiClient api = nimbus.client();
            assumeTrue(CompiledRuntimesTest.available(api, "java25"), "no JDK that can compile");
            api.await("/health", r -> r.json().path("stem_cells").path("java25/namespace/256MB").asInt() == 2,
                    Duration.ofSeconds(60));
            for (String handler : List.of("First", "Second")) {
                String name = "cell-java-" + handler.toLowerCase(Locale.ROOT);
                Reply created = CompiledRuntimesTest.create(api, name, "java25", "com.example." + handler,
                        javaHandlerReportingItsJvm(handler), Map.of("env_vars", Map.of("GREETING", "hello " + handler)));
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
                JsonNode built = CompiledRuntimesTest.awaitBuilt(api, name);
                assertThat(built.path("status").asText()).as(built.toString()).isEqualTo("active");
            }
            Instant requested = Instant.now();

            Reply first = api.invoke("cell-java-first", "{}");
            Reply second = api.invoke("cell-java-second", "{}");

            for (Reply reply : List.of(first, second)) {
                assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
                assertThat(reply.header("X-Nimbus-Cold-Start")).isEqualTo("true");
                assertThat(Instant.ofEpochMilli(reply.json().path("jvm_started").asLong()))
                        .as("the JVM was running before the request").isBefore(requested);
            }
            assertThat(first.json().path("greeting").asText()).isEqualTo("hello First");
            assertThat(second.json().path("greeting").asText()).isEqualTo("hello Second");
            assertThat(second.json().path("handler").asText()).isEqualTo("Second");
            assertThat(api.get("/metrics").body())
                    .contains("nimbus_vm_boot_duration_ms_count{from_snapshot=\"true\",runtime=\"java25\"} 2");
        }
    }

    /** A handler that answers when its JVM started, its GREETING variable and its own class's name. */
    private static String javaHandlerReportingItsJvm(String className) {
        return """
                package com.example;

                import io.nimbus.sdk.Context;
                import io.nimbus.sdk.Handler;
                import java.lang.management.ManagementFactory;
                import java.util.Map;

                public class %s implements Handler {
                    @Override
                    public Object handleRequest(Object event, Context context) {
                        return Map.of("jvm_started", ManagementFactory.getRuntimeMXBean().getStartTime(),
                                "greeting", System.getenv("GREETING"), "handler", getClass().getSimpleName());
                    }
                }
                """.formatted(className);
    }

    @Test
    void healthChecksOfSeveralIdleInstancesDoNotStopIdleOnesFromBeingReaped() throws Exception {
        try (RunningNimbus nimbus = RunningNimbus.start(Map.of(Setting.HEALTH_CHECK_MS, "100", Setting.IDLE_TTL_SEC, "2"))) {
            ApiClient api = nimbus.client();
            api.createFunction("pinged", "python", "import time\ndef handler(event):\n    time.sleep(0.3)\n    return 1\n");
            Thread a = Thread.ofVirtual().start(() -> api.invoke("pinged", "{}"));
            Thread b = Thread.ofVirtual().start(() -> api.invoke("pinged", "{}"));
            a.join();
            b.join();
            assertThat(pool(api.get("/health"), "pinged").path("idle").asInt()).isEqualTo(2);

            Reply health = api.await("/health", r -> pool(r, "pinged").path("instances").asInt() == 0, Duration.ofSeconds(30));

            assertThat(pool(health, "pinged").path("instances").asInt()).isZero();
        }
    }

    static JsonNode pool(Reply health, String function) {
        for (JsonNode pool : health.json().path("pools")) {
            if (pool.path("function_name").asText().equals(function)) {
                return pool;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
