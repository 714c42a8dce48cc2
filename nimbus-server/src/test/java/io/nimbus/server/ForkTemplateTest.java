package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Functions that load slowly get a template, and their later instances are forked from it
 * with the module already imported; each forked instance is still confined on its own.
 */
class ForkTemplateTest {
    /** Imports slowly; every instance reports which import it came from, its pid, and what the event asks. */
    private static final String SLOW_MODULE = """
            import os, subprocess, time, uuid
            time.sleep(0.3)
            IMPORT = str(uuid.uuid4())

            def handler(event):
                time.sleep(event.get("sleep", 0))
                if event.get("shell"):
                    subprocess.run(["/bin/sh", "-c", event["shell"]])
                if event.get("allocate_mb"):
                    hog = bytearray(event["allocate_mb"] * 1024 * 1024)
                    for i in range(0, len(hog), 4096):
                        hog[i] = 1
                if event.get("spin"):
                    while True:
                        pass
                return {"import": IMPORT, "pid": os.getpid()}
            """;

    @Test
    void laterInstancesOfASlowLoadingFunctionAreForkedFromOneImport() throws Exception {
        try (RunningNimbus nimbus = RunningNimbus.start()) {
            ApiClient api = nimbus.client();
            api.createFunction("slow-loader", "python", SLOW_MODULE, Map.of("max_instances", 4));
            JsonNode first = api.invoke("slow-loader", "{}").json();
            api.await("/health", r -> pool(r, "slow-loader").path("template").asBoolean(), Duration.ofSeconds(30));

            List<Reply> replies = concurrently(api, "slow-loader", 4, "{\"sleep\": 1.5}");

            Set<String> imports = new HashSet<>();
            Set<Long> pids = new HashSet<>();
            int forked = 0;
            for (Reply reply : replies) {
                assertThat(reply.status()).isEqualTo(200);
                imports.add(reply.json().path("import").asText());
                pids.add(reply.json().path("pid").asLong());
                if (reply.header("X-Nimbus-Cold-Start").equals("true")) {
                    forked++;
                    assertThat(reply.json().path("import").asText()).isNotEqualTo(first.path("import").asText());
                    assertThat(reply.header("X-Nimbus-Init-Duration-Ms")).isNotNull();
                }
            }
            assertThat(forked).as("three new instances next to the warm one").isEqualTo(3);
            assertThat(pids).as("four processes").hasSize(4);
            assertThat(imports).as("the warm instance's import and the template's, shared by every fork").hasSize(2);
        }
    }

    @Test
    void aForkedInstanceIsLimitedKilledAndLoggedOnItsOwn() throws Exception {
        try (RunningNimbus nimbus = RunningNimbus.start()) {
            ApiClient api = nimbus.client();
            api.createFunction("slow-confined", "python", SLOW_MODULE,
                    Map.of("max_instances", 3, "memory_mb", 128, "cpus", 1, "timeout_sec", 3));
            api.invoke("slow-confined", "{}");
            api.await("/health", r -> pool(r, "slow-confined").path("template").asBoolean(), Duration.ofSeconds(30));

            Reply printed = concurrently(api, "slow-confined", 2, "{\"sleep\": 1, \"shell\": \"echo from-a-child-process\"}").stream()
                    .filter(r -> r.header("X-Nimbus-Cold-Start").equals("true")).findFirst().orElseThrow();
            String invocationId = printed.header("X-Nimbus-Invocation-Id");
            JsonNode record = api.await("/api/v1/invocations/" + invocationId, r -> r.status() == 200,
                    Duration.ofSeconds(10)).json();
            assertThat(record.path("logs").asText()).contains("from-a-child-process");

            List<Reply> hogs = concurrently(api, "slow-confined", 2, "{\"sleep\": 1, \"allocate_mb\": 300}");
            assertThat(hogs).extracting(r -> r.error().path("code").asText()).containsOnly("OutOfMemory");

            List<Reply> spinners = concurrently(api, "slow-confined", 2, "{\"sleep\": 0.5, \"spin\": true}");
            assertThat(spinners).extracting(Reply::status).containsOnly(504);

            Reply after = api.invoke("slow-confined", "{}");
            assertThat(after.status()).isEqualTo(200);
            assertThat(pool(api.get("/health"), "slow-confined").path("template").asBoolean())
                    .as("the template outlives the instances that were killed").isTrue();
        }
    }

    @Test
    void deletingTheFunctionLetsABusyForkedInstanceFinish() throws Exception {
        try (RunningNimbus nimbus = RunningNimbus.start()) {
            ApiClient api = nimbus.client();
            api.createFunction("slow-deleted", "python", SLOW_MODULE, Map.of("max_instances", 2));
            api.invoke("slow-deleted", "{}");
            api.await("/health", r -> pool(r, "slow-deleted").path("template").asBoolean(), Duration.ofSeconds(30));
            ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
            List<Thread> callers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                callers.add(Thread.ofVirtual().start(() -> replies.add(api.invoke("slow-deleted", "{\"sleep\": 2}"))));
            }
            api.await("/health", r -> pool(r, "slow-deleted").path("idle").asInt() == 0
                    && pool(r, "slow-deleted").path("instances").asInt() == 2, Duration.ofSeconds(10));

            assertThat(api.delete("/api/v1/functions/slow-deleted").status()).isEqualTo(204);
            for (Thread caller : callers) {
                caller.join();
            }

            assertThat(replies).extracting(Reply::status).containsOnly(200);
        }
    }

    /** {@code calls} invocations at once, each on its own thread. */
    private static List<Reply> concurrently(ApiClient api, String function, int calls, String event)
            throws InterruptedException {
        ConcurrentLinkedQueue<Reply> replies = new ConcurrentLinkedQueue<>();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            callers.add(Thread.ofVirtual().start(() -> replies.add(api.invoke(function, event))));
        }
        for (Thread caller : callers) {
            caller.join();
        }
        return List.copyOf(replies);
    }

    private static JsonNode pool(Reply health, String function) {
        return PoolBehaviourTest.pool(health, function);
    }
}
