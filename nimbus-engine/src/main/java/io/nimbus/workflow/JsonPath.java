package io.nimbus.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reference into a JSON document: {@code $} (the whole document), then field names and array
 * indexes, as in {@code $.order.items[0].price}. Deliberately no wildcards, filters or slices:
 * a path names one value, so reading and writing through it are both well defined.
 */
record JsonPath(String text, List<Object> segments) {
    private static final Pattern SEGMENT = Pattern.compile("\\.([A-Za-z_][A-Za-z0-9_-]*)|\\[(\\d{1,6})]");
    static final JsonPath ROOT = new JsonPath("$", List.of());

    /** @throws IllegalArgumentException when {@code text} is not a path */
    static JsonPath parse(String text) {
        if (text == null || !text.startsWith("$")) {
            throw new IllegalArgumentException("a path starts with $, as in $.order.total");
        }
        List<Object> segments = new ArrayList<>();
        Matcher matcher = SEGMENT.matcher(text);
        int at = 1;
        while (at < text.length()) {
            if (!matcher.find(at) || matcher.start() != at) {
                throw new IllegalArgumentException("'" + text + "' is not a path: expected .field or [index] at "
                        + "character " + (at + 1));
            }
            segments.add(matcher.group(1) != null ? matcher.group(1) : Integer.parseInt(matcher.group(2)));
            at = matcher.end();
        }
        return new JsonPath(text, List.copyOf(segments));
    }

    /** The value at this path, or a missing node when there is none. */
    JsonNode read(JsonNode document) {
        JsonNode node = document;
        for (Object segment : segments) {
            node = segment instanceof String field ? node.path(field) : node.path((Integer) segment);
        }
        return node;
    }

    /**
     * A copy of {@code document} with {@code value} at this path; objects are created on the way
     * where fields are missing. The root path replaces the document.
     *
     * @throws IllegalArgumentException when the way goes through a value that is not an object
     *                                  (or, for an index, an array long enough)
     */
    JsonNode write(JsonNode document, JsonNode value) {
        if (segments.isEmpty()) {
            return value;
        }
        JsonNode copy = document == null || document.isMissingNode() ? JsonNodeFactory.instance.objectNode()
                : document.deepCopy();
        JsonNode parent = copy;
        for (int i = 0; i < segments.size(); i++) {
            Object segment = segments.get(i);
            boolean last = i == segments.size() - 1;
            if (segment instanceof String field && parent instanceof ObjectNode object) {
                if (last) {
                    object.set(field, value);
                } else if (!object.path(field).isContainerNode()) {
                    object.set(field, JsonNodeFactory.instance.objectNode());
                }
                parent = object.get(field);
            } else if (segment instanceof Integer index && parent instanceof ArrayNode array && index < array.size()) {
                if (last) {
                    array.set(index, value);
                }
                parent = array.get(index);
            } else {
                throw new IllegalArgumentException("result_path " + text + " does not fit the step's input");
            }
        }
        return copy;
    }

    @Override
    public String toString() {
        return text;
    }
}
