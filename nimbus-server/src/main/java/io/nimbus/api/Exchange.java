package io.nimbus.api;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reading bodies and query parameters, writing JSON: the plumbing every handler shares. */
final class Exchange {
    private static final HeaderName CONTENT_LENGTH = HeaderNames.CONTENT_LENGTH;

    private Exchange() {
    }

    /**
     * The request body, refused with 413 past {@code limit} bytes, checked against the
     * declared length first so that an oversized upload is not read at all.
     */
    static byte[] body(ServerRequest request, long limit, String what) {
        return body(request, limit, what, null);
    }

    /** As {@link #body(ServerRequest, long, String)}, naming {@code field} in the refusal. */
    static byte[] body(ServerRequest request, long limit, String what, String field) {
        if (request.headers().contains(CONTENT_LENGTH)) {
            long declared = request.headers().contentLength().orElse(0);
            if (declared > limit) {
                throw tooLarge(limit, what, field);
            }
        }
        try (InputStream in = request.content().inputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw tooLarge(limit, what, field);
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void json(ServerResponse response, int status, Object body) {
        response.status(Status.create(status));
        response.header(HeaderNames.CONTENT_TYPE, "application/json");
        response.send(Json.write(body));
    }

    static void error(ServerResponse response, int status, String code, String message, String field) {
        json(response, status, Views.errorBody(code, message, field));
    }

    /** A query parameter, or null when absent. */
    static String query(ServerRequest request, String name) {
        var query = request.query();
        return query.contains(name) ? query.get(name) : null;
    }

    /** An integer query parameter within bounds, the default when absent. */
    static int queryInt(ServerRequest request, String name, int fallback, int min, int max) {
        String value = query(request, name);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                throw ApiException.badRequest(name, name + " must be between " + min + " and " + max);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name, name + " must be a whole number");
        }
    }

    private static ApiException tooLarge(long limit, String what, String field) {
        return new ApiException(413, "PayloadTooLarge", what + " is larger than " + limit + " bytes", field);
    }
}
