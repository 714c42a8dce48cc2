package io.nimbus.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.nimbus.domain.DomainException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule's filter: a JSON object from field path ({@code detail.type}, dots between the keys
 * of nested objects) to a condition, all of which must hold. A condition is a value (equal
 * to it), a list of values (equal to one of them), {@code {"prefix": "text"}} or
 * {@code {"exists": true|false}}. Values are strings, numbers, booleans or null.
 */
public record EventFilter(Map<String, Condition> conditions) {
    private static final int MAX_CONDITIONS = 32;
    private static final int MAX_DEPTH = 16;
    private static final String FIELD = "filter";

    /** One condition on one field; {@code value} is null when the field is absent. */
    public sealed interface Condition {
        boolean test(JsonNode value);
    }

    record Equals(JsonNode expected) implements Condition {
        public boolean test(JsonNode value) {
            return value != null && same(expected, value);
        }
    }

    record AnyOf(List<JsonNode> expected) implements Condition {
        public boolean test(JsonNode value) {
            return value != null && expected.stream().anyMatch(candidate -> same(candidate, value));
        }
    }

    record Prefix(String prefix) implements Condition {
        public boolean test(JsonNode value) {
            return value != null && value.isTextual() && value.textValue().startsWith(prefix);
        }
    }

    record Exists(boolean present) implements Condition {
        public boolean test(JsonNode value) {
            return (value != null) == present;
        }
    }

    /** @throws DomainException naming {@code filter.<path>} when the filter is not valid */
    public static EventFilter parse(JsonNode filter) {
        if (filter == null || filter.isNull()) {
            return new EventFilter(Map.of());
        }
        if (!filter.isObject()) {
            throw DomainException.invalid(FIELD, "filter must be an object of field path to condition");
        }
        if (filter.size() > MAX_CONDITIONS) {
            throw DomainException.invalid(FIELD, "a filter has at most " + MAX_CONDITIONS + " conditions");
        }
        Map<String, Condition> conditions = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : filter.properties()) {
            String field = FIELD + "." + entry.getKey();
            requirePath(entry.getKey(), field);
            conditions.put(entry.getKey(), condition(entry.getValue(), field));
        }
        return new EventFilter(conditions);
    }

    /** Whether {@code event} passes every condition. */
    public boolean matches(JsonNode event) {
        return conditions.entrySet().stream().allMatch(entry -> entry.getValue().test(at(event, entry.getKey())));
    }

    private static JsonNode at(JsonNode event, String path) {
        JsonNode node = event;
        for (String key : path.split("\\.")) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(key);
        }
        return node;
    }

    private static Condition condition(JsonNode spec, String field) {
        if (spec.isArray()) {
            if (spec.isEmpty()) {
                throw DomainException.invalid(field, "a list of values must not be empty");
            }
            List<JsonNode> values = new ArrayList<>();
            spec.forEach(value -> values.add(requireScalar(value, field)));
            return new AnyOf(values);
        }
        if (spec.isObject()) {
            if (spec.size() == 1 && spec.has("prefix") && spec.get("prefix").isTextual()) {
                return new Prefix(spec.get("prefix").textValue());
            }
            if (spec.size() == 1 && spec.has("exists") && spec.get("exists").isBoolean()) {
                return new Exists(spec.get("exists").booleanValue());
            }
            throw DomainException.invalid(field, "an operator is {\"prefix\": \"text\"} or {\"exists\": true|false}");
        }
        return new Equals(requireScalar(spec, field));
    }

    private static JsonNode requireScalar(JsonNode value, String field) {
        if (value.isContainerNode()) {
            throw DomainException.invalid(field, "values are strings, numbers, booleans or null");
        }
        return value;
    }

    private static void requirePath(String path, String field) {
        String[] keys = path.split("\\.", -1);
        if (path.isEmpty() || keys.length > MAX_DEPTH || List.of(keys).contains("")) {
            throw DomainException.invalid(field, "a field path is keys separated by single dots, at most " + MAX_DEPTH + " deep");
        }
    }

    /** 1 and 1.0 are the same number. */
    private static boolean same(JsonNode expected, JsonNode value) {
        if (expected.isNumber() && value.isNumber()) {
            return expected.decimalValue().compareTo(value.decimalValue()) == 0;
        }
        return expected.equals(value);
    }
}
