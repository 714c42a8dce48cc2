package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.nimbus.server.ReliableAsyncTest.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

/** The event bus through the API: publishing, rules with filters, and their validation. */
class EventBusTest {
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
    void anEventMatchingARuleFilterRunsTheRulesFunctionWithTriggerTypeEvent() {
        api.createFunction("on-order", "python", "def handler(event):\n    return event['data']['order']['id']\n");
        Reply rule = api.post("/api/v1/rules", """
                {"name": "new-orders", "topic": "orders", "function": "on-order",
                 "filter": {"type": ["order.created", "order.imported"], "order.region": {"prefix": "eu-"}}}""");
        assertThat(rule.status()).as(rule.toString()).isEqualTo(201);

        Reply published = api.post("/api/v1/events/orders",
                "{\"type\": \"order.created\", \"order\": {\"id\": 7, \"region\": \"eu-west\"}}");

        assertThat(published.status()).isEqualTo(202);
        assertThat(published.json().path("deliveries").asInt()).isEqualTo(1);
        String id = published.json().path("invocation_ids").get(0).asText();
        JsonNode done = ReliableAsyncTest.awaitStatus(api, id, "success");
        assertThat(done.path("trigger_type").asText()).isEqualTo("event");
        assertThat(done.path("output").asInt()).isEqualTo(7);
        assertThat(done.path("input").path("topic").asText()).isEqualTo("orders");
        assertThat(done.path("input").path("id").asText()).isEqualTo(published.json().path("event_id").asText());
    }

    @Test
    void anEventTheFilterRejectsStartsNothing() {
        api.createFunction("on-refund", "python", "def handler(event):\n    return 1\n");
        api.post("/api/v1/rules", "{\"name\": \"refunds\", \"topic\": \"payments\", \"function\": \"on-refund\","
                + " \"filter\": {\"kind\": \"refund\", \"amount\": {\"exists\": true}}}");

        Reply wrongKind = api.post("/api/v1/events/payments", "{\"kind\": \"charge\", \"amount\": 5}");
        Reply noAmount = api.post("/api/v1/events/payments", "{\"kind\": \"refund\"}");
        Reply match = api.post("/api/v1/events/payments", "{\"kind\": \"refund\", \"amount\": 5}");

        assertThat(wrongKind.json().path("deliveries").asInt()).isZero();
        assertThat(noAmount.json().path("deliveries").asInt()).isZero();
        ReliableAsyncTest.awaitStatus(api, match.json().path("invocation_ids").get(0).asText(), "success");
        assertThat(api.get("/api/v1/functions/on-refund/invocations").json().path("invocations")).hasSize(1);
        assertThat(api.get("/api/v1/events/payments").json().path("events")).hasSize(3);
    }

    @Test
    void everyRuleOfATopicGetsTheEventAndAnEventWithoutRulesIsKept() {
        api.createFunction("fan-a", "python", "def handler(event):\n    return 'a'\n");
        api.createFunction("fan-b", "node", "exports.handler = async (e) => 'b';\n");
        api.post("/api/v1/rules", "{\"name\": \"fan-to-a\", \"topic\": \"fan\", \"function\": \"fan-a\"}");
        api.post("/api/v1/rules", "{\"name\": \"fan-to-b\", \"topic\": \"fan\", \"function\": \"fan-b\"}");

        Reply published = api.post("/api/v1/events/fan", "{\"x\": 1}");
        Reply unheard = api.post("/api/v1/events/nobody-listens", "{\"x\": 1}");

        assertThat(published.json().path("deliveries").asInt()).isEqualTo(2);
        for (JsonNode id : published.json().path("invocation_ids")) {
            ReliableAsyncTest.awaitStatus(api, id.asText(), "success");
        }
        assertThat(unheard.status()).isEqualTo(202);
        assertThat(unheard.json().path("deliveries").asInt()).isZero();
        assertThat(api.get("/api/v1/rules?topic=fan").json().path("rules")).hasSize(2);
    }

