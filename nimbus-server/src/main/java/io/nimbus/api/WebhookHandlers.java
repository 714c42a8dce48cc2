package io.nimbus.api;

import io.helidon.http.Header;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.Limits;
import io.nimbus.domain.TriggerType;
import io.nimbus.domain.Webhook;
import io.nimbus.domain.WebhookRequest;
import io.nimbus.functions.FunctionService;
import io.nimbus.functions.Webhooks;
import io.nimbus.invoker.AsyncInvocations;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Issuing a function's webhook, and {@code POST /webhook/{key}}: the request becomes an event
 * that runs asynchronously, so that the sender gets its 202 at once, whatever the function does.
 */
final class WebhookHandlers {
    private static final long MAX_SETTINGS_BODY = 16 * 1024;
    /** Leaves room in the event for the headers and for base64, which is 4/3 of the body. */
    private static final long MAX_WEBHOOK_BODY = Limits.MAX_PAYLOAD_BYTES / 2;

    private final Webhooks webhooks;
    private final FunctionService functions;
    private final AsyncInvocations async;

    WebhookHandlers(Webhooks webhooks, FunctionService functions, AsyncInvocations async) {
        this.webhooks = webhooks;
        this.functions = functions;
        this.async = async;
    }

    /** Issues a new key, shown in this answer only. */
    void issue(ServerRequest request, ServerResponse response) {
        byte[] body = Exchange.body(request, MAX_SETTINGS_BODY, "the webhook settings");
        WebhookRequest settings = body.length == 0 ? new WebhookRequest(null, null) : Json.read(body, WebhookRequest.class);
        Webhooks.Issued issued = webhooks.issue(FunctionHandlers.ref(request), settings);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("function_id", issued.webhook().functionId());
        view.put("key", issued.key());
        view.put("url", "/webhook/" + issued.key());
        view.put("signed", issued.webhook().hmacSecret() != null);
        view.put("signature_header", issued.webhook().signatureHeader());
        view.put("created_at", issued.webhook().createdAt().toString());
        Exchange.json(response, 201, view);
    }

    void delete(ServerRequest request, ServerResponse response) {
        webhooks.delete(FunctionHandlers.ref(request));
        response.status(204).send();
    }

    /** A bad or missing signature is refused with 401 before anything is recorded. */
    void receive(ServerRequest request, ServerResponse response) {
        Webhook webhook = webhooks.require(request.path().pathParameters().get("key"));
        byte[] body = Exchange.body(request, MAX_WEBHOOK_BODY, "the webhook's body");
        Map<String, String> headers = headers(request);
        if (!Webhooks.signedAsRequired(webhook, headers, body)) {
            throw new ApiException(401, "InvalidSignature", "the request's " + webhook.signatureHeader()
                    + " header is missing or does not sign its body", null);
        }
        Function function = functions.find(webhook.functionId())
                .orElseThrow(() -> DomainException.notFound("webhook", "…"));
        Invocation pending = async.submit(function, new String(Json.write(event(request, headers, body)), StandardCharsets.UTF_8),
                TriggerType.WEBHOOK);
        response.header("Location", "/api/v1/invocations/" + pending.id());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("invocation_id", pending.id());
        view.put("status", pending.status().wireName());
        Exchange.json(response, 202, view);
    }

    private static Map<String, Object> event(ServerRequest request, Map<String, String> headers, byte[] body) {
        String text = utf8(body);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("method", request.prologue().method().text());
        event.put("headers", headers);
        Map<String, String> query = new TreeMap<>();
        request.query().names().forEach(name -> query.put(name, request.query().get(name)));
        event.put("query", query);
        event.put("body", text != null ? text : Base64.getEncoder().encodeToString(body));
        event.put("is_base64_encoded", text == null);
        return event;
    }

    /** Header names in lower case; repeated headers joined with commas, as HTTP allows. */
    static Map<String, String> headers(ServerRequest request) {
        Map<String, String> headers = new TreeMap<>();
        for (Header header : request.headers()) {
            headers.put(header.name().toLowerCase(Locale.ROOT), String.join(",", header.allValues()));
        }
        return headers;
    }

    /** The body as text, or null when it is not UTF-8 (binary): it then travels as base64. */
    static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
