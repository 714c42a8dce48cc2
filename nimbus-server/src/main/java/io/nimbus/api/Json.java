package io.nimbus.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.io.IOException;
import java.util.stream.Collectors;

/** JSON in and out of the API: snake_case fields, strict about unknown fields and duplicates. */
final class Json {
    static final ObjectMapper MAPPER = strictTypes(new ObjectMapper(JsonFactory.builder()
            // a 50 MiB package is one base64 string of 67 MiB; Jackson's default cap is 20 MB
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE - 8).build())
            .build()))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private Json() {
    }

    /**
     * A number or a boolean where text is expected (an env var value, say) is refused, not
     * turned into text; so is text where a number is expected ({@code "timeout_sec": "30"}).
     */
    private static ObjectMapper strictTypes(ObjectMapper mapper) {
        for (CoercionInputShape shape : new CoercionInputShape[] {
                CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean}) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        for (LogicalType number : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(number).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
            mapper.coercionConfigFor(number).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        return mapper;
    }

    /** Maps a request body onto {@code type}, refusing it with the field at fault. */
    static <T> T read(byte[] body, Class<T> type) {
        return read(object(body), type);
    }

    /** A request body that must be a JSON object, as a tree: for a handler that needs to see explicit nulls. */
    static JsonNode object(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest(null, "the request body must be a JSON object");
        }
        try {
            JsonNode tree = MAPPER.readTree(body);
            if (tree == null || !tree.isObject()) {
                throw ApiException.badRequest(null, "the request body must be a JSON object");
            }
            return tree;
        } catch (JsonParseException e) {
            throw ApiException.badRequest(null, "the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest(null, "the request body could not be read: " + e.getMessage());
        }
    }

    /** Maps a JSON object onto {@code type}, refusing it with the field at fault. */
    static <T> T read(JsonNode tree, Class<T> type) {
        try {
            return MAPPER.treeToValue(tree, type);
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.badRequest(e.getPropertyName(), "unknown field '" + e.getPropertyName() + "'");
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw ApiException.badRequest(field, "field '" + field + "' has the wrong type");
        } catch (JsonMappingException e) {
            throw ApiException.badRequest(path(e), "the request body is not valid: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest(null, "the request body could not be read: " + e.getMessage());
        }
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new IllegalStateException("response could not be serialized", e);
        }
    }

    static JsonNode tree(String json) {
        try {
            return json == null ? null : MAPPER.readTree(json);
        } catch (IOException e) {
            return MAPPER.getNodeFactory().textNode(json);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
