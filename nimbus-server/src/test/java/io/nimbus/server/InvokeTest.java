package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Synchronous invocation of real Python and Node functions over HTTP. */
class InvokeTest {
    private static RunningNimbus nimbus;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start(Map.of(Setting.QUEUE_TIMEOUT_MS, "200"));
        api = nimbus.client();
    }

    @AfterAll
    static void stop() {
        nimbus.close();
    }

    @Test
    void pythonHandlerReturnsItsResultAsJsonWithTheInvocationHeaders() {
        api.createFunction("py-echo", "python3.11", "def handler(event, context):\n    return {'got': event, 'n': 1}\n");

        Reply first = api.invoke("py-echo", "{\"a\": [1, 2]}");
        Reply second = api.invoke("py-echo", "{\"a\": 3}");

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().path("got").path("a").toString()).isEqualTo("[1,2]");
        assertThat(first.header("X-Nimbus-Invocation-Id")).isNotBlank();
        assertThat(first.header("X-Nimbus-Cold-Start")).isEqualTo("true");
        assertThat(first.header("X-Nimbus-Duration-Ms")).matches("\\d+\\.\\d{3}");
        assertThat(second.header("X-Nimbus-Cold-Start")).isEqualTo("false");
        assertThat(second.json().path("got").path("a").asInt()).isEqualTo(3);
    }

    @Test
    void nodeHandlersMaybeSyncAsyncOrReturnAPromise() {
        api.createFunction("node-sync", "nodejs20", "exports.handler = (event) => ({sync: event.x});\n");
        api.createFunction("node-async", "node", "exports.handler = async (event, context) => ({async: event.x});\n");
        api.createFunction("node-promise", "nodejs20",
                "exports.handler = (event) => new Promise(r => setTimeout(() => r({promise: event.x}), 5));\n");

        assertThat(api.invoke("node-sync", "{\"x\": 1}").json().path("sync").asInt()).isEqualTo(1);
        assertThat(api.invoke("node-async", "{\"x\": 2}").json().path("async").asInt()).isEqualTo(2);
        assertThat(api.invoke("node-promise", "{\"x\": 3}").json().path("promise").asInt()).isEqualTo(3);
    }

    @Test
    void pythonHandlerMayTakeOnlyTheEvent() {
        api.createFunction("py-one-arg", "python", "def handler(event):\n    return event['v'] * 2\n");

        assertThat(api.invoke("py-one-arg", "{\"v\": 21}").body()).isEqualTo("42");
    }

    @Test
    void contextCarriesTheInvocationDetails() {
        api.createFunction("py-context", "python3.11", """
                def handler(event, context):
                    return {'request_id': context.request_id, 'name': context.function_name,
                            'version': context.function_version, 'memory': context.memory_limit_mb,
                            'remaining': context.get_remaining_time_ms()}
                """, Map.of("memory_mb", 128, "timeout_sec", 5));
        api.createFunction("node-context", "nodejs20", """
                exports.handler = async (event, context) => ({request_id: context.requestId, name: context.functionName,
                    version: context.functionVersion, memory: context.memoryLimitInMB,
                    remaining: context.getRemainingTimeInMillis()});
                """, Map.of("memory_mb", 128, "timeout_sec", 5));

        for (String function : new String[] {"py-context", "node-context"}) {
            Reply reply = api.invoke(function, "{}");
            JsonNode context = reply.json();
            assertThat(context.path("request_id").asText()).isEqualTo(reply.header("X-Nimbus-Invocation-Id"));
            assertThat(context.path("name").asText()).isEqualTo(function);
            assertThat(context.path("version").asText()).isEqualTo("1");
            assertThat(context.path("memory").asInt()).isEqualTo(128);
            assertThat(context.path("remaining").asLong()).isBetween(1L, 5000L);
        }
    }

    @Test
    void handlerErrorIsA502FunctionErrorWithTypeMessageAndStack() {
        api.createFunction("py-raises", "python", "def handler(event, context):\n    raise ValueError('bad input here')\n");
        api.createFunction("node-throws", "node", "exports.handler = async () => { throw new TypeError('nope'); };\n");

        Reply python = api.invoke("py-raises", "{}");
        Reply node = api.invoke("node-throws", "{}");

        assertThat(python.status()).isEqualTo(502);
        assertThat(python.error().path("code").asText()).isEqualTo("FunctionError");
        assertThat(python.error().path("type").asText()).isEqualTo("ValueError");
        assertThat(python.error().path("message").asText()).contains("bad input here");
        assertThat(python.error().path("stack_trace").asText()).contains("main.py");
        assertThat(node.status()).isEqualTo(502);
        assertThat(node.error().path("type").asText()).isEqualTo("TypeError");
        assertThat(node.error().path("message").asText()).isEqualTo("nope");
        assertThat(node.error().path("stack_trace").asText()).contains("main.js");
    }

    @Test
    void timeoutIsA504AndTheInstanceIsReplaced() {
        api.createFunction("py-slow", "python", """
                import time
                def handler(event, context):
                    if event.get('sleep'):
                        time.sleep(30)
                    return 'fast'
                """, Map.of("timeout_sec", 1));

        Reply slow = api.invoke("py-slow", "{\"sleep\": true}");
        Reply after = api.invoke("py-slow", "{}");

        assertThat(slow.status()).isEqualTo(504);
        assertThat(slow.error().path("code").asText()).isEqualTo("Timeout");
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.header("X-Nimbus-Cold-Start")).isEqualTo("true");
    }

    @Test
    void aWorkerThatDiesIsA502RuntimeExitAndIsReplaced() {
        api.createFunction("py-dies", "python", """
                import os
                def handler(event, context):
                    if event.get('die'):
                        os._exit(3)
                    return 'alive'
                """);
        api.createFunction("node-dies", "node",
                "exports.handler = async (e) => { if (e.die) process.exit(4); return 'alive'; };\n");

        for (String function : new String[] {"py-dies", "node-dies"}) {
            assertThat(api.invoke(function, "{}").status()).isEqualTo(200);
            Reply died = api.invoke(function, "{\"die\": true}");
            Reply after = api.invoke(function, "{}");

            assertThat(died.status()).isEqualTo(502);
            assertThat(died.error().path("code").asText()).isEqualTo("RuntimeExit");
            assertThat(after.status()).isEqualTo(200);
            assertThat(after.header("X-Nimbus-Cold-Start")).isEqualTo("true");
        }
    }

    @Test
    void whenEveryInstanceStaysBusyTheCallerGets429WithRetryAfter() throws Exception {
        api.createFunction("py-single", "python", """
                import time
                def handler(event, context):
                    time.sleep(event.get('sleep', 0))
                    return 'done'
                """, Map.of("max_instances", 1));
        Thread busy = Thread.ofVirtual().start(() -> api.invoke("py-single", "{\"sleep\": 2}"));
        api.await("/health", r -> busyInstances(r, "py-single") == 1, java.time.Duration.ofSeconds(10));

        Reply throttled = api.invoke("py-single", "{}");
        busy.join();

        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isEqualTo("1");
        assertThat(throttled.error().path("code").asText()).isEqualTo("TooManyRequests");
        assertThat(api.invoke("py-single", "{}").status()).isEqualTo(200);
    }

    /** Instances of the function that are running an invocation, as /health reports them. */
    static int busyInstances(Reply health, String function) {
        for (JsonNode pool : health.json().path("pools")) {
            if (pool.path("function_name").asText().equals(function)) {
                return pool.path("instances").asInt() - pool.path("idle").asInt();
            }
        }
        return 0;
    }

    @Test
    void printsBecomeTheInvocationsLogsAndNeverItsOutput() {
        api.createFunction("py-prints", "python", """
                import sys
                def handler(event, context):
                    print('to stdout')
                    print('to stderr', file=sys.stderr)
                    context.logger.info('via logger')
                    return {'ok': True}
                """);
        api.createFunction("node-prints", "node", """
                exports.handler = async (event, context) => {
                  console.log('to stdout'); console.error('to stderr'); process.stdout.write('raw\\n');
                  return {ok: true};
                };
                """);

        for (String function : new String[] {"py-prints", "node-prints"}) {
            Reply reply = api.invoke(function, "{}");
            assertThat(reply.body()).isEqualTo("{\"ok\":true}");
            JsonNode record = api.get("/api/v1/invocations/" + reply.header("X-Nimbus-Invocation-Id")).json();
            assertThat(record.path("logs").asText()).contains("to stdout", "to stderr");
        }
        JsonNode pyRecord = api.get("/api/v1/functions/py-prints/invocations?limit=1").json().path("invocations").get(0);
        assertThat(pyRecord.path("logs").asText()).contains("via logger");
    }

    @Test
    void logsOverTheLimitAreTruncatedWithAMarker() {
        api.createFunction("py-chatty", "python", "def handler(event, context):\n    print('x' * 200000)\n    return 1\n");

        Reply reply = api.invoke("py-chatty", "{}");
        String logs = api.get("/api/v1/invocations/" + reply.header("X-Nimbus-Invocation-Id")).json().path("logs").asText();

        assertThat(reply.status()).isEqualTo(200);
        assertThat(logs).endsWith("[nimbus: log truncated at 65536 bytes]\n");
        assertThat(logs.length()).isLessThan(66 * 1024);
    }

    @Test
    void functionSeesItsEnvVarsButNotTheServersEnvironment() {
        api.createFunction("py-env", "python", """
                import os
                def handler(event, context):
                    return {'greeting': os.environ.get('GREETING'), 'home': os.environ.get('JAVA_HOME'),
                            'name': os.environ.get('NIMBUS_FUNCTION_NAME'), 'count': len(os.environ)}
                """, Map.of("env_vars", Map.of("GREETING", "hej")));
        api.createFunction("node-env", "node",
                "exports.handler = async () => ({greeting: process.env.GREETING, home: process.env.JAVA_HOME || null,"
                        + " name: process.env.NIMBUS_FUNCTION_NAME});\n", Map.of("env_vars", Map.of("GREETING", "hola")));

        JsonNode python = api.invoke("py-env", "{}").json();
        JsonNode node = api.invoke("node-env", "{}").json();

        assertThat(python.path("greeting").asText()).isEqualTo("hej");
        assertThat(python.path("home").isNull()).isTrue();
        assertThat(python.path("name").asText()).isEqualTo("py-env");
        assertThat(node.path("greeting").asText()).isEqualTo("hola");
        assertThat(node.path("home").isNull()).isTrue();
        assertThat(node.path("name").asText()).isEqualTo("node-env");
    }

    @Test
    void unknownFunctionIs404() {
        Reply reply = api.invoke("no-such-function", "{}");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.error().path("code").asText()).isEqualTo("NotFound");
    }

    @Test
    void aBodyThatIsNotJsonIs400AndAnOversizedOneIs413() {
        api.createFunction("py-body", "python", "def handler(event):\n    return event\n");

        Reply notJson = api.invoke("py-body", "{not json");
        Reply tooLarge = api.post("/api/v1/functions/py-body/invoke",
                ("\"" + "a".repeat(6 * 1024 * 1024) + "\"").getBytes());
        Reply scalar = api.invoke("py-body", "\"just a string\"");

        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.error().path("code").asText()).isEqualTo("InvalidEvent");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.error().path("code").asText()).isEqualTo("PayloadTooLarge");
        assertThat(scalar.body()).isEqualTo("\"just a string\"");
    }

    @Test
    void aModuleThatFailsToLoadIsAFunctionErrorNamingTheCause() {
        api.createFunction("py-syntax", "python", "def handler(event:\n    return 1\n");

        Reply reply = api.invoke("py-syntax", "{}");

        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.error().path("code").asText()).isEqualTo("FunctionError");
        assertThat(reply.error().path("type").asText()).isEqualTo("SyntaxError");
    }

    @Test
    void aFunctionThatWritesGarbageOnTheProtocolChannelLosesItsInstanceOnly() {
        api.createFunction("py-garbage", "python", """
                import os
                def handler(event, context):
                    if event.get('garbage'):
                        os.write(4, b'\\xff\\xff\\xff\\xff\\x63 this is not a frame')
                    return 'clean'
                """);

        Reply spoiled = api.invoke("py-garbage", "{\"garbage\": true}");
        Reply after = api.invoke("py-garbage", "{}");

        assertThat(spoiled.status()).isEqualTo(502);
        assertThat(spoiled.error().path("code").asText()).isEqualTo("RuntimeExit");
        assertThat(spoiled.error().path("message").asText()).contains("protocol");
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.header("X-Nimbus-Cold-Start")).isEqualTo("true");
    }

    @Test
    void anInstanceThatSpeaksWhenNobodyAskedIsNeverHandedAnotherRequest() {
        api.createFunction("node-late-answer", "node", """
                const fs = require('fs');
                const instance = require('crypto').randomUUID();
                exports.handler = async (event) => {
                  if (event.late) {
                    const frame = Buffer.from([0, 0, 0, 23, 3, 0, 0, 0, 11, ...Buffer.from('{"ok":true}')]);
                    setTimeout(() => fs.writeSync(4, Buffer.concat([frame, Buffer.from('"forged"')])), 50);
                  }
                  return instance;
                };
                """);
        Reply first = api.invoke("node-late-answer", "{\"late\": true}");
        ApiClient.sleep(300);

        Reply next = api.invoke("node-late-answer", "{}");

        assertThat(first.status()).isEqualTo(200);
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.body()).isNotEqualTo("\"forged\"").isNotEqualTo(first.body());
        assertThat(next.header("X-Nimbus-Cold-Start")).isEqualTo("true");
    }
}
