package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Asynchronous invocation: accepted with 202, run from the durable queue, readable afterwards. */
class AsyncInvokeTest {
    private static RunningNimbus nimbus;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start();
        api = nimbus.client();
    }

    @AfterAll
    static void stop() {
        nimbus.close();
    }

    @Test
    void asyncInvocationIsAcceptedPendingThenRunsToSuccess() {
        api.createFunction("async-double", "python", "def handler(event, context):\n    print('doubling')\n    return event['n'] * 2\n");

        Reply accepted = api.post("/api/v1/functions/async-double/async", "{\"n\": 21}");

        assertThat(accepted.status()).isEqualTo(202);
        assertThat(accepted.json().path("status").asText()).isEqualTo("pending");
        String id = accepted.json().path("invocation_id").asText();
        assertThat(accepted.header("Location")).isEqualTo("/api/v1/invocations/" + id);
        JsonNode done = api.await("/api/v1/invocations/" + id,
                r -> r.json().path("status").asText().equals("success"), Duration.ofSeconds(30)).json();
        assertThat(done.path("status").asText()).isEqualTo("success");
        assertThat(done.path("output").asInt()).isEqualTo(42);
        assertThat(done.path("input").path("n").asInt()).isEqualTo(21);
        assertThat(done.path("trigger_type").asText()).isEqualTo("async");
        assertThat(done.path("logs").asText()).contains("doubling");
        assertThat(done.path("started_at").isNull()).isFalse();
        assertThat(done.path("completed_at").isNull()).isFalse();
    }

    @Test
    void failingAndTimedOutAsyncInvocationsEndFailedAndTimeout() {
        api.createFunction("async-fails", "node", "exports.handler = async () => { throw new Error('async boom'); };\n");
        api.createFunction("async-slow", "node",
                "exports.handler = () => new Promise(r => setTimeout(r, 10000));\n", java.util.Map.of("timeout_sec", 1));

        String failed = api.post("/api/v1/functions/async-fails/async", "{}").json().path("invocation_id").asText();
        String slow = api.post("/api/v1/functions/async-slow/async", "{}").json().path("invocation_id").asText();

        JsonNode failedRecord = api.await("/api/v1/invocations/" + failed,
                r -> r.json().path("status").asText().equals("failed"), Duration.ofSeconds(30)).json();
        JsonNode slowRecord = api.await("/api/v1/invocations/" + slow,
                r -> r.json().path("status").asText().equals("timeout"), Duration.ofSeconds(30)).json();
        assertThat(failedRecord.path("error").path("message").asText()).isEqualTo("async boom");
        assertThat(slowRecord.path("status").asText()).isEqualTo("timeout");
        assertThat(slowRecord.path("error").path("code").asText()).isEqualTo("Timeout");
    }

    @Test
    void manyAsyncInvocationsOfABusyFunctionAllRunNoneIsThrottled() {
        api.createFunction("async-narrow", "python",
                "import time\ndef handler(event):\n    time.sleep(0.05)\n    return event['i']\n",
                java.util.Map.of("max_instances", 1));

        String[] ids = new String[20];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = api.post("/api/v1/functions/async-narrow/async", "{\"i\": " + i + "}").json().path("invocation_id").asText();
        }

        for (int i = 0; i < ids.length; i++) {
            JsonNode record = api.await("/api/v1/invocations/" + ids[i],
                    r -> r.json().path("status").asText().equals("success"), Duration.ofSeconds(60)).json();
            assertThat(record.path("output").asInt()).isEqualTo(i);
        }
    }

    @Test
    void asyncToAnUnknownFunctionIs404AndABadEventIs400() {
        assertThat(api.post("/api/v1/functions/nobody/async", "{}").status()).isEqualTo(404);
        api.createFunction("async-target", "python", "def handler(event):\n    return 1\n");
        Reply bad = api.post("/api/v1/functions/async-target/async", "{oops");

        assertThat(bad.status()).isEqualTo(400);
        assertThat(api.get("/api/v1/functions/async-target/invocations").json().path("invocations").size()).isZero();
    }
}
