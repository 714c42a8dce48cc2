package io.nimbus.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.domain.FunctionQuery;
import io.nimbus.domain.FunctionRequest;
import io.nimbus.domain.FunctionStatus;
import io.nimbus.domain.Limits;
import io.nimbus.functions.FunctionService;
import io.nimbus.runtime.RuntimeCatalogue;
import io.nimbus.runtime.RuntimeEntry;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** /api/v1/functions: create, list, get, update, delete. */
final class FunctionHandlers {
    /** A 50 MiB package arrives as base64 (4/3 larger) inside JSON. */
    private static final long MAX_FUNCTION_BODY = Limits.MAX_PACKAGE_BYTES * 4 / 3 + 1024 * 1024;

    private final FunctionService functions;
    private final RuntimeCatalogue runtimes;
    private final Views views;

    FunctionHandlers(FunctionService functions, RuntimeCatalogue runtimes, Views views) {
        this.functions = functions;
        this.runtimes = runtimes;
        this.views = views;
    }

    void create(ServerRequest request, ServerResponse response) {
        FunctionRequest body = Json.read(functionBody(request), FunctionRequest.class);
        Function created = functions.create(body);
        response.header("Location", "/api/v1/functions/" + created.id());
        Exchange.json(response, 201, views.function(created));
    }

    void list(ServerRequest request, ServerResponse response) {
        int limit = Exchange.queryInt(request, "limit", Limits.DEFAULT_PAGE_SIZE, 1, Limits.MAX_PAGE_SIZE);
        int offset = Exchange.queryInt(request, "offset", 0, 0, Integer.MAX_VALUE);
        FunctionQuery query = new FunctionQuery(Exchange.query(request, "name"), runtimeFilter(request),
                Exchange.query(request, "tag"), statusFilter(request), limit, offset);
        List<Map<String, Object>> page = functions.list(query).stream().map(views::function).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("functions", page);
        body.put("limit", limit);
        body.put("offset", offset);
        Exchange.json(response, 200, body);
    }

    void get(ServerRequest request, ServerResponse response) {
        Exchange.json(response, 200, views.function(functions.require(ref(request))));
    }

    /** An explicit {@code "http_path": null} removes the route; an absent one keeps it. */
    void update(ServerRequest request, ServerResponse response) {
        JsonNode tree = Json.object(functionBody(request));
        FunctionRequest body = Json.read(tree, FunctionRequest.class);
        if (tree.has("http_path") && tree.get("http_path").isNull()) {
            body = body.withoutHttpRoute();
        }
        Exchange.json(response, 200, views.function(functions.update(ref(request), body)));
    }

    /** The build of the current version: its status and log (null while it runs, and for runtimes that are not built). */
    void build(ServerRequest request, ServerResponse response) {
        Function function = functions.require(ref(request));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("function_id", function.id());
        body.put("version", function.version());
        body.put("status", function.status().wireName());
        body.put("build_log", function.buildLog());
        Exchange.json(response, 200, body);
    }

    void delete(ServerRequest request, ServerResponse response) {
        functions.delete(ref(request));
        response.status(204).send();
    }

    /** A body that cannot hold a package within the limit is refused naming {@code files}, before it is read. */
    private static byte[] functionBody(ServerRequest request) {
        return Exchange.body(request, MAX_FUNCTION_BODY,
                "the function (its package is limited to " + Limits.MAX_PACKAGE_BYTES + " bytes)", "files");
    }

    static String ref(ServerRequest request) {
        return request.path().pathParameters().get("ref");
    }

    private String runtimeFilter(ServerRequest request) {
        String runtime = Exchange.query(request, "runtime");
        if (runtime == null) {
            return null;
        }
        return runtimes.find(runtime).map(RuntimeEntry::id).orElse(runtime);
    }

    private static FunctionStatus statusFilter(ServerRequest request) {
        String status = Exchange.query(request, "status");
        if (status == null) {
            return null;
        }
        try {
            return FunctionStatus.fromWire(status);
        } catch (IllegalArgumentException e) {
            throw DomainException.invalid("status", "status must be one of active, inactive, building, failed");
        }
    }
}
