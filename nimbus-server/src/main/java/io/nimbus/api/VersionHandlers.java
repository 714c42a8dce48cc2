package io.nimbus.api;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nimbus.domain.Alias;
import io.nimbus.domain.AliasRequest;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Function;
import io.nimbus.functions.Aliases;
import io.nimbus.functions.FunctionService;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A function's versions (list, get, rollback) and aliases (create, list, get, replace, delete). */
final class VersionHandlers {
    private static final long MAX_ALIAS_BODY = 16 * 1024;

    private final FunctionService functions;
    private final Aliases aliases;
    private final Views views;

    VersionHandlers(FunctionService functions, Aliases aliases, Views views) {
        this.functions = functions;
        this.aliases = aliases;
        this.views = views;
    }

    void listVersions(ServerRequest request, ServerResponse response) {
        List<Map<String, Object>> versions = functions.versions(FunctionHandlers.ref(request)).stream()
                .map(views::function).toList();
        Exchange.json(response, 200, Map.of("versions", versions));
    }

    void getVersion(ServerRequest request, ServerResponse response) {
        Function latest = functions.require(FunctionHandlers.ref(request));
        Exchange.json(response, 200, views.function(functions.version(latest, version(request))));
    }

    /** Publishes a new version equal to the one named; answers with it. */
    void rollback(ServerRequest request, ServerResponse response) {
        Function published = functions.rollback(FunctionHandlers.ref(request), version(request));
        Exchange.json(response, 201, views.function(published));
    }

    void createAlias(ServerRequest request, ServerResponse response) {
        String ref = FunctionHandlers.ref(request);
        Alias alias = aliases.create(ref, aliasBody(request));
        response.header("Location", "/api/v1/functions/" + ref + "/aliases/" + alias.name());
        Exchange.json(response, 201, Views.alias(alias));
    }

    void listAliases(ServerRequest request, ServerResponse response) {
        List<Map<String, Object>> page = aliases.list(FunctionHandlers.ref(request)).stream().map(Views::alias).toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("aliases", page);
        Exchange.json(response, 200, body);
    }

    void getAlias(ServerRequest request, ServerResponse response) {
        Function function = functions.require(FunctionHandlers.ref(request));
        Exchange.json(response, 200, Views.alias(aliases.require(function, aliasName(request))));
    }

    void replaceAlias(ServerRequest request, ServerResponse response) {
        Alias alias = aliases.replace(FunctionHandlers.ref(request), aliasName(request), aliasBody(request));
        Exchange.json(response, 200, Views.alias(alias));
    }

    void deleteAlias(ServerRequest request, ServerResponse response) {
        aliases.delete(FunctionHandlers.ref(request), aliasName(request));
        response.status(204).send();
    }

    private static AliasRequest aliasBody(ServerRequest request) {
        return Json.read(Exchange.body(request, MAX_ALIAS_BODY, "the alias"), AliasRequest.class);
    }

    private static String aliasName(ServerRequest request) {
        return request.path().pathParameters().get("name");
    }

    private static int version(ServerRequest request) {
        String text = request.path().pathParameters().get("version");
        try {
            int version = Integer.parseInt(text);
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw DomainException.invalid("version", "version must be a version number, 1 or more: " + text);
    }
}
