package io.nimbus.api;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nimbus.domain.Function;
import io.nimbus.domain.async.AsyncConfig;
import io.nimbus.domain.async.Destination;
import io.nimbus.functions.FunctionService;
import io.nimbus.invoker.AsyncConfigs;

import java.util.LinkedHashMap;
import java.util.Map;

/** /api/v1/functions/{ref}/async-config: retries, event age and destinations of async invocations. */
final class AsyncConfigHandlers {
    private static final long MAX_BODY = 64 * 1024;

    private final AsyncConfigs configs;
    private final FunctionService functions;

    /** The body of a PUT: absent numbers take the defaults, absent destinations are none. */
    record AsyncConfigRequest(Integer maxRetries, Integer maxEventAgeSec, AsyncConfigs.DestinationRequest onSuccess,
                              AsyncConfigs.DestinationRequest onFailure) {
    }

    AsyncConfigHandlers(AsyncConfigs configs, FunctionService functions) {
        this.configs = configs;
        this.functions = functions;
    }

    void get(ServerRequest request, ServerResponse response) {
        Function function = functions.require(FunctionHandlers.ref(request));
        Exchange.json(response, 200, view(function, configs.get(function)));
    }

    void put(ServerRequest request, ServerResponse response) {
        Function function = functions.require(FunctionHandlers.ref(request));
        AsyncConfigRequest body = Json.read(Exchange.body(request, MAX_BODY, "the async config"), AsyncConfigRequest.class);
        AsyncConfig saved = configs.put(function, body.maxRetries(), body.maxEventAgeSec(), body.onSuccess(),
                body.onFailure());
        Exchange.json(response, 200, view(function, saved));
    }

    void delete(ServerRequest request, ServerResponse response) {
        configs.reset(functions.require(FunctionHandlers.ref(request)));
        response.status(204).send();
    }

    private static Map<String, Object> view(Function function, AsyncConfig config) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("function", function.name());
        view.put("max_retries", config.maxRetries());
        view.put("max_event_age_sec", config.maxEventAgeSec());
        view.put("on_success", destination(config.onSuccess()));
        view.put("on_failure", destination(config.onFailure()));
        return view;
    }

    private static Map<String, Object> destination(Destination destination) {
        return switch (destination) {
            case null -> null;
            case Destination.ToFunction function -> Map.of("type", "function", "function", function.functionName());
            case Destination.ToTopic topic -> Map.of("type", "topic", "topic", topic.topic());
        };
    }
}
