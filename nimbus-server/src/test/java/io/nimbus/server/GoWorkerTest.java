package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Go handlers built with Nimbus's worker and run warm in the namespace sandbox, through the API. */
@Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GoWorkerTest {
    private static final String HANDLER = """
            package main

            import (
            \t"context"
            \t"errors"
            \t"log"
            \t"os"
            \t"time"
            )

            type Event struct {
            \tName string `json:"name"`
            \tDo   string `json:"do"`
            }

            var calls int

            func Handle(ctx context.Context, event Event) (map[string]interface{}, error) {
            \tcalls++
            \tlog.Printf("handling %s", event.Name)
            \tswitch event.Do {
            \tcase "fail":
            \t\treturn nil, errors.New("asked to fail")
            \tcase "loop":
            \t\tfor {
            \t\t}
            \tcase "exit":
            \t\tos.Exit(3)
            \tcase "panic-goroutine":
            \t\tgo func() { panic("boom in a goroutine") }()
            \t\ttime.Sleep(time.Second)
            \tcase "allocate":
            \t\tvar hoard [][]byte
            \t\tfor {
            \t\t\tchunk := make([]byte, 1<<20)
            \t\t\tfor i := range chunk {
            \t\t\t\tchunk[i] = 1
            \t\t\t}
            \t\t\thoard = append(hoard, chunk)
            \t\t}
            \t}
            \treturn map[string]interface{}{"hello": event.Name, "calls": calls}, nil
            }
            """;

    private static RunningNimbus nimbus;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start();
        api = nimbus.client();
        assumeTrue(CompiledRuntimesTest.available(api, "go"), "go toolchain missing");
        Reply created = CompiledRuntimesTest.create(api, "go-hello", "go", "Handle", HANDLER,
                Map.of("timeout_sec", 2, "memory_mb", 64));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(CompiledRuntimesTest.awaitBuilt(api, "go-hello").path("status").asText()).isEqualTo("active");
    }

    @AfterAll
    static void stop() {
        if (nimbus != null) {
            nimbus.close();
        }
    }

    @Test
    void aHandlerStaysWarmBetweenInvocations() {
        Reply first = api.invoke("go-hello", "{\"name\":\"Ada\"}");
        Reply second = api.invoke("go-hello", "{\"name\":\"Linus\"}");

        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(second.json().path("hello").asText()).isEqualTo("Linus");
        assertThat(second.header("X-Nimbus-Cold-Start")).isEqualTo("false");
        assertThat(second.json().path("calls").asInt()).isGreaterThan(first.json().path("calls").asInt());
        JsonNode record = api.get("/api/v1/invocations/" + second.header("X-Nimbus-Invocation-Id")).json();
        assertThat(record.path("logs").asText()).contains("handling Linus");
    }

    @Test
    void anErrorReturnedIsAFunctionErrorWithItsType() {
        Reply reply = api.invoke("go-hello", "{\"do\":\"fail\"}");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.error().path("code").asText()).isEqualTo("FunctionError");
        assertThat(reply.error().path("message").asText()).contains("asked to fail");
    }

    @Test
    void anInfiniteLoopTimesOutAndTheNextCallSucceeds() {
        Reply reply = api.invoke("go-hello", "{\"do\":\"loop\"}");

        assertThat(reply.status()).isEqualTo(504);
        assertThat(api.invoke("go-hello", "{\"name\":\"after\"}").status()).isEqualTo(200);
    }

    @Test
    void runningPastMemoryMbIsOutOfMemory() {
        Reply reply = api.invoke("go-hello", "{\"do\":\"allocate\"}");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.error().path("code").asText()).isEqualTo("OutOfMemory");
        assertThat(api.invoke("go-hello", "{\"name\":\"after\"}").status()).isEqualTo(200);
    }

    @Test
    void aWorkerThatExitsFailsItsCallAndTheNextRunsOnANewInstance() {
        api.invoke("go-hello", "{\"name\":\"warm\"}");

        Reply crashed = api.invoke("go-hello", "{\"do\":\"exit\"}");
        Reply next = api.invoke("go-hello", "{\"name\":\"again\"}");

        assertThat(crashed.status()).isEqualTo(502);
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.header("X-Nimbus-Cold-Start")).isEqualTo("true");
    }

    @Test
    void aPanicInAGoroutineFailsItsCallAndTheNextSucceeds() {
        Reply crashed = api.invoke("go-hello", "{\"do\":\"panic-goroutine\"}");
        Reply next = api.invoke("go-hello", "{\"name\":\"again\"}");

        assertThat(crashed.status()).isEqualTo(502);
        assertThat(next.status()).isEqualTo(200);
    }
}
