package io.nimbus.server;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Idle instances are reaped, busy ones recycled by count and by age. */
class InstanceLifecycleTest {

    @Test
    void anIdleInstanceIsStoppedAfterTheIdleTtl() {
        try (RunningNimbus nimbus = RunningNimbus.start(Map.of(Setting.IDLE_TTL_SEC, "1"))) {
            ApiClient api = nimbus.client();
            api.createFunction("reaped", "python", "def handler(event):\n    return 1\n");
            assertThat(api.invoke("reaped", "{}").header("X-Nimbus-Cold-Start")).isEqualTo("true");

            Reply health = api.await("/health", r -> instances(r, "reaped") == 0, Duration.ofSeconds(30));

            assertThat(instances(health, "reaped")).isZero();
            assertThat(api.invoke("reaped", "{}").header("X-Nimbus-Cold-Start")).isEqualTo("true");
        }
    }

    @Test
    void anInstanceIsRecycledAfterMaxInvocationsWithoutACallerWaitingForTheReplacement() {
        try (RunningNimbus nimbus = RunningNimbus.start(Map.of(Setting.MAX_INVOCATIONS, "3", Setting.STEM_CELLS_TARGET, "0"))) {
            ApiClient api = nimbus.client();
            api.createFunction("recycled", "node",
                    "const instance = require('crypto').randomUUID();\nexports.handler = async () => instance;\n");

            Reply first = api.invoke("recycled", "{}");
            Reply second = api.invoke("recycled", "{}");
            Reply third = api.invoke("recycled", "{}");
            awaitBoots(api, "nodejs20", 2);
            Reply fourth = api.invoke("recycled", "{}");

            assertThat(first.header("X-Nimbus-Cold-Start")).isEqualTo("true");
            assertThat(second.header("X-Nimbus-Cold-Start")).isEqualTo("false");
            assertThat(third.header("X-Nimbus-Cold-Start")).isEqualTo("false");
            assertThat(third.body()).isEqualTo(first.body());
            assertThat(fourth.header("X-Nimbus-Cold-Start")).as("the replacement was ready").isEqualTo("false");
            assertThat(fourth.body()).as("served by the replacement").isNotEqualTo(first.body());
            // the old instance leaves off the request path, once its replacement is idle
            Reply health = api.await("/health", r -> instances(r, "recycled") == 1, java.time.Duration.ofSeconds(10));
            assertThat(instances(health, "recycled")).as("the old instance left").isEqualTo(1);
        }
    }

    @Test
    void anInstanceIsRecycledAfterMaxAge() {
        try (RunningNimbus nimbus = RunningNimbus.start(Map.of(Setting.MAX_AGE_SEC, "1", Setting.STEM_CELLS_TARGET, "0"))) {
            ApiClient api = nimbus.client();
            api.createFunction("aged", "python", "import uuid\nINSTANCE = uuid.uuid4().hex\ndef handler(event):\n    return INSTANCE\n");
            Reply first = api.invoke("aged", "{}");
            ApiClient.sleep(1100);

            Reply pastItsAge = api.invoke("aged", "{}");
            awaitBoots(api, "python3.11", 2);
            Reply replacement = api.invoke("aged", "{}");

            assertThat(pastItsAge.body()).isEqualTo(first.body());
            assertThat(replacement.header("X-Nimbus-Cold-Start")).isEqualTo("false");
            assertThat(replacement.body()).isNotEqualTo(first.body());
        }
    }

    /** Waits until {@code count} instances of the runtime have booted, as /metrics counts them. */
    private static void awaitBoots(ApiClient api, String runtime, int count) {
        String line = "nimbus_vm_boot_duration_ms_count{from_snapshot=\"false\",runtime=\"" + runtime + "\"} " + count;
        api.await("/metrics", r -> r.body().contains(line), Duration.ofSeconds(30));
    }

    @Test
    void concurrentCallsGetTheirOwnInstancesUpToMaxInstances() throws Exception {
        try (RunningNimbus nimbus = RunningNimbus.start()) {
            ApiClient api = nimbus.client();
            api.createFunction("parallel", "python",
                    "import time, uuid\nINSTANCE = uuid.uuid4().hex\ndef handler(event):\n    time.sleep(0.3)\n    return INSTANCE\n",
                    Map.of("max_instances", 3));
            java.util.List<Thread> callers = new java.util.ArrayList<>();
            java.util.Set<String> instanceIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
            for (int i = 0; i < 6; i++) {
                callers.add(Thread.ofVirtual().start(() -> {
                    Reply reply = api.invoke("parallel", "{}");
                    if (reply.status() == 200) {
                        ok.incrementAndGet();
                        instanceIds.add(reply.body());
                    }
                }));
            }
            for (Thread caller : callers) {
                caller.join();
            }

            assertThat(ok.get()).isEqualTo(6);
            assertThat(instanceIds.size()).isBetween(2, 3);
            assertThat(instances(api.get("/health"), "parallel")).isLessThanOrEqualTo(3);
        }
    }

    static int instances(Reply health, String function) {
        for (var pool : health.json().path("pools")) {
            if (pool.path("function_name").asText().equals(function)) {
                return pool.path("instances").asInt();
            }
        }
        return 0;
    }
}
