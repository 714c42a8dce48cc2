package io.nimbus.api;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.http.HeaderNames;
import io.nimbus.domain.DomainException;
import io.nimbus.metrics.NimbusMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every route of the HTTP API, in one place, and the mapping of refusals to the one error
 * shape: {@code {"error": {"code", "message", "field"}}}. Unexpected failures are logged
 * here with their stack trace and answered with a plain 500; a client never sees a trace.
 */
public final class ApiRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);

    private final NimbusMetrics metrics;
    private final FunctionHandlers functions;
    private final InvocationHandlers invocations;
    private final HealthHandlers health;
    private final EventingRoutes eventing;

    ApiRoutes(NimbusMetrics metrics, FunctionHandlers functions, InvocationHandlers invocations, HealthHandlers health,
              EventingRoutes eventing) {
        this.metrics = metrics;
        this.eventing = eventing;
        this.functions = functions;
        this.invocations = invocations;
        this.health = health;
    }

    void register(HttpRouting.Builder routing) {
        routing
                .get("/health", health::details)
                .get("/health/live", health::live)
                .get("/health/ready", health::ready)
                .get("/metrics", this::metrics)
                .get("/api/v1/runtimes", health::runtimes)
                .post("/api/v1/functions", functions::create)
                .get("/api/v1/functions", functions::list)
                .get("/api/v1/functions/{ref}", functions::get)
                .put("/api/v1/functions/{ref}", functions::update)
                .delete("/api/v1/functions/{ref}", functions::delete)
                .post("/api/v1/functions/{ref}/invoke", invocations::invoke)
                .post("/api/v1/functions/{ref}/async", invocations::invokeAsync)
                .get("/api/v1/functions/{ref}/invocations", invocations::listForFunction)
                .get("/api/v1/invocations", invocations::listAll)
                .get("/api/v1/invocations/{id}", invocations::get);
        eventing.register(routing);
        routing
                .any(ApiRoutes::notFound)
                .error(DomainException.class, ApiRoutes::domainError)
                .error(ApiException.class, ApiRoutes::apiError)
                .error(Throwable.class, ApiRoutes::unexpected);
    }

    private void metrics(ServerRequest request, ServerResponse response) {
        response.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        response.send(metrics.scrape());
    }

    private static void notFound(ServerRequest request, ServerResponse response) {
        Exchange.error(response, 404, "NotFound",
                "no route for " + request.prologue().method().text() + " " + request.path().path(), null);
    }

    private static void domainError(ServerRequest request, ServerResponse response, DomainException e) {
        int status = switch (e.kind()) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case TOO_LARGE -> 413;
            case UNAVAILABLE -> 503;
        };
        Exchange.error(response, status, e.code(), e.getMessage(), e.field());
    }

    private static void apiError(ServerRequest request, ServerResponse response, ApiException e) {
        Exchange.error(response, e.status(), e.code(), e.getMessage(), e.field());
    }

    private static void unexpected(ServerRequest request, ServerResponse response, Throwable e) {
        LOG.error("unexpected failure on {} {}", request.prologue().method().text(), request.path().path(), e);
        Exchange.error(response, 500, "InternalError", "the server failed to handle the request; see its log", null);
    }
}