    @Test
    void rulesAreReadAndDeleted() {
        api.createFunction("rule-life", "python", "def handler(event):\n    return 1\n");
        api.post("/api/v1/rules", "{\"name\": \"short-lived\", \"topic\": \"t1\", \"function\": \"rule-life\"}");

        assertThat(api.get("/api/v1/rules/short-lived").json().path("function").asText()).isEqualTo("rule-life");
        assertThat(api.delete("/api/v1/rules/short-lived").status()).isEqualTo(204);
        assertThat(api.get("/api/v1/rules/short-lived").status()).isEqualTo(404);
        assertThat(api.post("/api/v1/events/t1", "{}").json().path("deliveries").asInt()).isZero();
    }

    @Test
    void badRulesAndEventsAreRefusedNamingTheField() {
        api.createFunction("rule-target", "python", "def handler(event):\n    return 1\n");

        assertRefused(api.post("/api/v1/rules", "{\"name\": \"r1\", \"topic\": \"t\", \"function\": \"ghost\"}"), "function");
        assertRefused(api.post("/api/v1/rules", "{\"name\": \"R 1\", \"topic\": \"t\", \"function\": \"rule-target\"}"), "name");
        assertRefused(api.post("/api/v1/rules", "{\"name\": \"r1\", \"topic\": \"bad topic\", \"function\": \"rule-target\"}"), "topic");
        assertRefused(api.post("/api/v1/rules", "{\"name\": \"r1\", \"topic\": \"t\", \"function\": \"rule-target\","
                + " \"filter\": {\"a\": {\"regex\": \".*\"}}}"), "filter.a");
        assertRefused(api.post("/api/v1/rules", "{\"name\": \"r1\", \"topic\": \"t\", \"function\": \"rule-target\","
                + " \"filter\": {\"a..b\": 1}}"), "filter.a..b");
        assertRefused(api.post("/api/v1/rules", "{\"name\": \"r1\", \"topic\": \"t\", \"function\": \"rule-target\","
                + " \"filter\": {\"a\": [{\"x\": 1}]}}"), "filter.a");
        assertRefused(api.post("/api/v1/rules", "{\"name\": \"r1\", \"topic\": \"t\", \"function\": \"rule-target\","
                + " \"filter\": [1]}"), "filter");
        assertThat(api.post("/api/v1/events/t", "{oops").status()).isEqualTo(400);
        assertThat(api.post("/api/v1/events/bad%20topic", "{}").status()).isEqualTo(400);
        assertThat(api.get("/api/v1/rules").json().path("rules").findValuesAsText("name")).doesNotContain("r1");
        api.post("/api/v1/rules", "{\"name\": \"taken\", \"topic\": \"t\", \"function\": \"rule-target\"}");
        assertThat(api.post("/api/v1/rules", "{\"name\": \"taken\", \"topic\": \"t\", \"function\": \"rule-target\"}")
                .status()).isEqualTo(409);
    }

    @Test
    void aDeliveredEventThatFailsIsRetriedLikeAnyAsyncInvocation() {
        api.createFunction("event-flaky", "python", """
                runs = 0
                def handler(event):
                    global runs
                    runs += 1
                    if runs == 1:
                        raise ValueError('first delivery fails')
                    return runs
                """, java.util.Map.of("max_instances", 1));
        api.post("/api/v1/rules", "{\"name\": \"flaky-rule\", \"topic\": \"flaky\", \"function\": \"event-flaky\"}");

        String id = api.post("/api/v1/events/flaky", "{}").json().path("invocation_ids").get(0).asText();

        JsonNode done = api.await("/api/v1/invocations/" + id, r -> r.json().path("status").asText().equals("success"),
                Duration.ofSeconds(60)).json();
        assertThat(done.path("attempts").asInt()).isEqualTo(2);
        assertThat(done.path("trigger_type").asText()).isEqualTo("event");
    }
}
