package io.nimbus.api;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationQuery;
import io.nimbus.domain.InvocationStatus;
import io.nimbus.domain.Limits;
import io.nimbus.domain.TriggerType;
import io.nimbus.domain.async.Submission;
import io.nimbus.functions.FunctionService;
import io.nimbus.invoker.AsyncInvocations;
import io.nimbus.invoker.InvocationHistory;
import io.nimbus.invoker.InvokeOutcome;
import io.nimbus.invoker.Invoker;
import io.nimbus.invoker.Resolution;
import io.nimbus.invoker.Resolver;
import io.nimbus.protocol.JsonPayload;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Invoking functions, synchronously and asynchronously, and reading invocation records. */
final class InvocationHandlers {
    private static final HeaderName INVOCATION_ID = HeaderNames.create("X-Nimbus-Invocation-Id");
    private static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");
    private static final HeaderName IDEMPOTENT_REPLAYED = HeaderNames.create("Idempotent-Replayed");
    private static final Duration IDEMPOTENCY_WINDOW = Duration.ofHours(24);
    private static final Pattern KEY_SHAPE = Pattern.compile("^[\\x21-\\x7e]{1,255}$");
    private static final byte[] EMPTY_EVENT = "{}".getBytes(StandardCharsets.UTF_8);

    private final Invoker invoker;
    private final AsyncInvocations async;
    private final InvocationHistory history;
    private final FunctionService functions;
    private final Resolver resolver;

    InvocationHandlers(Invoker invoker, AsyncInvocations async, InvocationHistory history, FunctionService functions,
                       Resolver resolver) {
        this.resolver = resolver;
        this.invoker = invoker;
        this.async = async;
        this.history = history;
        this.functions = functions;
    }

    /** {ref} may carry a qualifier (name:3, name:alias); ?version=3 names a version too. */
    void invoke(ServerRequest request, ServerResponse response) throws InterruptedException {
        Resolution target = resolver.resolve(FunctionHandlers.ref(request), Exchange.query(request, "version"));
        byte[] event = event(request);
        InvokeOutcome outcome = invoker.invoke(target, event, TriggerType.HTTP);
        byte[] output = InvokeAnswers.outputOrError(response, outcome);
        if (output != null) {
            response.header(HeaderNames.CONTENT_TYPE, "application/json");
            response.send(output);
        }
    }

    void invokeAsync(ServerRequest request, ServerResponse response) {
        String ref = FunctionHandlers.ref(request);
        Function function = functions.require(ref);
        byte[] event = event(request);
        String key = request.headers().first(IDEMPOTENCY_KEY).orElse(null);
        if (key == null) {
            accepted(response, async.submit(function, new String(event, StandardCharsets.UTF_8)).id(), "pending");
            return;
        }
        if (!KEY_SHAPE.matcher(key).matches()) {
            throw ApiException.badRequest("Idempotency-Key", "Idempotency-Key is 1-255 visible ASCII characters");
        }
        switch (async.submit(function, new String(event, StandardCharsets.UTF_8), key, IDEMPOTENCY_WINDOW)) {
            case Submission.Accepted accepted -> accepted(response, accepted.invocation().id(), "pending");
            case Submission.Replayed replayed -> {
                response.header(IDEMPOTENT_REPLAYED, "true");
                accepted(response, replayed.invocationId(), history.find(replayed.invocationId())
                        .map(invocation -> invocation.status().wireName()).orElse("pending"));
            }
            case Submission.KeyReused reused -> throw new ApiException(422, "IdempotencyKeyReused",
                    "this Idempotency-Key was used within 24 hours for a different event (invocation "
                            + reused.invocationId() + ")", "Idempotency-Key");
        }
    }

    private static void accepted(ServerResponse response, String invocationId, String status) {
        response.header("Location", "/api/v1/invocations/" + invocationId);
        response.header(INVOCATION_ID, invocationId);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("invocation_id", invocationId);
        body.put("status", status);
        Exchange.json(response, 202, body);
    }

    void get(ServerRequest request, ServerResponse response) {
        String id = request.path().pathParameters().get("id");
        Invocation invocation = history.find(id).orElseThrow(() -> DomainException.notFound("invocation", id));
        Map<String, Object> view = Views.invocation(invocation);
        AttemptViews.add(view, invocation, async.attempts(id));
        Exchange.json(response, 200, view);
    }

    void listForFunction(ServerRequest request, ServerResponse response) {
        String functionId = functions.require(FunctionHandlers.ref(request)).id();
        list(request, response, functionId);
    }

    void listAll(ServerRequest request, ServerResponse response) {
        String function = Exchange.query(request, "function");
        list(request, response, function == null ? null : functions.require(function).id());
    }

    private void list(ServerRequest request, ServerResponse response, String functionId) {
        int limit = Exchange.queryInt(request, "limit", Limits.DEFAULT_PAGE_SIZE, 1, Limits.MAX_PAGE_SIZE);
        int offset = Exchange.queryInt(request, "offset", 0, 0, Integer.MAX_VALUE);
        InvocationQuery query = new InvocationQuery(functionId, status(request), limit, offset);
        List<Map<String, Object>> page = history.list(query).stream().map(Views::invocation).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("invocations", page);
        body.put("limit", limit);
        body.put("offset", offset);
        Exchange.json(response, 200, body);
    }

    /** The event: any JSON value up to 6 MiB; an empty body is the empty object. */
    private static byte[] event(ServerRequest request) {
        byte[] body = Exchange.body(request, Limits.MAX_PAYLOAD_BYTES, "the event");
        if (body.length == 0) {
            return EMPTY_EVENT;
        }
        if (!JsonPayload.isSingleValue(body)) {
            throw new ApiException(400, "InvalidEvent", "the request body is not valid JSON", null);
        }
        return body;
    }

    private static InvocationStatus status(ServerRequest request) {
        String status = Exchange.query(request, "status");
        if (status == null) {
            return null;
        }
        try {
            return InvocationStatus.fromWire(status);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("status", "status must be one of pending, running, success, failed, timeout");
        }
    }
}
