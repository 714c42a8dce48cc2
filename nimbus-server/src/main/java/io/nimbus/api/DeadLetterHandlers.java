package io.nimbus.api;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nimbus.domain.Function;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.Limits;
import io.nimbus.domain.async.DeadLetter;
import io.nimbus.functions.FunctionService;
import io.nimbus.invoker.DeadLetters;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** /api/v1/functions/{ref}/dead-letters: reading a function's dead letters and redriving one. */
final class DeadLetterHandlers {
    private final DeadLetters deadLetters;
    private final FunctionService functions;

    DeadLetterHandlers(DeadLetters deadLetters, FunctionService functions) {
        this.deadLetters = deadLetters;
        this.functions = functions;
    }

    void list(ServerRequest request, ServerResponse response) {
        Function function = functions.require(FunctionHandlers.ref(request));
        int limit = Exchange.queryInt(request, "limit", Limits.DEFAULT_PAGE_SIZE, 1, Limits.MAX_PAGE_SIZE);
        int offset = Exchange.queryInt(request, "offset", 0, 0, Integer.MAX_VALUE);
        List<Map<String, Object>> page = deadLetters.list(function, limit, offset).stream()
                .map(letter -> view(function, letter)).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dead_letters", page);
        body.put("limit", limit);
        body.put("offset", offset);
        Exchange.json(response, 200, body);
    }

    void redrive(ServerRequest request, ServerResponse response) {
        Function function = functions.require(FunctionHandlers.ref(request));
        Invocation pending = deadLetters.redrive(function, request.path().pathParameters().get("id"));
        response.header("Location", "/api/v1/invocations/" + pending.id());
        Exchange.json(response, 202, Map.of("invocation_id", pending.id(), "status", pending.status().wireName()));
    }

    void redriveAll(ServerRequest request, ServerResponse response) {
        Function function = functions.require(FunctionHandlers.ref(request));
        Exchange.json(response, 202, Map.of("redriven", deadLetters.redriveAll(function)));
    }

    private static Map<String, Object> view(Function function, DeadLetter letter) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", letter.id());
        view.put("function_name", function.name());
        view.put("invocation_id", letter.invocationId());
        view.put("reason", letter.reason());
        view.put("error", letter.error() == null ? null : Views.error(letter.error()));
        view.put("attempts", letter.attempts());
        view.put("input", Json.tree(letter.input()));
        view.put("created_at", time(letter.createdAt()));
        view.put("redriven_at", time(letter.redrivenAt()));
        view.put("redrive_invocation_id", letter.redriveInvocationId());
        return view;
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
