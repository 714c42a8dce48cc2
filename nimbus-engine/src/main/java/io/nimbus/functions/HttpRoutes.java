package io.nimbus.functions;

import io.nimbus.domain.Function;
import io.nimbus.domain.HttpRoute;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the function that serves a plain HTTP request. Of the routes that fit the path and
 * allow the method, the most specific wins (a literal segment beats a parameter); a path that
 * fits only routes of other methods is told which methods it has.
 */
public final class HttpRoutes {
    private final FunctionService functions;

    public HttpRoutes(FunctionService functions) {
        this.functions = functions;
    }

    /** What a request for {@code method} and {@code path} (without the route prefix) reaches. */
    public sealed interface Lookup permits Served, MethodNotAllowed, NoRoute {
    }

    /** The function, at its latest version, and the path's parameters. */
    public record Served(Function function, Map<String, String> pathParameters) implements Lookup {
    }

    /** @param allowed the methods the path is served for, in canonical order */
    public record MethodNotAllowed(List<String> allowed) implements Lookup {
    }

    public record NoRoute() implements Lookup {
    }

    public Lookup lookup(String method, String path) {
        List<String> segments = HttpRoute.segments(path);
        List<Function> fitting = functions.routed().stream()
                .filter(function -> function.httpRoute().match(segments).isPresent())
                .toList();
        Optional<Function> best = fitting.stream()
                .filter(function -> function.httpRoute().allows(method))
                .min(Comparator.comparing(Function::httpRoute, HttpRoute::compareSpecificity));
        if (best.isPresent()) {
            return new Served(best.get(), best.get().httpRoute().match(segments).orElseThrow());
        }
        if (fitting.isEmpty()) {
            return new NoRoute();
        }
        Set<String> allowed = new TreeSet<>();
        fitting.forEach(function -> allowed.addAll(function.httpRoute().methods()));
        return new MethodNotAllowed(HttpRoute.inOrder(allowed));
    }
}
