package io.nimbus.api;

import io.helidon.common.media.type.MediaType;
import io.helidon.webserver.http.ServerRequest;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The event an HTTP route's request becomes. Query parameters are joined with commas when
 * repeated, with the raw query string beside them, as API Gateway's HTTP APIs do; a body that
 * is not text (by its content type, or because it is not UTF-8) travels as base64.
 */
final class HttpEvent {
    private HttpEvent() {
    }

    static Map<String, Object> of(ServerRequest request, String path, Map<String, String> pathParameters, byte[] body) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("method", request.prologue().method().text());
        event.put("path", path);
        event.put("path_parameters", pathParameters);
        Map<String, String> query = new TreeMap<>();
        request.query().names().forEach(name -> query.put(name, String.join(",", request.query().all(name))));
        event.put("query", query);
        event.put("raw_query_string", request.query().rawValue());
        event.put("headers", WebhookHandlers.headers(request));
        String text = body.length == 0 || !textual(request) ? null : WebhookHandlers.utf8(body);
        boolean base64 = body.length > 0 && text == null;
        event.put("body", base64 ? Base64.getEncoder().encodeToString(body) : text);
        event.put("is_base64_encoded", base64);
        return event;
    }

    /** No content type is taken for text, and then only UTF-8 decides. */
    private static boolean textual(ServerRequest request) {
        return request.headers().contentType()
                .map(type -> isText(type.mediaType()))
                .orElse(true);
    }

    private static boolean isText(MediaType type) {
        String main = type.type().toLowerCase(Locale.ROOT);
        String sub = type.subtype().toLowerCase(Locale.ROOT);
        return main.equals("text") || sub.equals("json") || sub.endsWith("+json") || sub.equals("xml")
                || sub.endsWith("+xml") || sub.equals("x-www-form-urlencoded") || sub.equals("javascript")
                || sub.equals("graphql");
    }
}
