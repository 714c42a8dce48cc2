package io.nimbus.api;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nimbus.domain.Limits;
import io.nimbus.domain.TriggerType;
import io.nimbus.functions.HttpRoutes;
import io.nimbus.invoker.InvokeOutcome;
import io.nimbus.invoker.Invoker;
import io.nimbus.invoker.Resolution;

import java.util.Map;

/**
 * {@code ANY <prefix>/<path>}: a plain HTTP request served by the function whose route fits,
 * at its latest version, synchronously. The request becomes an {@link HttpEvent}; the result
 * becomes the response as {@link HttpReply} reads it.
 */
final class HttpRouteHandlers {
    /** Leaves room in the event for the headers and for base64, which is 4/3 of the body. */
    private static final long MAX_BODY = Limits.MAX_PAYLOAD_BYTES / 2;

    private final String prefix;
    private final HttpRoutes routes;
    private final Invoker invoker;

    /** @param prefix where routes are served, for example {@code /fn}: starts with '/', does not end with one */
    HttpRouteHandlers(String prefix, HttpRoutes routes, Invoker invoker) {
        this.prefix = prefix;
        this.routes = routes;
        this.invoker = invoker;
    }

    void serve(ServerRequest request, ServerResponse response) throws InterruptedException {
        String method = request.prologue().method().text();
        String path = request.path().path().substring(prefix.length());
        String routePath = path.isEmpty() ? "/" : path;
        switch (routes.lookup(method, routePath)) {
            case HttpRoutes.NoRoute ignored -> Exchange.error(response, 404, "NotFound",
                    "no function is served at " + method + " " + request.path().path(), null);
            case HttpRoutes.MethodNotAllowed notAllowed -> {
                response.header(HeaderNames.ALLOW, String.join(", ", notAllowed.allowed()));
                Exchange.error(response, 405, "MethodNotAllowed", request.path().path() + " is served for "
                        + String.join(", ", notAllowed.allowed()) + ", not " + method, null);
            }
            case HttpRoutes.Served served -> {
                byte[] body = Exchange.body(request, MAX_BODY, "the request body");
                Map<String, Object> event = HttpEvent.of(request, routePath, served.pathParameters(), body);
                InvokeOutcome outcome = invoker.invoke(Resolution.latest(served.function()), Json.write(event),
                        TriggerType.HTTP);
                byte[] output = InvokeAnswers.outputOrError(response, outcome);
                if (output != null) {
                    send(response, HttpReply.of(output));
                }
            }
        }
    }

    private static void send(ServerResponse response, HttpReply reply) {
        response.status(Status.create(reply.status()));
        reply.headers().forEach(response::header);
        response.send(reply.body());
    }
}
