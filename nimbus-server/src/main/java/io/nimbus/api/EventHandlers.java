package io.nimbus.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Limits;
import io.nimbus.domain.events.Event;
import io.nimbus.domain.events.Publication;
import io.nimbus.domain.events.Rule;
import io.nimbus.events.EventBus;
import io.nimbus.protocol.JsonPayload;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** /api/v1/events/{topic} (publish, recent events) and /api/v1/rules. */
final class EventHandlers {
    private static final long MAX_RULE_BODY = 64 * 1024;

    private final EventBus bus;

    record RuleRequest(String name, String topic, String function, JsonNode filter) {
    }

    EventHandlers(EventBus bus) {
        this.bus = bus;
    }

    void publish(ServerRequest request, ServerResponse response) {
        String topic = request.path().pathParameters().get("topic");
        byte[] body = Exchange.body(request, Limits.MAX_PAYLOAD_BYTES, "the event");
        if (body.length == 0 || !JsonPayload.isSingleValue(body)) {
            throw new ApiException(400, "InvalidEvent", "the request body must be a JSON value", null);
        }
        Publication publication = bus.publish(topic, new String(body, StandardCharsets.UTF_8));
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("event_id", publication.event().id());
        view.put("topic", topic);
        view.put("deliveries", publication.deliveries().size());
        view.put("invocation_ids", publication.deliveries().stream().map(i -> i.id()).toList());
        Exchange.json(response, 202, view);
    }

    void recent(ServerRequest request, ServerResponse response) {
        int limit = Exchange.queryInt(request, "limit", Limits.DEFAULT_PAGE_SIZE, 1, Limits.MAX_PAGE_SIZE);
        List<Map<String, Object>> events = bus.recent(request.path().pathParameters().get("topic"), limit).stream()
                .map(EventHandlers::view).toList();
        Exchange.json(response, 200, Map.of("events", events, "limit", limit));
    }

    void createRule(ServerRequest request, ServerResponse response) {
        RuleRequest body = Json.read(Exchange.body(request, MAX_RULE_BODY, "the rule"), RuleRequest.class);
        Rule rule = bus.createRule(body.name(), body.topic(), body.function(), body.filter());
        response.header("Location", "/api/v1/rules/" + rule.name());
        Exchange.json(response, 201, view(rule));
    }

    void listRules(ServerRequest request, ServerResponse response) {
        List<Map<String, Object>> rules = bus.rules(Exchange.query(request, "topic")).stream().map(EventHandlers::view).toList();
        Exchange.json(response, 200, Map.of("rules", rules));
    }

    void getRule(ServerRequest request, ServerResponse response) {
        String name = request.path().pathParameters().get("name");
        Exchange.json(response, 200, view(bus.rule(name).orElseThrow(() -> DomainException.notFound("rule", name))));
    }

    void deleteRule(ServerRequest request, ServerResponse response) {
        String name = request.path().pathParameters().get("name");
        if (!bus.deleteRule(name)) {
            throw DomainException.notFound("rule", name);
        }
        response.status(204).send();
    }

    private static Map<String, Object> view(Rule rule) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", rule.id());
        view.put("name", rule.name());
        view.put("topic", rule.topic());
        view.put("function", rule.functionName());
        view.put("filter", Json.tree(rule.filter()));
        view.put("created_at", rule.createdAt().toString());
        return view;
    }

    private static Map<String, Object> view(Event event) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", event.id());
        view.put("topic", event.topic());
        view.put("data", Json.tree(event.body()));
        view.put("deliveries", event.deliveries());
        view.put("published_at", event.publishedAt().toString());
        return view;
    }
}
