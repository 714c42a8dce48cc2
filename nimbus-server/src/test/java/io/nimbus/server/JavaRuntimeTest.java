package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Java functions compiled in the build sandbox and run in a warm sandboxed JVM, through the API. */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JavaRuntimeTest {
    private static final String HANDLER = """
            package com.example;

            import io.nimbus.sdk.Context;
            import io.nimbus.sdk.Handler;
            import java.util.ArrayList;
            import java.util.List;
            import java.util.Map;

            public class Hello implements Handler {
                private int calls;

                @Override
                public Object handleRequest(Object event, Context context) throws Exception {
                    calls++;
                    Map<?, ?> input = (Map<?, ?>) event;
                    Object action = input.get("do");
                    context.getLogger().info("handling " + input.get("name"));
                    if ("fail".equals(action)) {
                        throw new IllegalStateException("asked to fail");
                    }
                    if ("loop".equals(action)) {
                        while (true) {
                            Thread.onSpinWait();
                        }
                    }
                    if ("exit".equals(action)) {
                        Runtime.getRuntime().halt(3);
                    }
                    if ("allocate".equals(action)) {
                        List<long[]> hoard = new ArrayList<>();
                        while (true) {
                            hoard.add(new long[1 << 20]);
                        }
                    }
                    return Map.of("hello", input.get("name"), "calls", calls);
                }
            }
            """;

    private static RunningNimbus nimbus;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start();
        api = nimbus.client();
        assumeTrue(CompiledRuntimesTest.available(api, "java25"), "no JDK that can compile");
        Reply created = CompiledRuntimesTest.create(api, "java-hello", "java25", "com.example.Hello", HANDLER,
                Map.of("timeout_sec", 5, "memory_mb", 128));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode built = CompiledRuntimesTest.awaitBuilt(api, "java-hello");
        assertThat(built.path("status").asText()).as(built.toString()).isEqualTo("active");
    }

    @AfterAll
    static void stop() {
        if (nimbus != null) {
            nimbus.close();
        }
    }

    @Test
    void aHandlerClassStaysWarmBetweenInvocations() {
        Reply first = api.invoke("java-hello", "{\"name\":\"Ada\"}");
        Reply second = api.invoke("java-hello", "{\"name\":\"Linus\"}");

        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(second.json().path("hello").asText()).isEqualTo("Linus");
        assertThat(second.header("X-Nimbus-Cold-Start")).isEqualTo("false");
        JsonNode record = api.get("/api/v1/invocations/" + second.header("X-Nimbus-Invocation-Id")).json();
        assertThat(record.path("logs").asText()).contains("handling Linus");
    }

    @Test
    void anExceptionIsAFunctionErrorWithItsType() {
        Reply reply = api.invoke("java-hello", "{\"do\":\"fail\"}");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.error().path("type").asText()).contains("IllegalStateException");
        assertThat(reply.error().path("message").asText()).contains("asked to fail");
    }

    @Test
    void anInfiniteLoopTimesOutAndTheNextCallSucceeds() {
        assertThat(api.invoke("java-hello", "{\"do\":\"loop\"}").status()).isEqualTo(504);
        assertThat(api.invoke("java-hello", "{\"name\":\"after\"}").status()).isEqualTo(200);
    }

    @Test
    void runningOutOfHeapIsOutOfMemory() {
        Reply reply = api.invoke("java-hello", "{\"do\":\"allocate\"}");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.error().path("code").asText()).isEqualTo("OutOfMemory");
        assertThat(api.invoke("java-hello", "{\"name\":\"after\"}").status()).isEqualTo(200);
    }

    @Test
    void aWorkerThatHaltsFailsItsCallAndTheNextRunsOnANewInstance() {
        api.invoke("java-hello", "{\"name\":\"warm\"}");

        Reply crashed = api.invoke("java-hello", "{\"do\":\"exit\"}");
        Reply next = api.invoke("java-hello", "{\"name\":\"again\"}");

        assertThat(crashed.status()).isEqualTo(502);
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.header("X-Nimbus-Cold-Start")).isEqualTo("true");
    }

    @Test
    void aCompileErrorIsReportedWithFileAndLine() {
        CompiledRuntimesTest.create(api, "java-broken", "java", "Broken",
                "public class Broken {\n    int x = missing;\n}\n", Map.of());

        JsonNode function = CompiledRuntimesTest.awaitBuilt(api, "java-broken");
        Reply invoked = api.invoke("java-broken", "{}");

        assertThat(function.path("status").asText()).isEqualTo("failed");
        assertThat(function.path("build_log").asText()).contains("Broken.java:2:");
        assertThat(invoked.status()).isEqualTo(409);
    }
}
