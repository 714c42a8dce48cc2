package io.nimbus.server;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** /metrics speaks Prometheus text with the seed's metric names and labels. */
class MetricsTest {

    @Test
    void invocationsColdStartsPoolsAndTheSchedulerAreExported() {
        try (RunningNimbus nimbus = RunningNimbus.start()) {
            ApiClient api = nimbus.client();
            String id = api.createFunction("measured", "python",
                    "def handler(event):\n    if event.get('fail'):\n        raise ValueError('no')\n    return 1\n").path("id").asText();
            api.invoke("measured", "{}");
            api.invoke("measured", "{}");
            api.invoke("measured", "{\"fail\": true}");

            Reply metrics = api.get("/metrics");

            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.header("Content-Type")).startsWith("text/plain");
            assertThat(metrics.body()).contains(
                    "nimbus_invocations_total{function_id=\"" + id + "\",runtime=\"python3.11\",status=\"success\",version=\"1\"} 2.0",
                    "nimbus_invocations_total{function_id=\"" + id + "\",runtime=\"python3.11\",status=\"failed\",version=\"1\"} 1.0",
                    "nimbus_invocation_errors_total{error_type=\"FunctionError\",function_id=\"" + id + "\"} 1.0",
                    "nimbus_invocation_duration_ms_bucket{cold_start=\"true\",function_id=\"" + id + "\"",
                    "nimbus_invocation_duration_ms_count{cold_start=\"false\",function_id=\"" + id + "\",runtime=\"python3.11\"} 2",
                    "nimbus_cold_starts_total{runtime=\"python3.11\"} 1.0",
                    "nimbus_vm_pool_size{runtime=\"python3.11\"} 1.0",
                    "nimbus_vm_pool_warm{runtime=\"python3.11\"} 1.0",
                    "nimbus_vm_pool_size{runtime=\"nodejs20\"} 0.0",
                    "nimbus_scheduler_queue_size 0.0",
                    "nimbus_scheduler_workers 0.0");
            assertThat(metrics.body()).containsPattern(
                    "nimbus_vm_boot_duration_ms_count\\{from_snapshot=\"(true|false)\",runtime=\"python3.11\"} 1");
        }
    }

    @Test
    void aThrottledCallIsCountedAsThrottled() throws Exception {
        try (RunningNimbus nimbus = RunningNimbus.start(Map.of(Setting.QUEUE_TIMEOUT_MS, "100"))) {
            ApiClient api = nimbus.client();
            String id = api.createFunction("narrow", "python",
                    "import time\ndef handler(event):\n    time.sleep(event.get('sleep', 0))\n    return 1\n",
                    Map.of("max_instances", 1)).path("id").asText();
            api.invoke("narrow", "{}");
            Thread busy = Thread.ofVirtual().start(() -> api.invoke("narrow", "{\"sleep\": 1.5}"));
            api.await("/health", r -> InvokeTest.busyInstances(r, "narrow") == 1, java.time.Duration.ofSeconds(10));

            assertThat(api.invoke("narrow", "{}").status()).isEqualTo(429);
            busy.join();

            assertThat(api.get("/metrics").body()).contains(
                    "nimbus_invocations_total{function_id=\"" + id + "\",runtime=\"python3.11\",status=\"throttled\",version=\"1\"} 1.0");
        }
    }
}
