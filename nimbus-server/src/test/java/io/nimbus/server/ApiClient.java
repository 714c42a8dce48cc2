package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/** A real HTTP client for the API, with helpers for the calls every test makes. */
public final class ApiClient {
    public static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    public ApiClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public Reply get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public Reply delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    public Reply post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"));
    }

    public Reply post(String path, byte[] body) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json"));
    }

    public Reply put(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json"));
    }

    /** Creates a function from inline code and fails the test unless it answers 201. */
    public JsonNode createFunction(String name, String runtime, String code, Map<String, Object> extra) {
        ObjectNode body = JSON.createObjectNode()
                .put("name", name).put("runtime", runtime).put("handler", "main.handler").put("code", code);
        extra.forEach((key, value) -> body.set(key, JSON.valueToTree(value)));
        Reply reply = post("/api/v1/functions", body.toString());
        if (reply.status() != 201) {
            throw new AssertionError("creating " + name + " failed: " + reply);
        }
        return reply.json();
    }

    public JsonNode createFunction(String name, String runtime, String code) {
        return createFunction(name, runtime, code, Map.of());
    }

    public Reply invoke(String function, String event) {
        return post("/api/v1/functions/" + function + "/invoke", event);
    }

    /**
     * Polls GET {@code path} until {@code done} holds, for at most {@code within}; returns the
     * last reply. A server not listening yet counts as not done.
     */
    public Reply await(String path, Predicate<Reply> done, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        Reply reply = tryGet(path);
        while ((reply == null || !done.test(reply)) && System.nanoTime() < deadline) {
            sleep(50);
            reply = tryGet(path);
        }
        return reply == null ? get(path) : reply;
    }

    private Reply tryGet(String path) {
        try {
            return get(path);
        } catch (AssertionError e) {
            return null;
        }
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new AssertionError("request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
