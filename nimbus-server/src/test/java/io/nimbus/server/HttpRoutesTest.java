package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTP routes: a function served at /fn/<path>, its request as the event and its result as the response. */
class HttpRoutesTest {
    private static final String ECHO = "def handler(event, context):\n    return event\n";
    private static RunningNimbus nimbus;
    private static ApiClient api;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start();
        api = nimbus.client();
    }

    @AfterAll
    static void stop() {
        nimbus.close();
    }

    @Test
    void aGetWithAPathParameterAndAQueryArrivesAsTheEventAndAPlainResultComesBackAsJson() {
        api.createFunction("user-echo", "python", ECHO, Map.of("http_path", "/users/{id}"));

        Reply reply = send("GET", "/fn/users/42?tab=posts&tag=a&tag=b", null, Map.of("X-Trace", "t1"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.header("Content-Type")).startsWith("application/json");
        assertThat(reply.header("X-Nimbus-Function-Version")).isEqualTo("1");
        JsonNode event = reply.json();
        assertThat(event.path("method").asText()).isEqualTo("GET");
        assertThat(event.path("path").asText()).isEqualTo("/users/42");
        assertThat(event.path("path_parameters").path("id").asText()).isEqualTo("42");
        assertThat(event.path("query").path("tab").asText()).isEqualTo("posts");
        assertThat(event.path("query").path("tag").asText()).isEqualTo("a,b");
        assertThat(event.path("raw_query_string").asText()).isEqualTo("tab=posts&tag=a&tag=b");
        assertThat(event.path("headers").path("x-trace").asText()).isEqualTo("t1");
        assertThat(event.path("body").isNull()).isTrue();
        assertThat(event.path("is_base64_encoded").asBoolean()).isFalse();
        String invocation = reply.header("X-Nimbus-Invocation-Id");
        assertThat(api.get("/api/v1/invocations/" + invocation).json().path("trigger_type").asText()).isEqualTo("http");
    }

    @Test
    void aPostWithAJsonBodyArrivesAsText() {
        api.createFunction("order-taker", "python",
                "import json\ndef handler(event, context):\n    return {'qty': json.loads(event['body'])['qty'] * 2}\n",
                Map.of("http_path", "/orders"));

        Reply reply = send("POST", "/fn/orders", "{\"qty\": 2}".getBytes(StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().path("qty").asInt()).isEqualTo(4);
    }

    @Test
    void aResultWithStatusCodeHeadersAndBodyBecomesTheResponse() {
        api.createFunction("maker", "nodejs20", "exports.handler = async () => ({statusCode: 201,"
                + " headers: {'X-Made': 'yes', 'Content-Type': 'text/plain'}, body: 'made'});\n",
                Map.of("http_path", "/made", "http_methods", List.of("PUT")));

        Reply reply = send("PUT", "/fn/made", new byte[0], Map.of());

        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        assertThat(reply.header("X-Made")).isEqualTo("yes");
        assertThat(reply.header("Content-Type")).isEqualTo("text/plain");
        assertThat(reply.body()).isEqualTo("made");
    }

    @Test
    void aBase64ResultIsSentAsTheBytesItEncodes() {
        api.createFunction("bytes-echo", "python", "def handler(event, context):\n"
                        + "    return {'statusCode': 200, 'body': event['body'], 'isBase64Encoded': event['is_base64_encoded']}\n",
                Map.of("http_path", "/bytes"));
        byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0xfe};

        HttpResponse<byte[]> reply = sendBytes("/fn/bytes", bytes, "application/octet-stream");

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo(bytes);
    }

    @Test
    void aBinaryBodyReachesTheEventAsBase64() {
        api.createFunction("raw-echo", "python", ECHO, Map.of("http_path", "/raw"));
        byte[] bytes = {0, 1, 2, (byte) 0xff};

        Reply reply = send("POST", "/fn/raw", bytes, Map.of("Content-Type", "application/octet-stream"));

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.json().path("is_base64_encoded").asBoolean()).isTrue();
        assertThat(reply.json().path("body").asText()).isEqualTo(Base64.getEncoder().encodeToString(bytes));
    }

    @Test
    void aConflictingRouteIsRefusedWith409AndNothingIsCreated() {
        api.createFunction("item-reader", "python", ECHO, Map.of("http_path", "/items/{id}", "http_methods", List.of("GET")));

        Reply refused = api.post("/api/v1/functions", "{\"name\": \"item-thief\", \"runtime\": \"python\", \"handler\":"
                + " \"main.handler\", \"code\": \"def handler(e, c):\\n    return 1\\n\", \"http_path\": \"/items/{key}\"}");

        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.error().path("field").asText()).isEqualTo("http_path");
        assertThat(api.get("/api/v1/functions/item-thief").status()).isEqualTo(404);
    }

    @Test
    void anotherFunctionMayServeAnotherMethodOnTheSamePathAndOtherMethodsAre405WithAllow() {
        api.createFunction("thing-reader", "python", "def handler(e, c):\n    return 'read'\n",
                Map.of("http_path", "/things/{id}", "http_methods", List.of("GET")));
        api.createFunction("thing-deleter", "python", "def handler(e, c):\n    return 'deleted ' + e['path_parameters']['thing']\n",
                Map.of("http_path", "/things/{thing}", "http_methods", List.of("DELETE")));

        assertThat(send("GET", "/fn/things/7", null, Map.of()).json().asText()).isEqualTo("read");
        assertThat(send("DELETE", "/fn/things/7", null, Map.of()).json().asText()).isEqualTo("deleted 7");
        Reply notAllowed = send("PUT", "/fn/things/7", new byte[0], Map.of());
        assertThat(notAllowed.status()).isEqualTo(405);
        assertThat(notAllowed.header("Allow")).isEqualTo("GET, DELETE");
    }

    @Test
    void aLiteralSegmentIsPreferredOverAParameter() {
        api.createFunction("account-by-id", "python", "def handler(e, c):\n    return 'by id'\n",
                Map.of("http_path", "/accounts/{id}"));
        api.createFunction("account-me", "python", "def handler(e, c):\n    return 'me'\n",
                Map.of("http_path", "/accounts/me"));

        assertThat(send("GET", "/fn/accounts/me", null, Map.of()).json().asText()).isEqualTo("me");
        assertThat(send("GET", "/fn/accounts/9", null, Map.of()).json().asText()).isEqualTo("by id");
    }

    @Test
    void anUnknownRouteIs404() {
        Reply reply = send("GET", "/fn/nowhere/at/all", null, Map.of());

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.error().path("code").asText()).isEqualTo("NotFound");
    }

    @Test
    void aFailingFunctionAnswers502AsTheInvokeEndpointDoes() {
        api.createFunction("route-fails", "python", "def handler(e, c):\n    raise ValueError('no')\n",
                Map.of("http_path", "/fails"));

        Reply reply = send("GET", "/fn/fails", null, Map.of());

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.error().path("code").asText()).isNotBlank();
    }

    @Test
    void anInvalidPathOrMethodIsRefusedWith400NamingTheField() {
        for (String body : List.of("\"http_path\": \"users\"", "\"http_path\": \"/a//b\"", "\"http_path\": \"/a/{x\"",
                "\"http_path\": \"/a/b c\"", "\"http_path\": \"/{x}/{x}\"")) {
            assertThat(create("bad-route", body).error().path("field").asText()).as(body).isEqualTo("http_path");
        }
        for (String body : List.of("\"http_path\": \"/ok\", \"http_methods\": [\"FETCH\"]",
                "\"http_path\": \"/ok\", \"http_methods\": []", "\"http_methods\": [\"GET\"]")) {
            Reply reply = create("bad-route", body);
            assertThat(reply.status()).as(body).isEqualTo(400);
            assertThat(reply.error().path("field").asText()).as(body).isEqualTo("http_methods");
        }
    }

    @Test
    void removingTheRouteOnUpdateFreesIt() {
        api.createFunction("freed", "python", ECHO, Map.of("http_path", "/free/{x}"));

        Reply updated = api.put("/api/v1/functions/freed", "{\"http_path\": null}");

        assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
        assertThat(updated.json().path("http_path").isNull()).isTrue();
        assertThat(send("GET", "/fn/free/1", null, Map.of()).status()).isEqualTo(404);
        assertThat(api.createFunction("taker", "python", ECHO, Map.of("http_path", "/free/{y}")).path("http_methods"))
                .hasSize(2);
    }

    private static Reply create(String name, String routeFields) {
        return api.post("/api/v1/functions", "{\"name\": \"" + name + "\", \"runtime\": \"python\", \"handler\":"
                + " \"main.handler\", \"code\": \"def handler(e, c):\\n    return 1\\n\", " + routeFields + "}");
    }

    private Reply send(String method, String path, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nimbus.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private HttpResponse<byte[]> sendBytes(String path, byte[] body, String contentType) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nimbus.port() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", contentType).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
