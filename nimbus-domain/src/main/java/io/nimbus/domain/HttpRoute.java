package io.nimbus.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a function is served over plain HTTP: a path under the route prefix, whose segments
 * are literals or {@code {name}} parameters, and the methods it answers. A client's route
 * passes {@link HttpRouteValidator} before it is stored, so a stored path is well formed.
 *
 * @param methods a subset of {@link #METHODS}, in that order
 */
public record HttpRoute(String path, List<String> methods) {
    public static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
    private static final String ANY_SEGMENT = "{}";

    public HttpRoute {
        methods = List.copyOf(methods);
    }

    /**
     * The path with parameter names erased ({@code /users/{}}): two routes of one shape that
     * share a method would serve the same requests, so a shape and a method name a route once.
     */
    public String shape() {
        return "/" + String.join("/", segments().stream().map(s -> isParameter(s) ? ANY_SEGMENT : s).toList());
    }

    public boolean allows(String method) {
        return methods.contains(method);
    }

    /** The parameters of a request path split into segments, or empty when it does not fit this route. */
    public Optional<Map<String, String>> match(List<String> requestSegments) {
        List<String> segments = segments();
        if (segments.size() != requestSegments.size()) {
            return Optional.empty();
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String segment = segments.get(i);
            if (isParameter(segment)) {
                parameters.put(segment.substring(1, segment.length() - 1), requestSegments.get(i));
            } else if (!segment.equals(requestSegments.get(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(parameters);
    }

    /**
     * Negative when this route is the more specific of two that fit one path: at the first
     * segment where they differ, a literal beats a parameter ({@code /users/me} before
     * {@code /users/{id}}).
     */
    public int compareSpecificity(HttpRoute other) {
        List<String> mine = segments();
        List<String> theirs = other.segments();
        for (int i = 0; i < Math.min(mine.size(), theirs.size()); i++) {
            boolean myParameter = isParameter(mine.get(i));
            if (myParameter != isParameter(theirs.get(i))) {
                return myParameter ? 1 : -1;
            }
        }
        return 0;
    }

    /** The segments of a path; the root path has none. */
    public static List<String> segments(String path) {
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(segment);
            }
        }
        return segments;
    }

    /** The methods in their canonical order, for an {@code Allow} header. */
    public static List<String> inOrder(Collection<String> methods) {
        return METHODS.stream().filter(methods::contains).toList();
    }

    List<String> segments() {
        return segments(path);
    }

    static boolean isParameter(String segment) {
        return segment.startsWith("{") && segment.endsWith("}");
    }
}
