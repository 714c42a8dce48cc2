package io.nimbus.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every example under examples/ deploys as its README says and answers as it promises. */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");
    private static RunningNimbus nimbus;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start();
        api = nimbus.client();
    }

    @AfterAll
    static void stop() {
        nimbus.close();
    }

    /** Deploys a directory as files (base64), the way the README's curl does, and waits for its build. */
    private static void deploy(String name, String runtime, String handler, String dir) {
        assumeTrue(CompiledRuntimesTest.available(api, runtime), runtime + " unavailable");
        Map<String, String> files = new TreeMap<>();
        Path root = EXAMPLES.resolve(dir);
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path file : paths.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString(), Base64.getEncoder().encodeToString(Files.readAllBytes(file)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode body = ApiClient.JSON.createObjectNode().put("name", name).put("runtime", runtime);
        if (handler != null) {
            body.put("handler", handler);
        }
        body.set("files", ApiClient.JSON.valueToTree(files));
        Reply created = api.post("/api/v1/functions", body.toString());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(CompiledRuntimesTest.awaitBuilt(api, name).path("status").asText()).isEqualTo("active");
    }

    @Test
    void goExamples() {
        deploy("go-hello", "go", "Handle", "go/hello");
        deploy("go-word-count", "go", null, "go/word-count");

        assertThat(api.invoke("go-hello", "{\"name\":\"Ada\"}").body()).isEqualTo("{\"message\":\"Hello, Ada!\"}");
        assertThat(api.invoke("go-word-count", "{\"text\":\"the cat and the hat\",\"top\":1}").json()
                .path("top").get(0).path("word").asText()).isEqualTo("the");
    }

    @Test
    void rustExamples() {
        deploy("rust-hello", "rust-wasm", null, "rust-wasm/hello");
        deploy("rust-checksum", "rust-wasm", null, "rust-wasm/checksum");

        assertThat(api.invoke("rust-hello", "{}").json().path("event_bytes").asInt()).isEqualTo(2);
        assertThat(api.invoke("rust-checksum", "\"123456789\"").json().path("bytes").asInt()).isEqualTo(11);
        assertThat(api.invoke("rust-checksum", "123456789").json().path("crc32").asText()).isEqualTo("cbf43926");
    }

    @Test
    void cExamples() {
        deploy("c-hello", "c-wasm", null, "c-wasm/hello");
        deploy("c-checksum", "c-wasm", null, "c-wasm/checksum");

        assertThat(api.invoke("c-hello", "{}").json().path("message").asText()).isEqualTo("Hello from C");
        assertThat(api.invoke("c-checksum", "{}").json().path("bytes").asInt()).isEqualTo(2);
    }

    @Test
    void watExamples() throws IOException {
        String hello = Files.readString(EXAMPLES.resolve("wasm/hello.wat"));
        String sum = Files.readString(EXAMPLES.resolve("wasm/byte-sum.wat"));
        api.post("/api/v1/functions", ApiClient.JSON.createObjectNode().put("name", "wat-hello").put("runtime", "wasm")
                .put("code", hello).toString());
        api.post("/api/v1/functions", ApiClient.JSON.createObjectNode().put("name", "wat-sum").put("runtime", "wasm")
                .put("code", sum).toString());

        assertThat(api.invoke("wat-hello", "{}").json().path("message").asText()).isEqualTo("Hello from WAT");
        assertThat(api.invoke("wat-sum", "[1]").json().path("sum").asText()).isEqualTo("0000000233");
    }

    @Test
    void javaExamples() {
        deploy("java-hello", "java25", "com.example.Hello", "java25/hello");
        deploy("java-order-total", "java25", "com.example.OrderTotal", "java25/order-total");

        assertThat(api.invoke("java-hello", "{\"name\":\"Ada\"}").json().path("message").asText()).isEqualTo("Hello, Ada!");
        assertThat(api.invoke("java-order-total", """
                {"items":[{"sku":"a","price":"2.50","quantity":2},{"sku":"b","price":1.25,"quantity":1}],"tax_rate":"0.1"}
                """).json().path("total").asText()).isEqualTo("6.87");
    }
}
