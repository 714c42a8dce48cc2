package io.nimbus.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/** The columns kept as JSON text: environment variables, tags, and code files (contents as base64). */
final class JsonText {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() { };
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() { };
    private static final TypeReference<Map<String, byte[]>> FILES = new TypeReference<>() { };

    private JsonText() {
    }

    /** Byte arrays become base64 strings. */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new StoreException("could not write JSON: " + e.getOriginalMessage(), e);
        }
    }

    static Map<String, String> readStringMap(String json) {
        return read(json, STRING_MAP);
    }

    static List<String> readStringList(String json) {
        return read(json, STRING_LIST);
    }

    /** Path to content, as {@link #write} stored it. */
    static Map<String, byte[]> readFiles(String json) {
        return read(json, FILES);
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new StoreException("stored JSON is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
