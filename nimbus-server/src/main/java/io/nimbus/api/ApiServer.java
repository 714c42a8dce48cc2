package io.nimbus.api;

import io.helidon.webserver.WebServer;
import io.nimbus.functions.Aliases;
import io.nimbus.functions.FunctionService;
import io.nimbus.functions.HttpRoutes;
import io.nimbus.functions.Webhooks;
import io.nimbus.invoker.AsyncInvocations;
import io.nimbus.invoker.InvocationHistory;
import io.nimbus.invoker.Invoker;
import io.nimbus.invoker.Resolver;
import io.nimbus.metrics.NimbusMetrics;
import io.nimbus.pool.InstancePools;
import io.nimbus.runtime.RuntimeCatalogue;
import io.nimbus.workflow.WorkflowService;

import java.util.function.BooleanSupplier;

/** The HTTP server of the API, on Helidon SE's virtual-thread web server. */
public final class ApiServer implements AutoCloseable {
    private final WebServer server;

    public record Parts(FunctionService functions, Invoker invoker, AsyncInvocations async, InvocationHistory history,
                        RuntimeCatalogue runtimes, InstancePools pools, NimbusMetrics metrics, String storeKind,
                        BooleanSupplier storeUp,
                        BooleanSupplier accepting, WorkflowService workflows, Aliases aliases, Webhooks webhooks,
                        EventingParts eventing, String routePrefix) {
    }

    public ApiServer(String host, int port, Parts parts) {
        Views views = new Views(parts.runtimes(), parts.pools().sandboxes(), parts.pools().defaults());
        ApiRoutes routes = new ApiRoutes(parts.metrics(),
                new FunctionHandlers(parts.functions(), parts.runtimes(), views),
                new InvocationHandlers(parts.invoker(), parts.async(), parts.history(), parts.functions(),
                        new Resolver(parts.functions(), parts.aliases())),
                new HealthHandlers(parts.runtimes(), parts.pools(), parts.async(), parts.storeKind(), parts.storeUp(),
                        parts.accepting()),
                new WorkflowHandlers(parts.workflows()),
                new VersionHandlers(parts.functions(), parts.aliases(), views),
                new WebhookHandlers(parts.webhooks(), parts.functions(), parts.async()),
                new EventingRoutes(parts.eventing(), parts.functions()),
                parts.routePrefix(),
                new HttpRouteHandlers(parts.routePrefix(), new HttpRoutes(parts.functions()), parts.invoker()));
        this.server = WebServer.builder()
                .host(host)
                .port(port)
                .routing(routes::register)
                .build();
    }

    public ApiServer start() {
        server.start();
        return this;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
