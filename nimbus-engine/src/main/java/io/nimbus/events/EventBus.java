package io.nimbus.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.Ids;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.TriggerType;
import io.nimbus.domain.events.Event;
import io.nimbus.domain.events.EventStore;
import io.nimbus.domain.events.Publication;
import io.nimbus.domain.events.Rule;
import io.nimbus.functions.FunctionService;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Publishing events and managing rules. A published event is stored with one async
 * invocation (trigger_type event) per matching rule, in one transaction: once the publisher
 * hears 202 every delivery is in the durable queue, and runs at least once.
 *
 * <p>A delivery's event is an envelope: {@code {"id", "topic", "published_at", "data"}}, with
 * the published body as {@code data}. Filters look at the published body.
 */
public final class EventBus {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RULE_NAME = Pattern.compile("^[a-z][a-z0-9-]{0,62}$");

    private final EventStore store;
    private final FunctionService functions;
    private final Clock clock;
    private final Runnable queued;

    /** @param queued told after deliveries were queued, to claim them at once */
    public EventBus(EventStore store, FunctionService functions, Clock clock, Runnable queued) {
        this.store = store;
        this.functions = functions;
        this.clock = clock;
        this.queued = queued;
    }

    public Publication publish(String topic, String body) {
        Publication publication = publication(Topics.require(topic, "topic"), body);
        store.publish(publication);
        if (!publication.deliveries().isEmpty()) {
            queued.run();
        }
        return publication;
    }

    /** The event and its deliveries, not yet stored: for a caller that stores them in a transaction of its own. */
    public Publication publication(String topic, String body) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Event event = new Event(Ids.timeOrdered(), topic, body, 0, now);
        JsonNode data = tree(body);
        String envelope = envelope(event, data);
        List<Invocation> deliveries = new ArrayList<>();
        for (Rule rule : store.rules(topic)) {
            if (!EventFilter.parse(tree(rule.filter())).matches(data)) {
                continue;
            }
            functions.find(rule.functionId()).ifPresent(function ->
                    deliveries.add(Invocation.pending(Ids.timeOrdered(), function, TriggerType.EVENT, envelope, now)));
        }
        return new Publication(new Event(event.id(), topic, body, deliveries.size(), now), deliveries);
    }

    public List<Event> recent(String topic, int limit) {
        return store.recent(Topics.require(topic, "topic"), limit);
    }

    /**
     * @throws DomainException naming the field at fault: name, topic, function (unknown) or filter.*
     */
    public Rule createRule(String name, String topic, String functionRef, JsonNode filter) {
        if (name == null || !RULE_NAME.matcher(name).matches()) {
            throw DomainException.invalid("name", "name must match ^[a-z][a-z0-9-]{0,62}$");
        }
        Topics.require(topic, "topic");
        if (functionRef == null || functionRef.isBlank()) {
            throw DomainException.invalid("function", "function is required");
        }
        EventFilter.parse(filter);
        Function function = functions.find(functionRef)
                .orElseThrow(() -> DomainException.invalid("function", "function " + functionRef + " does not exist"));
        Rule rule = new Rule(Ids.timeOrdered(), name, topic, filter == null || filter.isNull() ? null : filter.toString(),
                function.id(), function.name(), clock.instant().truncatedTo(ChronoUnit.MILLIS));
        store.createRule(rule);
        return rule;
    }

    public List<Rule> rules(String topic) {
        return store.rules(topic);
    }

    public Optional<Rule> rule(String name) {
        return store.rule(name);
    }

    public boolean deleteRule(String name) {
        return store.deleteRule(name);
    }

    private static String envelope(Event event, JsonNode data) {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("id", event.id());
        envelope.put("topic", event.topic());
        envelope.put("published_at", event.publishedAt().toString());
        envelope.set("data", data);
        return envelope.toString();
    }

    private static JsonNode tree(String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }
}
