package io.nimbus.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The HTTP response a route's function returned. A JSON object with an integer
 * {@code statusCode} (100-599) is a response: its {@code headers} are applied and its
 * {@code body} (a string, base64 when {@code isBase64Encoded}) sent. Any other value is sent
 * as JSON with 200, as Lambda function URLs do.
 */
record HttpReply(int status, Map<String, String> headers, byte[] body) {
    /** Framing is the server's to decide: a function cannot make the response lie about its length. */
    private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding", "connection");
    private static final String JSON = "application/json";

    static HttpReply of(byte[] output) {
        JsonNode value = parse(output);
        JsonNode status = value == null ? null : value.get("statusCode");
        if (status == null || !status.isInt() || status.intValue() < 100 || status.intValue() > 599) {
            return new HttpReply(200, Map.of("Content-Type", JSON), output);
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.put("Content-Type", JSON);
        value.path("headers").properties().forEach(header -> {
            if (header.getValue().isValueNode() && !FRAMING.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                headers.put(header.getKey(), header.getValue().asText());
            }
        });
        return new HttpReply(status.intValue(), headers, body(value));
    }

    private static byte[] body(JsonNode reply) {
        JsonNode body = reply.get("body");
        if (body == null || body.isNull()) {
            return new byte[0];
        }
        if (!body.isTextual()) {
            return Json.write(body);
        }
        if (reply.path("isBase64Encoded").asBoolean(false)) {
            try {
                return Base64.getDecoder().decode(body.textValue());
            } catch (IllegalArgumentException e) {
                throw new ApiException(502, "InvalidResponse",
                        "the function's response has isBase64Encoded but its body is not base64", null);
            }
        }
        return body.textValue().getBytes(StandardCharsets.UTF_8);
    }

    /** An object, or null for any other value. */
    private static JsonNode parse(byte[] output) {
        try {
            JsonNode value = Json.MAPPER.readTree(output);
            return value != null && value.isObject() ? value : null;
        } catch (IOException e) {
            return null;
        }
    }
}
