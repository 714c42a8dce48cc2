package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Uploaded WebAssembly (WAT text or a .wasm binary) through the API, run in-process on Chicory. */
class WasmRuntimeTest {
    /** Handler ABI: answers the event unchanged, after logging a line on stdout. */
    static final String ECHO = """
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "echoing\\n")
              (global $next (mut i32) (i32.const 1024))
              (func (export "alloc") (param $size i32) (result i32)
                (local $at i32)
                (local.set $at (global.get $next))
                (global.set $next (i32.add (global.get $next) (local.get $size)))
                (local.get $at))
              (func (export "handle") (param $input i32) (param $length i32) (result i64)
                (i32.store (i32.const 0) (i32.const 16))
                (i32.store (i32.const 4) (i32.const 8))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                (i64.or (i64.shl (i64.extend_i32_u (local.get $input)) (i64.const 32))
                        (i64.extend_i32_u (local.get $length)))))
            """;

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

    static String handlerBody(String body) {
        return """
                (module
                  (memory (export "memory") 1)
                  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
                  (func (export "handle") (param $input i32) (param $length i32) (result i64)
                    %s))
                """.formatted(body);
    }

    @Test
    void watHandlerAnswersWithItsResultAndItsPrintsBecomeTheLogs() {
        JsonNode created = api.createFunction("wat-echo", "wasm", ECHO);
        assertThat(created.path("status").asText()).isEqualTo("active");

        Reply first = api.invoke("wat-echo", "{\"a\":[1,2]}");
        Reply second = api.invoke("wat-echo", "{\"a\":3}");

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body()).isEqualTo("{\"a\":[1,2]}");
        assertThat(first.header("X-Nimbus-Cold-Start")).isEqualTo("true");
        assertThat(second.header("X-Nimbus-Cold-Start")).isEqualTo("false");
        JsonNode record = api.get("/api/v1/invocations/" + second.header("X-Nimbus-Invocation-Id")).json();
        assertThat(record.path("logs").asText()).contains("echoing");
    }

    @Test
    void aWasmBinaryUploadedAsBase64Runs() throws Exception {
        byte[] wasm = io.nimbus.wasm.Wat.toWasm(ECHO);
        Reply created = api.post("/api/v1/functions", ApiClient.JSON.createObjectNode()
                .put("name", "wasm-binary").put("runtime", "wasm")
                .set("files", ApiClient.JSON.valueToTree(Map.of("echo.wasm", Base64.getEncoder().encodeToString(wasm))))
                .toString());

        assertThat(created.status()).isEqualTo(201);
        assertThat(api.invoke("wasm-binary", "[true]").body()).isEqualTo("[true]");
    }

    @Test
    void invalidWatIsRefusedAndCreatesNothing() {
        Reply reply = api.post("/api/v1/functions", "{\"name\":\"bad-wat\",\"runtime\":\"wasm\",\"code\":\"(module (func\"}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().path("field").asText()).isEqualTo("code");
        assertThat(reply.error().path("message").asText()).contains("invalid WebAssembly text");
        assertThat(api.get("/api/v1/functions/bad-wat").status()).isEqualTo(404);
    }

    @Test
    void aModuleWithoutEitherAbiIsRefused() {
        Reply reply = api.post("/api/v1/functions", ApiClient.JSON.createObjectNode().put("name", "no-abi")
                .put("runtime", "wasm").put("code", "(module (func (export \"other\")))").toString());

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().path("message").asText()).isNotBlank();
    }

    @Test
    void aTrapIsAFunctionErrorWithItsMessage() {
        api.createFunction("wat-trap", "wasm", handlerBody("unreachable"));

        Reply reply = api.invoke("wat-trap", "{}");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.error().path("code").asText()).isEqualTo("FunctionError");
        assertThat(reply.error().path("type").asText()).isEqualTo("Trap");
        assertThat(reply.error().path("message").asText()).contains("unreachable");
    }

    @Test
    void anInfiniteLoopTimesOut() {
        api.createFunction("wat-loop", "wasm", handlerBody("(loop (br 0)) (i64.const 0)"), Map.of("timeout_sec", 1));

        Reply reply = api.invoke("wat-loop", "{}");

        assertThat(reply.status()).isEqualTo(504);
        assertThat(reply.error().path("code").asText()).isEqualTo("Timeout");
        assertThat(api.invoke("wat-loop", "{}").status()).isEqualTo(504);
    }

    @Test
    void growingMemoryBeyondMemoryMbIsOutOfMemory() {
        api.createFunction("wat-grow", "wasm", handlerBody(
                "(if (i32.lt_s (memory.grow (i32.const 2048)) (i32.const 0)) (then unreachable)) (i64.const 0)"),
                Map.of("memory_mb", 64));

        Reply reply = api.invoke("wat-grow", "{}");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.error().path("code").asText()).isEqualTo("OutOfMemory");
    }

    @Test
    void aResultThatIsNotJsonIsInvalidOutput() {
        api.createFunction("wat-not-json", "wasm", """
                (module
                  (memory (export "memory") 1)
                  (data (i32.const 16) "not json")
                  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
                  (func (export "handle") (param i32 i32) (result i64)
                    (i64.or (i64.shl (i64.const 16) (i64.const 32)) (i64.const 8))))
                """);

        Reply reply = api.invoke("wat-not-json", "{}");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.error().path("type").asText()).isEqualTo("InvalidOutput");
    }

    @Test
    void anUpdateRunsTheNewModule() {
        api.createFunction("wat-update", "wasm", handlerBody("unreachable"));
        assertThat(api.invoke("wat-update", "{}").status()).isEqualTo(502);

        Reply updated = api.put("/api/v1/functions/wat-update", ApiClient.JSON.createObjectNode().put("code", ECHO).toString());

        assertThat(updated.status()).isEqualTo(200);
        assertThat(api.invoke("wat-update", "{\"v\":2}").body()).isEqualTo("{\"v\":2}");
    }

    @Test
    void runtimesListsEveryRuntimeWithItsKindAndAvailability() {
        JsonNode runtimes = api.get("/api/v1/runtimes").json().path("runtimes");

        assertThat(runtimes.findValuesAsText("id")).contains("python3.11", "nodejs20", "rust-wasm", "c-wasm", "wasm");
        assertThat(runtimes.findValuesAsText("id")).anyMatch(id -> id.startsWith("go"));
        for (JsonNode runtime : runtimes) {
            assertThat(runtime.path("kind").asText()).isIn("interpreted", "compiled", "wasm");
            if (!runtime.path("available").asBoolean()) {
                assertThat(runtime.path("missing_packages")).isNotEmpty();
            }
        }
        JsonNode wasm = runtimes.findParents("id").stream().filter(r -> r.path("id").asText().equals("wasm"))
                .findFirst().orElseThrow();
        assertThat(wasm.path("available").asBoolean()).isTrue();
        assertThat(wasm.path("kind").asText()).isEqualTo("wasm");
    }
}
