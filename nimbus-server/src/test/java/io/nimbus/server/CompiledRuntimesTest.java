package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Go, Rust and C functions through the API: built off the request path, then run. */
// Guards against a build that never ends; not a time assertion.
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CompiledRuntimesTest {
    static final String RUST_LENGTH = """
            use std::alloc::{alloc as allocate, Layout};

            #[no_mangle]
            pub extern "C" fn alloc(size: u32) -> *mut u8 {
                unsafe { allocate(Layout::from_size_align(size as usize, 1).unwrap()) }
            }

            #[no_mangle]
            pub extern "C" fn handle(ptr: *const u8, len: u32) -> i64 {
                let event = unsafe { std::slice::from_raw_parts(ptr, len as usize) };
                let out = format!("{{\\"length\\":{}}}", event.len()).into_bytes().leak();
                ((out.as_ptr() as i64) << 32) | out.len() as i64
            }
            """;
    static final String C_LENGTH = """
            #include <stdint.h>
            #include <stdio.h>
            #include <stdlib.h>

            int64_t handle(const char *event, uint32_t len) {
                char *out = malloc(32);
                int n = snprintf(out, 32, "{\\"length\\":%u}", len);
                return ((int64_t)(uintptr_t)out << 32) | (uint32_t)n;
            }
            """;
    static final String GO_PLAIN = """
            package main

            import (
            \t"encoding/json"
            \t"fmt"
            \t"os"
            )

            func main() {
            \tvar event map[string]interface{}
            \tjson.NewDecoder(os.Stdin).Decode(&event)
            \tfmt.Fprintln(os.Stderr, "plain program ran")
            \tout, _ := json.Marshal(map[string]interface{}{"plain": event["name"]})
            \tos.Stdout.Write(out)
            }
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

    static boolean available(ApiClient api, String runtime) {
        for (JsonNode entry : api.get("/api/v1/runtimes").json().path("runtimes")) {
            if (entry.path("id").asText().equals(runtime) || entry.path("aliases").toString().contains("\"" + runtime + "\"")) {
                return entry.path("available").asBoolean();
            }
        }
        return false;
    }

    static Reply create(ApiClient api, String name, String runtime, String handler, String code, Map<String, Object> extra) {
        ObjectNode body = ApiClient.JSON.createObjectNode().put("name", name).put("runtime", runtime).put("code", code);
        if (handler != null) {
            body.put("handler", handler);
        }
        extra.forEach((key, value) -> body.set(key, ApiClient.JSON.valueToTree(value)));
        return api.post("/api/v1/functions", body.toString());
    }

    static JsonNode awaitBuilt(ApiClient api, String name) {
        return api.await("/api/v1/functions/" + name, r -> !r.json().path("status").asText().equals("building"),
                Duration.ofMinutes(3)).json();
    }

    @Test
    void aRustFunctionAnswersBuildingThenRunsOnceBuilt() {
        assumeTrue(available(api, "rust-wasm"), "rust-wasm toolchain missing");

        Reply created = create(api, "rust-length", "rust-wasm", null, RUST_LENGTH, Map.of());

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().path("status").asText()).isEqualTo("building");
        Reply reply = api.invoke("rust-length", "[1,2,3]");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("{\"length\":7}");
        assertThat(awaitBuilt(api, "rust-length").path("status").asText()).isEqualTo("active");
    }

    @Test
    void aCFunctionWithTheHandlerAbiRuns() {
        assumeTrue(available(api, "c-wasm"), "c-wasm toolchain missing");

        create(api, "c-length", "c-wasm", null, C_LENGTH, Map.of());

        assertThat(api.invoke("c-length", "\"abc\"").body()).isEqualTo("{\"length\":5}");
    }

    @Test
    void aCompileErrorFailsTheBuildWithTheDiagnosticsAndInvokingAnswers409() {
        assumeTrue(available(api, "c-wasm"), "c-wasm toolchain missing");
        create(api, "c-broken", "c-wasm", null, "int handle(void) {\n    return missing;\n}\n", Map.of());

        JsonNode function = awaitBuilt(api, "c-broken");
        JsonNode build = api.get("/api/v1/functions/c-broken/build").json();
        Reply invoked = api.invoke("c-broken", "{}");

        assertThat(function.path("status").asText()).isEqualTo("failed");
        assertThat(function.path("build_log").asText()).contains("main.c:2:", "missing");
        assertThat(build.path("status").asText()).isEqualTo("failed");
        assertThat(build.path("version").asInt()).isEqualTo(1);
        assertThat(build.path("build_log").asText()).contains("main.c:2:");
        assertThat(invoked.status()).isEqualTo(409);
        assertThat(invoked.error().path("code").asText()).isEqualTo("BuildFailed");
        assertThat(invoked.error().path("message").asText()).contains("main.c:2:");
    }

    @Test
    void identicalCodeIsBuiltOnce() {
        assumeTrue(available(api, "rust-wasm"), "rust-wasm toolchain missing");
        String code = RUST_LENGTH + "\n// built once\n";
        create(api, "rust-first", "rust-wasm", null, code, Map.of());
        assertThat(awaitBuilt(api, "rust-first").path("status").asText()).isEqualTo("active");

        create(api, "rust-second", "rust-wasm", null, code, Map.of());
        JsonNode second = awaitBuilt(api, "rust-second");

        assertThat(second.path("status").asText()).isEqualTo("active");
        assertThat(second.path("build_log").asText()).contains("reused the artifact built earlier");
        assertThat(api.invoke("rust-second", "1").body()).isEqualTo("{\"length\":1}");
    }

    @Test
    void aGoProgramWithItsOwnMainRunsOncePerInvocation() {
        assumeTrue(available(api, "go"), "go toolchain missing");
        Reply created = create(api, "go-plain", "go", null, GO_PLAIN, Map.of());
        assertThat(created.json().path("runtime").asText()).startsWith("go1.");

        Reply reply = api.invoke("go-plain", "{\"name\":\"nimbus\"}");

        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("{\"plain\":\"nimbus\"}");
        assertThat(reply.header("X-Nimbus-Cold-Start")).isEqualTo("true");
        JsonNode record = api.get("/api/v1/invocations/" + reply.header("X-Nimbus-Invocation-Id")).json();
        assertThat(record.path("logs").asText()).contains("plain program ran");
    }

    @Test
    void handlersAreCheckedByTheRulesOfTheirRuntime() {
        assumeTrue(available(api, "go"), "go toolchain missing");

        Reply go = create(api, "go-bad-handler", "go", "handle", GO_PLAIN, Map.of());
        Reply python = create(api, "py-bad-handler", "python3.11", "Handle", "x = 1\n", Map.of());

        assertThat(go.status()).isEqualTo(400);
        assertThat(go.error().path("field").asText()).isEqualTo("handler");
        assertThat(go.error().path("message").asText()).contains("exported Go function");
        assertThat(python.status()).isEqualTo(400);
        assertThat(python.error().path("message").asText()).contains("module.function");
    }

    @Test
    void aJavaHandlerMustBeAClassNameAndIsRequired() {
        assumeTrue(available(api, "java25"), "no JDK that can compile");

        Reply malformed = create(api, "java-bad-handler", "java25", "com..Hello", "class Hello {}", Map.of());
        Reply missing = create(api, "java-no-handler", "java", null, "class Hello {}", Map.of());

        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.error().path("message").asText()).contains("binary name");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error().path("field").asText()).isEqualTo("handler");
    }

    @Test
    void anUnknownRuntimeIsRefusedListingTheKnownOnes() {
        Reply reply = create(api, "cobol-fn", "cobol", null, "x", Map.of());

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.error().path("field").asText()).isEqualTo("runtime");
        assertThat(reply.error().path("message").asText()).contains("wasm", "rust-wasm", "java25");
    }
}
