package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Webhooks through the API: a secret key per function, optionally an HMAC signature. */
class WebhookTest {
    private static final String ECHO = "def handler(event, context):\n    return event\n";
    private static RunningNimbus nimbus;
    private static ApiClient api;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start(Map.of(Setting.ASYNC_POLL_MS, "50"));
        api = nimbus.client();
    }

    @AfterAll
    static void stop() {
        nimbus.close();
    }

    @Test
    void aWebhookRunsTheFunctionAsynchronouslyWithTheRequestAsItsEvent() {
        api.createFunction("hooked", "python", ECHO);
        JsonNode issued = api.post("/api/v1/functions/hooked/webhook", "").json();

        Reply accepted = send(issued.path("url").asText() + "?source=ci", "{\"ref\": \"main\"}", Map.of("X-Event", "push"));

        assertThat(accepted.status()).as(accepted.toString()).isEqualTo(202);
        Reply record = awaitDone(accepted.json().path("invocation_id").asText());
        assertThat(record.json().path("trigger_type").asText()).isEqualTo("webhook");
        JsonNode event = record.json().path("output");
        assertThat(event.path("method").asText()).isEqualTo("POST");
        assertThat(event.path("body").asText()).isEqualTo("{\"ref\": \"main\"}");
        assertThat(event.path("is_base64_encoded").asBoolean()).isFalse();
        assertThat(event.path("headers").path("x-event").asText()).isEqualTo("push");
        assertThat(event.path("query").path("source").asText()).isEqualTo("ci");
    }

    @Test
    void aSignedWebhookRunsOnlyWithAGoodSignatureAndABadOneIsRefusedWith401AndNothingRecorded() throws Exception {
        api.createFunction("signed", "python", ECHO);
        String url = api.post("/api/v1/functions/signed/webhook", "{\"hmac_secret\": \"s3cret\"}").json().path("url").asText();
        String body = "{\"action\": \"opened\"}";

        Reply unsigned = send(url, body, Map.of());
        Reply forged = send(url, body, Map.of("X-Hub-Signature-256", "sha256=" + "0".repeat(64)));
        assertThat(unsigned.status()).isEqualTo(401);
        assertThat(forged.status()).isEqualTo(401);
        assertThat(api.get("/api/v1/functions/signed/invocations").json().path("invocations").size()).isZero();

        Reply signed = send(url, body, Map.of("X-Hub-Signature-256", "sha256=" + hmac("s3cret", body)));
        assertThat(signed.status()).as(signed.toString()).isEqualTo(202);
        assertThat(awaitDone(signed.json().path("invocation_id").asText()).json().path("status").asText())
                .isEqualTo("success");
    }

    @Test
    void anUnknownOrReplacedKeyAnswers404AndABinaryBodyArrivesAsBase64() {
        api.createFunction("rekeyed", "python", ECHO);
        String oldUrl = api.post("/api/v1/functions/rekeyed/webhook", "").json().path("url").asText();
        String newUrl = api.post("/api/v1/functions/rekeyed/webhook", "").json().path("url").asText();

        assertThat(send(oldUrl, "{}", Map.of()).status()).isEqualTo(404);
        assertThat(send("/webhook/not-a-key", "{}", Map.of()).status()).isEqualTo(404);
        Reply binary = sendBytes(newUrl, new byte[] {(byte) 0xff, 0, (byte) 0xfe});
        JsonNode event = awaitDone(binary.json().path("invocation_id").asText()).json().path("output");
        assertThat(event.path("is_base64_encoded").asBoolean()).isTrue();
        assertThat(event.path("body").asText()).isEqualTo("/wD+");

        assertThat(api.delete("/api/v1/functions/rekeyed/webhook").status()).isEqualTo(204);
        assertThat(send(newUrl, "{}", Map.of()).status()).isEqualTo(404);
    }

    private static Reply awaitDone(String invocationId) {
        return api.await("/api/v1/invocations/" + invocationId,
                r -> r.status() == 200 && !r.json().path("status").asText().matches("pending|running"), Duration.ofSeconds(30));
    }

    private Reply send(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nimbus.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return exchange(request);
    }

    private Reply sendBytes(String path, byte[] body) {
        return exchange(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nimbus.port() + path))
                .header("Content-Type", "application/octet-stream").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private Reply exchange(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers(), response.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
