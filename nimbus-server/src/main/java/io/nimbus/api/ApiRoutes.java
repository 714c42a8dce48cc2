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
    private final WorkflowHandlers workflows;
    private final VersionHandlers versions;
    private final WebhookHandlers webhooks;
    private final EventingRoutes eventing;
    private final HttpRouteHandlers httpRoutes;
    private final String routePrefix;

    ApiRoutes(NimbusMetrics metrics, FunctionHandlers functions, InvocationHandlers invocations, HealthHandlers health,
              WorkflowHandlers workflows, VersionHandlers versions, WebhookHandlers webhooks, EventingRoutes eventing,
              String routePrefix, HttpRouteHandlers httpRoutes) {
        this.metrics = metrics;
        this.routePrefix = routePrefix;
        this.httpRoutes = httpRoutes;
        this.versions = versions;
        this.webhooks = webhooks;
        this.eventing = eventing;
        this.functions = functions;
        this.invocations = invocations;
        this.health = health;
        this.workflows = workflows;
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
                .get("/api/v1/functions/{ref}/build", functions::build)
                .get("/api/v1/functions/{ref}/versions", versions::listVersions)
                .get("/api/v1/functions/{ref}/versions/{version}", versions::getVersion)
                .post("/api/v1/functions/{ref}/versions/{version}/rollback", versions::rollback)
                .post("/api/v1/functions/{ref}/aliases", versions::createAlias)
                .get("/api/v1/functions/{ref}/aliases", versions::listAliases)
                .get("/api/v1/functions/{ref}/aliases/{name}", versions::getAlias)
                .put("/api/v1/functions/{ref}/aliases/{name}", versions::replaceAlias)
                .delete("/api/v1/functions/{ref}/aliases/{name}", versions::deleteAlias)
                .post("/api/v1/functions/{ref}/webhook", webhooks::issue)
                .delete("/api/v1/functions/{ref}/webhook", webhooks::delete)
                .post("/webhook/{key}", webhooks::receive)
                .post("/api/v1/functions/{ref}/invoke", invocations::invoke)
                .post("/api/v1/functions/{ref}/async", invocations::invokeAsync)
                .get("/api/v1/functions/{ref}/invocations", invocations::listForFunction)
                .get("/api/v1/invocations", invocations::listAll)
                .get("/api/v1/invocations/{id}", invocations::get)
                .post("/api/v1/workflows", workflows::create)
                .get("/api/v1/workflows", workflows::list)
                .get("/api/v1/workflows/{ref}", workflows::get)
                .delete("/api/v1/workflows/{ref}", workflows::delete)
                .post("/api/v1/workflows/{ref}/executions", workflows::startExecution)
                .get("/api/v1/workflows/{ref}/executions", workflows::listExecutions)
                .get("/api/v1/executions/{id}", workflows::getExecution)
                .post("/api/v1/executions/{id}/cancel", workflows::cancelExecution);
        eventing.register(routing);
        routing
                .any(routePrefix, httpRoutes::serve)
                .any(routePrefix + "/*", httpRoutes::serve)
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
