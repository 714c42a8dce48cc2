package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lambda's async guarantees through the API: retries with their attempts visible, dead
 * letters and redrive, idempotency keys, and success and failure destinations.
 */
class ReliableAsyncTest {
    private static final Duration WITHIN = Duration.ofSeconds(60);
    /** Fails on its first {@code event['failures']} runs in one warm instance, then answers the run count. */
    private static final String FLAKY = """
            runs = 0
            def handler(event):
                global runs
                runs += 1
                if runs <= event['failures']:
                    raise ValueError('run %d fails' % runs)
                return runs
            """;
    private static RunningNimbus nimbus;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start(Map.of(Setting.ASYNC_RETRY_BASE_MS, "100", Setting.ASYNC_RETRY_MAX_MS, "400"));
        api = nimbus.client();
    }

    @AfterAll
    static void stop() {
        nimbus.close();
    }

    @Test
    void aFailedAsyncInvocationIsRetriedAndShowsItsFailedAttempts() {
        api.createFunction("flaky-twice", "python", FLAKY, Map.of("max_instances", 1));

        String id = submit("flaky-twice", "{\"failures\": 2}");

        JsonNode done = awaitStatus(id, "success");
        assertThat(done.path("output").asInt()).isEqualTo(3);
        assertThat(done.path("attempts").asInt()).isEqualTo(3);
        assertThat(done.path("previous_attempts")).hasSize(2);
        assertThat(done.path("previous_attempts").get(0).path("error").path("message").asText()).isEqualTo("run 1 fails");
        assertThat(done.path("previous_attempts").get(1).path("attempt").asInt()).isEqualTo(2);
    }

    @Test
    void exhaustedRetriesLandInTheDeadLetterQueueAndARedriveRunsTheEventAgain() {
        api.createFunction("flaky-thrice", "python", FLAKY, Map.of("max_instances", 1));

        String id = submit("flaky-thrice", "{\"failures\": 3}");

        JsonNode failed = awaitStatus(id, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(3);
        JsonNode letter = awaitDeadLetters("flaky-thrice", 1).get(0);
        assertThat(letter.path("invocation_id").asText()).isEqualTo(id);
        assertThat(letter.path("reason").asText()).isEqualTo("RetriesExhausted");
        assertThat(letter.path("attempts").asInt()).isEqualTo(3);
        assertThat(letter.path("input").path("failures").asInt()).isEqualTo(3);
        assertThat(letter.path("error").path("type").asText()).isEqualTo("ValueError");

        Reply redrive = api.post("/api/v1/functions/flaky-thrice/dead-letters/" + letter.path("id").asText() + "/redrive", "");
        assertThat(redrive.status()).isEqualTo(202);
        JsonNode rerun = awaitStatus(redrive.json().path("invocation_id").asText(), "success");
        assertThat(rerun.path("output").asInt()).isEqualTo(4);
        JsonNode redriven = api.get("/api/v1/functions/flaky-thrice/dead-letters").json().path("dead_letters").get(0);
        assertThat(redriven.path("redrive_invocation_id").asText()).isEqualTo(rerun.path("id").asText());
        assertThat(api.post("/api/v1/functions/flaky-thrice/dead-letters/" + letter.path("id").asText() + "/redrive", "")
                .status()).isEqualTo(409);
    }

    @Test
    void afterTheFunctionIsFixedRedrivingAllItsDeadLettersRunsEachOnce() {
        api.createFunction("fixed-later", "python", "def handler(event):\n    raise ValueError('bug')\n");
        api.put("/api/v1/functions/fixed-later/async-config", "{\"max_retries\": 0}");
        String first = submit("fixed-later", "{\"n\": 1}");
        String second = submit("fixed-later", "{\"n\": 2}");
        awaitDeadLetters("fixed-later", 2);
        assertThat(api.put("/api/v1/functions/fixed-later", "{\"code\": \"def handler(event):\\n    return event['n']\\n\"}")
                .status()).isEqualTo(200);

        Reply redrive = api.post("/api/v1/functions/fixed-later/dead-letters/redrive", "");
        Reply again = api.post("/api/v1/functions/fixed-later/dead-letters/redrive", "");

        assertThat(redrive.status()).isEqualTo(202);
        assertThat(redrive.json().path("redriven").asInt()).isEqualTo(2);
        assertThat(again.json().path("redriven").asInt()).isZero();
        JsonNode letters = api.get("/api/v1/functions/fixed-later/dead-letters").json().path("dead_letters");
        for (JsonNode letter : letters) {
            JsonNode rerun = awaitStatus(letter.path("redrive_invocation_id").asText(), "success");
            assertThat(rerun.path("output").asInt()).isEqualTo(letter.path("input").path("n").asInt());
        }
        assertThat(letters.findValuesAsText("invocation_id")).containsExactlyInAnyOrder(first, second);
    }

    @Test
    void withMaxRetriesZeroAFailureIsDeadLetteredAfterOneAttempt() {
        api.createFunction("fails-once-only", "node", "exports.handler = async () => { throw new Error('no'); };\n");
        assertThat(api.put("/api/v1/functions/fails-once-only/async-config", "{\"max_retries\": 0}").status()).isEqualTo(200);

        String id = submit("fails-once-only", "{}");

        JsonNode failed = awaitStatus(id, "failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(1);
        assertThat(awaitDeadLetters("fails-once-only", 1).get(0).path("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void aFailureWhoseRetryWouldOutliveMaxEventAgeIsDeadLetteredAsEventAgeExceeded() {
        // a first retry due after two minutes cannot happen within a 60 s event age
        try (RunningNimbus slowRetries = RunningNimbus.start(Map.of(Setting.ASYNC_RETRY_BASE_MS, "120000",
                Setting.ASYNC_RETRY_MAX_MS, "240000"))) {
            ApiClient client = slowRetries.client();
            client.createFunction("too-old", "node", "exports.handler = async () => { throw new Error('late'); };\n");
            assertThat(client.put("/api/v1/functions/too-old/async-config", "{\"max_event_age_sec\": 60}").status())
                    .isEqualTo(200);

            String id = client.post("/api/v1/functions/too-old/async", "{}").json().path("invocation_id").asText();

            JsonNode failed = awaitStatus(client, id, "failed");
            assertThat(failed.path("attempts").asInt()).isEqualTo(1);
            JsonNode letter = awaitDeadLetters(client, "too-old", 1).get(0);
            assertThat(letter.path("reason").asText()).isEqualTo("EventAgeExceeded");
            assertThat(letter.path("error").path("message").asText()).isEqualTo("late");
        }
    }

    @Test
    void theSameIdempotencyKeyGivesTheSameInvocationAndADifferentEventUnderItIsRefused() throws Exception {
        api.createFunction("once-only", "python", "def handler(event):\n    return event['n']\n");

        HttpResponse<String> first = postWithKey("once-only", "{\"n\": 1}", "order-42");
        HttpResponse<String> again = postWithKey("once-only", "{\"n\": 1}", "order-42");
        HttpResponse<String> different = postWithKey("once-only", "{\"n\": 2}", "order-42");

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        String id = ApiClient.JSON.readTree(first.body()).path("invocation_id").asText();
        assertThat(ApiClient.JSON.readTree(again.body()).path("invocation_id").asText()).isEqualTo(id);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(different.statusCode()).isEqualTo(422);
        assertThat(ApiClient.JSON.readTree(different.body()).path("error").path("field").asText()).isEqualTo("Idempotency-Key");
        awaitStatus(id, "success");
        assertThat(api.get("/api/v1/functions/once-only/invocations").json().path("invocations")).hasSize(1);
    }

    @Test
    void successGoesToTheSuccessDestinationFunctionWithLambdasRecordShape() {
        api.createFunction("dest-sink", "python", "def handler(event):\n    return 'got it'\n");
        api.createFunction("dest-source", "python", "def handler(event):\n    return {'doubled': event['n'] * 2}\n");
        Reply config = api.put("/api/v1/functions/dest-source/async-config",
                "{\"on_success\": {\"type\": \"function\", \"function\": \"dest-sink\"}}");
        assertThat(config.status()).as(config.toString()).isEqualTo(200);
        assertThat(config.json().path("on_success").path("function").asText()).isEqualTo("dest-sink");

        String id = submit("dest-source", "{\"n\": 4}");

        JsonNode record = awaitOneInvocation("dest-sink").path("input");
        assertThat(record.path("requestContext").path("requestId").asText()).isEqualTo(id);
        assertThat(record.path("requestContext").path("condition").asText()).isEqualTo("Success");
        assertThat(record.path("requestContext").path("approximateInvokeCount").asInt()).isEqualTo(1);
        assertThat(record.path("requestPayload").path("n").asInt()).isEqualTo(4);
        assertThat(record.path("responsePayload").path("doubled").asInt()).isEqualTo(8);
    }

    @Test
    void aFinalFailureGoesToTheFailureTopicAndNotToTheDeadLetterQueue() {
        api.createFunction("topic-sink", "python", "def handler(event):\n    return event['topic']\n");
        api.createFunction("topic-source", "node", "exports.handler = async () => { throw new Error('broken'); };\n");
        assertThat(api.post("/api/v1/rules",
                "{\"name\": \"failures-to-sink\", \"topic\": \"failures\", \"function\": \"topic-sink\"}").status()).isEqualTo(201);
        assertThat(api.put("/api/v1/functions/topic-source/async-config",
                "{\"max_retries\": 1, \"on_failure\": {\"type\": \"topic\", \"topic\": \"failures\"}}").status()).isEqualTo(200);

        String id = submit("topic-source", "{\"k\": \"v\"}");

        JsonNode delivered = awaitOneInvocation("topic-sink");
        assertThat(delivered.path("trigger_type").asText()).isEqualTo("event");
        JsonNode record = delivered.path("input").path("data");
        assertThat(record.path("requestContext").path("requestId").asText()).isEqualTo(id);
        assertThat(record.path("requestContext").path("condition").asText()).isEqualTo("RetriesExhausted");
        assertThat(record.path("requestContext").path("approximateInvokeCount").asInt()).isEqualTo(2);
        assertThat(record.path("responsePayload").path("errorMessage").asText()).isEqualTo("broken");
        assertThat(api.get("/api/v1/functions/topic-source/dead-letters").json().path("dead_letters")).isEmpty();
    }

    @Test
    void badAsyncSettingsAreRefusedNamingTheField() {
        api.createFunction("settings-target", "python", "def handler(event):\n    return 1\n");
        String path = "/api/v1/functions/settings-target/async-config";

        assertRefused(api.put(path, "{\"max_retries\": 3}"), "max_retries");
        assertRefused(api.put(path, "{\"max_event_age_sec\": 59}"), "max_event_age_sec");
        assertRefused(api.put(path, "{\"max_event_age_sec\": 21601}"), "max_event_age_sec");
        assertRefused(api.put(path, "{\"on_failure\": {\"type\": \"function\", \"function\": \"nobody\"}}"), "on_failure.function");
        assertRefused(api.put(path, "{\"on_success\": {\"type\": \"function\", \"function\": \"settings-target\"}}"),
                "on_success.function");
        assertRefused(api.put(path, "{\"on_success\": {\"type\": \"queue\", \"topic\": \"x\"}}"), "on_success.type");
        assertRefused(api.put(path, "{\"on_failure\": {\"type\": \"topic\", \"topic\": \"bad topic!\"}}"), "on_failure.topic");
        assertRefused(api.put(path, "{\"retries\": 1}"), "retries");
        assertThat(api.get(path).json().path("max_retries").asInt()).isEqualTo(2);
        assertThat(api.get("/api/v1/functions/settings-target/dead-letters/nothing").status()).isEqualTo(404);
    }

    @Test
    void aBadIdempotencyKeyIsRefused() throws Exception {
        api.createFunction("key-target", "python", "def handler(event):\n    return 1\n");

        HttpResponse<String> reply = postWithKey("key-target", "{}", "with space");

        assertThat(reply.statusCode()).isEqualTo(400);
        assertThat(api.get("/api/v1/functions/key-target/invocations").json().path("invocations")).isEmpty();
    }

    static void assertRefused(Reply reply, String field) {
        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.json().path("error").path("field").asText()).as(reply.toString()).isEqualTo(field);
    }

    private static String submit(String function, String event) {
        Reply accepted = api.post("/api/v1/functions/" + function + "/async", event);
        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        return accepted.json().path("invocation_id").asText();
    }

    static JsonNode awaitStatus(ApiClient client, String id, String status) {
        Reply reply = client.await("/api/v1/invocations/" + id,
                r -> r.status() == 200 && r.json().path("status").asText().equals(status), WITHIN);
        assertThat(reply.json().path("status").asText()).as(reply.toString()).isEqualTo(status);
        return reply.json();
    }

    private static JsonNode awaitStatus(String id, String status) {
        return awaitStatus(api, id, status);
    }

    static JsonNode awaitDeadLetters(ApiClient client, String function, int count) {
        Reply reply = client.await("/api/v1/functions/" + function + "/dead-letters",
                r -> r.json().path("dead_letters").size() >= count, WITHIN);
        assertThat(reply.json().path("dead_letters")).as(reply.toString()).hasSize(count);
        return reply.json().path("dead_letters");
    }

    private static JsonNode awaitDeadLetters(String function, int count) {
        return awaitDeadLetters(api, function, count);
    }

    /** The function's one invocation, once it has succeeded. */
    static JsonNode awaitOneInvocation(ApiClient client, String function) {
        Reply reply = client.await("/api/v1/functions/" + function + "/invocations?status=success",
                r -> r.json().path("invocations").size() >= 1, WITHIN);
        assertThat(reply.json().path("invocations")).as(reply.toString()).hasSize(1);
        return reply.json().path("invocations").get(0);
    }

    private static JsonNode awaitOneInvocation(String function) {
        return awaitOneInvocation(api, function);
    }

    private static HttpResponse<String> postWithKey(String function, String event, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nimbus.port()
                        + "/api/v1/functions/" + function + "/async"))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(event)).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }
}
