package io.nimbus.domain;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of {@code http_path} and {@code http_methods}. A path is {@code /} or segments of
 * URL-safe characters ({@code A-Z a-z 0-9 - _ . ~}) or {@code {name}} parameters; the methods
 * default to GET and POST.
 */
final class HttpRouteValidator {
    private static final Pattern LITERAL = Pattern.compile("^[A-Za-z0-9._~-]+$");
    private static final Pattern PARAMETER = Pattern.compile("^\\{[A-Za-z_][A-Za-z0-9_]{0,63}}$");
    private static final List<String> DEFAULT_METHODS = List.of("GET", "POST");
    private static final int MAX_PATH_LENGTH = 1024;

    private HttpRouteValidator() {
    }

    /**
     * The route a request asks for. On create {@code current} is null; on update an absent
     * path keeps the current one (with new methods, if given) and an empty path removes it.
     */
    static HttpRoute route(String path, List<String> methods, HttpRoute current) {
        if (path == null && current != null) {
            return new HttpRoute(current.path(), methods == null ? current.methods() : methods(methods));
        }
        if (path == null || path.isEmpty()) {
            if (methods != null) {
                throw DomainException.invalid("http_methods", "http_methods needs an http_path");
            }
            return null;
        }
        requirePath(path);
        List<String> chosen = methods != null ? methods(methods) : current != null ? current.methods() : DEFAULT_METHODS;
        return new HttpRoute(path, chosen);
    }

    private static void requirePath(String path) {
        if (!path.startsWith("/") || path.length() > MAX_PATH_LENGTH) {
            throw DomainException.invalid("http_path", "http_path must start with '/' and be at most "
                    + MAX_PATH_LENGTH + " characters: " + path);
        }
        if (path.equals("/")) {
            return;
        }
        Set<String> parameters = new HashSet<>();
        for (String segment : path.substring(1).split("/", -1)) {
            boolean literal = LITERAL.matcher(segment).matches() && !segment.equals(".") && !segment.equals("..");
            if (!literal && !PARAMETER.matcher(segment).matches()) {
                throw DomainException.invalid("http_path", "http_path segments are letters, digits and '-_.~',"
                        + " or a {name} parameter, and none is empty: '" + segment + "' in " + path);
            }
            if (!literal && !parameters.add(segment)) {
                throw DomainException.invalid("http_path", "http_path names the parameter " + segment + " twice");
            }
        }
    }

    private static List<String> methods(List<String> methods) {
        if (methods.isEmpty()) {
            throw DomainException.invalid("http_methods", "http_methods must name at least one method");
        }
        for (String method : methods) {
            if (method == null || !HttpRoute.METHODS.contains(method)) {
                throw DomainException.invalid("http_methods", "http_methods are among "
                        + String.join(", ", HttpRoute.METHODS) + ": " + method);
            }
        }
        return HttpRoute.inOrder(methods);
    }
}
