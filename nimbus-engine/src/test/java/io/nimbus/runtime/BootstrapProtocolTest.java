package io.nimbus.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nimbus.protocol.Frame;
import io.nimbus.protocol.FrameCodec;
import io.nimbus.protocol.FrameType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the real Python and Node bootstraps over the wire protocol, started the way the
 * host starts them: fd 3 and 4 carry frames, fd 1 and 2 are the stray-output pipe, the
 * environment is cleared.
 */
// Guards against a worker that never answers (a blocking read would hang the build); not a time assertion.
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BootstrapProtocolTest {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapProtocolTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The host's launch line: the pipe on stdin becomes fd 3, the one on stdout fd 4, fd 1 joins fd 2. */
    private static final String LAUNCH = "exec \"$0\" \"$@\" 3<&0 4>&1 </dev/null 1>&2";
    private static final String WORKER_PATH = "/usr/local/bin:/usr/bin:/bin";
    /** What the shell and the host put in a worker's environment before Init. */
    private static final Set<String> BASE_ENVIRONMENT = Set.of("PATH", "LANG", "HOME", "PWD");
    private static final String TRUNCATION_MARKER = "\n[nimbus: log truncated at 65536 bytes]\n";
    private static final int LOG_LIMIT = 65536;
    private static final int TIMEOUT_MS = 5000;

    private static String pythonExecutable;
    private static String nodeExecutable;
    private static final Map<Language, String> EXPECTED_VERSIONS = new LinkedHashMap<>();

    @TempDir
    Path temp;

    private final List<Worker> workers = new ArrayList<>();
    private int requestCounter;

    enum Language {
        PYTHON("python/bootstrap.py", ".py"),
        NODE("node/bootstrap.js", ".js");

        final String bootstrapResource;
        final String extension;

        Language(String bootstrapResource, String extension) {
            this.bootstrapResource = "/io/nimbus/runtime/" + bootstrapResource;
            this.extension = extension;
        }

        String interpreter() {
            return this == PYTHON ? pythonExecutable : nodeExecutable;
        }

        String pick(String python, String node) {
            return this == PYTHON ? python : node;
        }
    }

    @BeforeAll
    static void findInterpreters() throws Exception {
        // The pyenv shim takes tens of milliseconds per start; ask it once for the real binary.
        pythonExecutable = run("python3", "-c", "import sys;print(sys.executable)");
        nodeExecutable = Files.isExecutable(Path.of("/usr/bin/node")) ? "/usr/bin/node" : run("node", "-p", "process.execPath");
        assertThat(Path.of(pythonExecutable)).isExecutable();
        assertThat(Path.of(nodeExecutable)).isExecutable();
        EXPECTED_VERSIONS.put(Language.PYTHON, run(pythonExecutable, "--version").replaceFirst("^Python ", ""));
        EXPECTED_VERSIONS.put(Language.NODE, run(nodeExecutable, "--version"));
    }

    @AfterEach
    void stopWorkers() {
        workers.forEach(Worker::close);
    }

    // ------------------------------------------------------------------ Init

    @ParameterizedTest
    @EnumSource(Language.class)
    void initReportsTheRuntimeVersion(Language language) throws Exception {
        Worker worker = start(language, "main", "def handler(event, context):\n    return 1\n", "exports.handler = () => 1;\n");

        Reply init = worker.init("main.handler");

        assertThat(init.ok()).as(init.toString()).isTrue();
        assertThat(init.header().get("runtime_version").asText()).isEqualTo(EXPECTED_VERSIONS.get(language));
        assertThat(init.header().get("init_ms").isNumber()).isTrue();
        assertThat(init.header().get("init_ms").asDouble()).isNotNegative();
        assertThat(init.payload()).isEmpty();
        assertThat(init.logFrames()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void printsAtImportTimeComeAsALogFrameBeforeTheInitResponse(Language language) throws Exception {
        Worker worker = start(language, "main",
                "print('loading the model')\ndef handler(event, context):\n    return 1\n",
                "console.log('loading the model');\nexports.handler = () => 1;\n");

        Reply init = worker.init("main.handler");

        assertThat(init.ok()).isTrue();
        assertThat(init.logFrames()).containsExactly("loading the model\n");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aMissingModuleFailsInit(Language language) throws Exception {
        Worker worker = start(language, "main", "def handler(event, context):\n    return 1\n", "exports.handler = () => 1;\n");

        Reply init = worker.init("absent.handler");

        assertThat(init.ok()).isFalse();
        assertThat(init.errorType()).isEqualTo("ModuleNotFoundError");
        assertThat(init.errorMessage()).contains("absent");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aMissingFunctionFailsInit(Language language) throws Exception {
        Worker worker = start(language, "main", "def handler(event, context):\n    return 1\n", "exports.handler = () => 1;\n");

        Reply init = worker.init("main.absent");

        assertThat(init.ok()).isFalse();
        assertThat(init.errorType()).isEqualTo("HandlerNotFound");
        assertThat(init.errorMessage()).contains("absent");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aSyntaxErrorFailsInitWithItsLocation(Language language) throws Exception {
        Worker worker = start(language, "main", "def handler(event, context)\n    return 1\n", "exports.handler = () => {;\n");

        Reply init = worker.init("main.handler");

        assertThat(init.ok()).isFalse();
        assertThat(init.errorType()).isEqualTo("SyntaxError");
        assertThat(init.errorStack()).contains("main" + language.extension);
    }

    static Stream<Arguments> handlersInSubfolders() {
        return Stream.of(Language.values()).flatMap(language -> Stream.of(
                Arguments.of(language, "pkg/app.handler"),
                Arguments.of(language, "pkg.app.handler")));
    }

    @ParameterizedTest
    @MethodSource("handlersInSubfolders")
    void aHandlerInASubfolderIsFound(Language language, String handler) throws Exception {
        Worker worker = start(language, "pkg/app", "def handler(event, context):\n    return 'nested'\n",
                "exports.handler = () => 'nested';\n");

        assertThat(worker.init(handler).ok()).isTrue();
        assertThat(worker.exec("{}").resultText()).isEqualTo("\"nested\"");
    }

    // ------------------------------------------------------------------ Exec

    @ParameterizedTest
    @EnumSource(Language.class)
    void execReturnsTheResultAsCompactUtf8Json(Language language) throws Exception {
        Worker worker = startInitialized(language,
                "def handler(event, context):\n    return {'echo': event, 'n': 1}\n",
                "exports.handler = (event, context) => ({ echo: event, n: 1 });\n");

        Reply reply = worker.exec("{ \"a\" : [1, 2, \"grüß\"] }");

        assertThat(reply.ok()).as(reply.toString()).isTrue();
        assertThat(reply.resultText()).isEqualTo("{\"echo\":{\"a\":[1,2,\"grüß\"]},\"n\":1}");
        assertThat(reply.logFrames()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aResultOfNoneOrUndefinedIsNull(Language language) throws Exception {
        Worker worker = startInitialized(language, "def handler(event, context):\n    pass\n", "exports.handler = () => {};\n");

        assertThat(worker.exec("{}").resultText()).isEqualTo("null");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void theContextDescribesTheInvocation(Language language) throws Exception {
        Worker worker = startInitialized(language, """
                def handler(event, context):
                    return {
                        "request_id": context.request_id,
                        "function_name": context.function_name,
                        "function_version": context.function_version,
                        "memory_limit_mb": context.memory_limit_mb,
                        "remaining": context.get_remaining_time_ms(),
                    }
                """, """
                exports.handler = (event, context) => ({
                  request_id: context.request_id,
                  function_name: context.function_name,
                  function_version: context.function_version,
                  memory_limit_mb: context.memory_limit_mb,
                  remaining: context.getRemainingTimeInMillis(),
                  camel: [context.requestId, context.functionName, context.functionVersion, context.memoryLimitInMB],
                });
                """);

        Reply reply = worker.exec("{}");

        JsonNode result = reply.result();
        String requestId = "req-" + requestCounter;
        assertThat(result.get("request_id").asText()).isEqualTo(requestId);
        assertThat(result.get("function_name").asText()).isEqualTo("hello");
        assertThat(result.get("function_version").asInt()).isEqualTo(3);
        assertThat(result.get("memory_limit_mb").asInt()).isEqualTo(128);
        assertThat(result.get("remaining").asLong()).isPositive().isLessThanOrEqualTo(TIMEOUT_MS);
        if (language == Language.NODE) {
            assertThat(result.get("camel").toString()).isEqualTo("[\"" + requestId + "\",\"hello\",3,128]");
        }
    }

    @Test
    void aPythonHandlerMayTakeOnlyTheEvent() throws Exception {
        Worker worker = startInitialized(Language.PYTHON, "def handler(event):\n    return event['x'] * 2\n", null);

        assertThat(worker.exec("{\"x\": 21}").resultText()).isEqualTo("42");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void anAsyncHandlerRunsToCompletion(Language language) throws Exception {
        Worker worker = startInitialized(language, """
                import asyncio
                async def handler(event, context):
                    await asyncio.sleep(0.001)
                    return {"loop": id(asyncio.get_running_loop()), "x": event["x"]}
                """, """
                exports.handler = async (event) => {
                  await new Promise((resolve) => setTimeout(resolve, 1));
                  return { loop: 0, x: event.x };
                };
                """);

        JsonNode first = worker.exec("{\"x\": 1}").result();
        JsonNode second = worker.exec("{\"x\": 2}").result();

        assertThat(first.get("x").asInt()).isEqualTo(1);
        assertThat(second.get("x").asInt()).isEqualTo(2);
        // One event loop for the worker's life, so loop-bound objects made at import keep working.
        assertThat(second.get("loop").asLong()).isEqualTo(first.get("loop").asLong());
    }

    @Test
    void aNodeHandlerMayReturnAPromise() throws Exception {
        Worker worker = startInitialized(Language.NODE, null, """
                exports.handler = (event) => new Promise((resolve) => setTimeout(() => resolve({ later: event.x }), 1));
                """);

        assertThat(worker.exec("{\"x\": 7}").resultText()).isEqualTo("{\"later\":7}");
    }

    @Test
    void aNodeHandlerMayUseTheCallbackStyle() throws Exception {
        Worker worker = startInitialized(Language.NODE, null, """
                exports.handler = (event, context, callback) => {
                  setImmediate(() => event.fail ? callback(new Error('callback failed')) : callback(null, { via: 'callback' }));
                };
                """);

        assertThat(worker.exec("{}").resultText()).isEqualTo("{\"via\":\"callback\"}");
        Reply failure = worker.exec("{\"fail\": true}");
        assertThat(failure.ok()).isFalse();
        assertThat(failure.errorMessage()).isEqualTo("callback failed");
    }

    @Test
    void anAsyncNodeHandlerWithACallbackParameterMayJustReturn() throws Exception {
        Worker worker = startInitialized(Language.NODE, null, "exports.handler = async (event, context, callback) => 'returned';\n");

        assertThat(worker.exec("{}").resultText()).isEqualTo("\"returned\"");
    }

    static Stream<Arguments> esModules() {
        return Stream.of(
                Arguments.of("main.mjs", "export const handler = async (event) => ({ esm: event.x });\n"),
                Arguments.of("main.mjs", "export default { handler: (event) => ({ esm: event.x }) };\n"),
                Arguments.of("package.json", "{\"type\": \"module\"}"));
    }

    @ParameterizedTest
    @MethodSource("esModules")
    void aNodeHandlerMayBeAnEsModule(String file, String source) throws Exception {
        writeCode(file, source);
        if (file.equals("package.json")) {
            writeCode("main.js", "export async function handler(event) { return { esm: event.x }; }\n");
        }
        Worker worker = launch(Language.NODE);

        Reply init = worker.init("main.handler");

        assertThat(init.ok()).as(init.toString()).isTrue();
        assertThat(worker.exec("{\"x\": 5}").resultText()).isEqualTo("{\"esm\":5}");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void theModuleIsLoadedOnceAndItsStateSurvivesBetweenExecs(Language language) throws Exception {
        Worker worker = startInitialized(language, """
                count = 0
                def handler(event, context):
                    global count
                    count += 1
                    return count
                """, """
                let count = 0;
                exports.handler = () => ++count;
                """);

        assertThat(List.of(worker.exec("{}").resultText(), worker.exec("{}").resultText(), worker.exec("{}").resultText()))
                .containsExactly("1", "2", "3");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aLargeEventAndResultCrossTheChannelWhole(Language language) throws Exception {
        Worker worker = startInitialized(language,
                "def handler(event, context):\n    return {'size': len(event['blob']), 'blob': event['blob']}\n",
                "exports.handler = (event) => ({ size: event.blob.length, blob: event.blob });\n");
        String blob = "0123456789abcdef".repeat(200_000); // 3.2 MB, many pipe buffers

        JsonNode result = worker.exec(JSON.writeValueAsString(Map.of("blob", blob))).result();

        assertThat(result.get("size").asInt()).isEqualTo(blob.length());
        assertThat(result.get("blob").asText()).isEqualTo(blob);
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void anEventThatIsNotJsonIsRefused(Language language) throws Exception {
        Worker worker = startInitialized(language, "def handler(event, context):\n    return 1\n", "exports.handler = () => 1;\n");

        Reply reply = worker.exec("{not json");

        assertThat(reply.ok()).isFalse();
        assertThat(reply.errorType()).isEqualTo("InvalidEvent");
        assertThat(worker.exec("{}").resultText()).isEqualTo("1");
    }

    // ------------------------------------------------------------------ errors

    @ParameterizedTest
    @EnumSource(Language.class)
    void aRaisedErrorIsReportedWithTypeMessageAndStack(Language language) throws Exception {
        Worker worker = startInitialized(language, """
                def check(event):
                    raise ValueError("boom: " + event["why"])
                def handler(event, context):
                    check(event)
                """, """
                function check(event) { throw new RangeError('boom: ' + event.why); }
                exports.handler = (event) => check(event);
                """);

        Reply reply = worker.exec("{\"why\": \"bad input\"}");

        assertThat(reply.ok()).isFalse();
        assertThat(reply.payload()).isEmpty();
        assertThat(reply.errorType()).isEqualTo(language.pick("ValueError", "RangeError"));
        assertThat(reply.errorMessage()).isEqualTo("boom: bad input");
        assertThat(reply.errorStack()).contains("main" + language.extension).contains("check").contains("boom: bad input");
        assertThat(reply.errorStack()).as("the worker's own frames are left out").doesNotContain("bootstrap");
        assertThat(worker.exec("{\"why\": \"again\"}").errorMessage()).as("the worker survives").isEqualTo("boom: again");
    }

    @Test
    void aThrownNonErrorValueIsReportedAsError() throws Exception {
        Worker worker = startInitialized(Language.NODE, null, "exports.handler = () => { throw 'plain words'; };\n");

        Reply reply = worker.exec("{}");

        assertThat(reply.errorType()).isEqualTo("Error");
        assertThat(reply.errorMessage()).isEqualTo("plain words");
    }

    @Test
    void sysExitInAPythonHandlerFailsTheRequestNotTheWorker() throws Exception {
        Worker worker = startInitialized(Language.PYTHON, "import sys\ndef handler(event, context):\n    sys.exit(3)\n", null);

        assertThat(worker.exec("{}").errorType()).isEqualTo("SystemExit");
        assertThat(worker.ping().type()).isEqualTo(FrameType.PING);
    }

    @Test
    void anUncaughtNodeErrorAnswersTheRequestThenEndsTheWorker() throws Exception {
        Worker worker = startInitialized(Language.NODE, null, """
                exports.handler = () => {
                  setTimeout(() => { throw new TypeError('late failure'); }, 1);
                  return new Promise(() => {});
                };
                """);

        Reply reply = worker.exec("{}");

        assertThat(reply.errorType()).isEqualTo("TypeError");
        assertThat(reply.errorMessage()).isEqualTo("late failure");
        assertThat(worker.awaitExit()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aResultThatIsNotJsonSerializableFails(Language language) throws Exception {
        Worker worker = startInitialized(language,
                "def handler(event, context):\n    return {'when': object()}\n",
                "exports.handler = () => ({ when: 10n });\n");

        Reply reply = worker.exec("{}");

        assertThat(reply.ok()).isFalse();
        assertThat(reply.payload()).isEmpty();
        assertThat(reply.errorType()).isEqualTo("SerializationError");
        assertThat(reply.errorMessage()).contains("JSON");
    }

    // ------------------------------------------------------------------ log capture

    @ParameterizedTest
    @EnumSource(Language.class)
    void printsGoToOneLogFrameAndNeverToTheResultOrTheChannel(Language language) throws Exception {
        Worker worker = startInitialized(language, """
                import logging, os, sys
                def handler(event, context):
                    print("to stdout")
                    sys.stderr.write("to stderr\\n")
                    sys.stdout.buffer.write(b"as bytes\\n")
                    logging.info("via root")
                    context.logger.info("via context")
                    return "done"
                """, """
                exports.handler = (event, context) => {
                  console.log('to stdout');
                  process.stderr.write('to stderr\\n');
                  process.stdout.write(Buffer.from('as bytes\\n'));
                  console.error('via %s', 'root');
                  context.logger.info('via context');
                  return 'done';
                };
                """);

        Reply reply = worker.exec("{}");

        assertThat(reply.resultText()).isEqualTo("\"done\"");
        assertThat(reply.logFrames()).containsExactly("to stdout\nto stderr\nas bytes\n"
                + language.pick("[INFO] via root\n", "via root\n") + "[INFO] via context\n");
        assertThat(worker.ping().type()).as("nothing stray on fd 4").isEqualTo(FrameType.PING);
        assertThat(worker.stopAndCollectStrayOutput()).doesNotContain("to stdout", "to stderr", "via context");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aQuietHandlerSendsNoLogFrame(Language language) throws Exception {
        Worker worker = startInitialized(language, "def handler(event, context):\n    return 1\n", "exports.handler = () => 1;\n");

        assertThat(worker.exec("{}").logFrames()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void logsOver64KiBAreTruncatedWithAMarker(Language language) throws Exception {
        Worker worker = startInitialized(language, """
                def handler(event, context):
                    for _ in range(event["lines"]):
                        print("x" * 999)
                    return event["lines"]
                """, """
                exports.handler = (event) => {
                  for (let i = 0; i < event.lines; i++) console.log('x'.repeat(999));
                  return event.lines;
                };
                """);

        Reply big = worker.exec("{\"lines\": 100}");
        Reply small = worker.exec("{\"lines\": 1}");

        assertThat(big.resultText()).isEqualTo("100");
        String log = big.logFrames().getFirst();
        assertThat(log.getBytes(StandardCharsets.UTF_8)).hasSize(LOG_LIMIT + TRUNCATION_MARKER.length());
        assertThat(log).startsWith(("x".repeat(999) + "\n").repeat(65)).endsWith(TRUNCATION_MARKER);
        assertThat(log.indexOf(TRUNCATION_MARKER)).isEqualTo(log.lastIndexOf(TRUNCATION_MARKER));
        assertThat(small.logFrames()).as("the cap is per invocation").containsExactly("x".repeat(999) + "\n");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void truncationDoesNotSplitAUtf8Character(Language language) throws Exception {
        Worker worker = startInitialized(language,
                "def handler(event, context):\n    print('a' + 'é' * 40000)\n",
                "exports.handler = () => { console.log('a' + 'é'.repeat(40000)); };\n");

        byte[] log = worker.exec("{}").logFrameBytes().getFirst();

        // "a" then two-byte characters: 65536 would cut one in half, so the cut falls at 65535.
        assertThat(log).hasSize(LOG_LIMIT - 1 + TRUNCATION_MARKER.length());
        assertThat(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(log)).toString()).endsWith("é" + TRUNCATION_MARKER);
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aChildProcessWritesToTheStrayOutputNotToTheChannel(Language language) throws Exception {
        Worker worker = startInitialized(language, """
                import os
                def handler(event, context):
                    os.system("echo child-says-hi; echo child-err >&2")
                    return "ran"
                """, """
                const { execSync } = require('child_process');
                exports.handler = () => {
                  execSync('echo child-says-hi; echo child-err >&2', { stdio: 'inherit' });
                  return 'ran';
                };
                """);

        Reply reply = worker.exec("{}");

        assertThat(reply.resultText()).isEqualTo("\"ran\"");
        assertThat(reply.logFrames()).isEmpty();
        assertThat(worker.stopAndCollectStrayOutput()).contains("child-says-hi\n", "child-err\n");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void childProcessesDoNotInheritTheProtocolDescriptors(Language language) throws Exception {
        // os.system keeps every inheritable descriptor, unlike subprocess (close_fds=True).
        Worker worker = startInitialized(language, """
                import os
                def handler(event, context):
                    return [os.system("echo corrupt >&4") != 0, os.system(": <&3") != 0]
                """, """
                const { spawnSync } = require('child_process');
                exports.handler = () => [
                  spawnSync('/bin/sh', ['-c', 'echo corrupt >&4'], { stdio: 'inherit' }).status !== 0,
                  spawnSync('/bin/sh', ['-c', ': <&3'], { stdio: 'inherit' }).status !== 0,
                ];
                """);

        Reply reply = worker.exec("{}");

        assertThat(reply.resultText()).as("fd 4 and fd 3 are closed in the child").isEqualTo("[true,true]");
        assertThat(worker.ping().type()).as("no stray bytes on fd 4").isEqualTo(FrameType.PING);
    }

    // ------------------------------------------------------------------ environment

    @ParameterizedTest
    @EnumSource(Language.class)
    void theHandlerSeesTheInitEnvironmentAndNotTheHosts(Language language) throws Exception {
        Worker worker = startInitialized(language,
                "import os\ndef handler(event, context):\n    return dict(os.environ)\n",
                "exports.handler = () => ({ ...process.env });\n");

        JsonNode env = worker.exec("{}").result();

        Map<String, String> seen = new LinkedHashMap<>();
        env.properties().forEach(entry -> seen.put(entry.getKey(), entry.getValue().asText()));
        assertThat(seen).containsAllEntriesOf(initEnvironment()).containsEntry("PATH", WORKER_PATH);
        Set<String> allowed = new HashSet<>(BASE_ENVIRONMENT);
        allowed.addAll(initEnvironment().keySet());
        assertThat(seen.keySet()).isSubsetOf(allowed);
        System.getenv().keySet().stream().filter(name -> !BASE_ENVIRONMENT.contains(name))
                .forEach(hostOnly -> assertThat(seen).doesNotContainKey(hostOnly));
    }

    // ------------------------------------------------------------------ Ping, Stop, violations

    @ParameterizedTest
    @EnumSource(Language.class)
    void pingIsAnsweredWithPingBeforeAndAfterInit(Language language) throws Exception {
        Worker worker = start(language, "main", "def handler(event, context):\n    return 1\n", "exports.handler = () => 1;\n");

        Frame before = worker.ping();
        worker.init("main.handler");
        Frame after = worker.ping();

        assertThat(List.of(before, after)).allSatisfy(frame -> {
            assertThat(frame.type()).isEqualTo(FrameType.PING);
            assertThat(frame.payload()).isEmpty();
        });
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void stopEndsTheWorkerWithExitCodeZero(Language language) throws Exception {
        Worker worker = startInitialized(language, "def handler(event, context):\n    return 1\n", "exports.handler = () => 1;\n");

        worker.send(Frame.of(FrameType.STOP));

        assertThat(worker.awaitExit()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void closingTheChannelEndsTheWorkerWithExitCodeZero(Language language) throws Exception {
        Worker worker = startInitialized(language, "def handler(event, context):\n    return 1\n", "exports.handler = () => 1;\n");

        worker.closeChannel();

        assertThat(worker.awaitExit()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void anUnknownFrameTypeEndsTheWorkerWithANonZeroCode(Language language) throws Exception {
        Worker worker = startInitialized(language, "def handler(event, context):\n    return 1\n", "exports.handler = () => 1;\n");

        worker.sendRaw(new byte[] {0, 0, 0, 0, 42}); // FrameCodec cannot write a type that does not exist

        assertThat(worker.awaitExit()).isNotZero();
        assertThat(worker.strayOutput()).contains("protocol violation");
    }

    // ------------------------------------------------------------------ round trip

    /** Measures the warm path; prints the mean (no time assertion), checks every answer. */
    @ParameterizedTest
    @EnumSource(Language.class)
    void warmExecRoundTrip(Language language) throws Exception {
        Worker worker = startInitialized(language,
                "def handler(event, context):\n    return {'hello': event['name']}\n",
                "exports.handler = (event) => ({ hello: event.name });\n");
        byte[] header = JSON.writeValueAsBytes(JSON.createObjectNode().put("request_id", "bench").put("timeout_ms", TIMEOUT_MS));
        byte[] event = "{\"name\":\"world\"}".getBytes(StandardCharsets.UTF_8);
        Frame exec = new Frame(FrameType.EXEC, header, event);
        int warmup = 2_000;
        int measured = 10_000;
        int failures = 0;

        long started = 0;
        for (int i = 0; i < warmup + measured; i++) {
            if (i == warmup) {
                started = System.nanoTime();
            }
            worker.send(exec);
            Frame reply = worker.receive();
            if (reply.type() != FrameType.RESP || !"{\"hello\":\"world\"}".equals(new String(reply.payload(), StandardCharsets.UTF_8))) {
                failures++;
            }
        }
        double meanMicros = (System.nanoTime() - started) / 1_000.0 / measured;

        LOG.info("{} warm Exec round trip: mean {} µs over {} sequential requests", language, String.format("%.1f", meanMicros), measured);
        assertThat(failures).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private Worker startInitialized(Language language, String pythonSource, String nodeSource) throws IOException {
        Worker worker = start(language, "main", pythonSource, nodeSource);
        Reply init = worker.init("main.handler");
        assertThat(init.ok()).as("Init: %s", init).isTrue();
        return worker;
    }

    /** Writes the handler module, copies the bootstrap out of the classpath, starts the worker. */
    private Worker start(Language language, String module, String pythonSource, String nodeSource) throws IOException {
        writeCode(module + language.extension, language.pick(pythonSource, nodeSource));
        return launch(language);
    }

    private void writeCode(String relativePath, String source) throws IOException {
        Path file = codeDir().resolve(relativePath);
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
    }

    private Path codeDir() {
        return temp.resolve("code");
    }

    private Worker launch(Language language) throws IOException {
        Path runtimeDir = Files.createDirectories(temp.resolve("runtime"));
        Path bootstrap = runtimeDir.resolve(Path.of(language.bootstrapResource).getFileName().toString());
        try (InputStream resource = BootstrapProtocolTest.class.getResourceAsStream(language.bootstrapResource)) {
            assertThat(resource).as("bootstrap resource %s", language.bootstrapResource).isNotNull();
            Files.copy(resource, bootstrap);
        }
        Path codeDir = Files.createDirectories(codeDir());
        Worker worker = new Worker(startProcess(language.interpreter(), bootstrap, codeDir), codeDir);
        workers.add(worker);
        return worker;
    }

    /** The host's way: a cleared environment, the code directory as working directory. */
    private static Process startProcess(String interpreter, Path bootstrap, Path codeDir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", LAUNCH, interpreter, bootstrap.toString())
                .directory(codeDir.toFile());
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", WORKER_PATH);
        environment.put("LANG", "C.UTF-8");
        environment.put("HOME", "/tmp");
        return builder.start();
    }

    private static Map<String, String> initEnvironment() {
        return Map.of("GREETING", "grüezi", "NIMBUS_FUNCTION_NAME", "hello", "NIMBUS_FUNCTION_VERSION", "3",
                "NIMBUS_MEMORY_LIMIT_MB", "128");
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).as("%s: %s", String.join(" ", command), output).isZero();
        return output;
    }

    /** What came back for one Init or Exec: the Resp and the Log frames before it. */
    record Reply(JsonNode header, byte[] payload, List<byte[]> logFrameBytes) {
        boolean ok() {
            return header.path("ok").asBoolean(false);
        }

        String resultText() {
            assertThat(ok()).as("ok: %s", this).isTrue();
            return new String(payload, StandardCharsets.UTF_8);
        }

        JsonNode result() throws IOException {
            return JSON.readTree(resultText());
        }

        List<String> logFrames() {
            return logFrameBytes.stream().map(bytes -> new String(bytes, StandardCharsets.UTF_8)).toList();
        }

        String errorType() {
            return header.path("error").path("type").asText();
        }

        String errorMessage() {
            return header.path("error").path("message").asText();
        }

        String errorStack() {
            return header.path("error").path("stack").asText();
        }

        @Override
        public String toString() {
            return header + " payload=" + new String(payload, StandardCharsets.UTF_8) + " logs=" + logFrames();
        }
    }

    /** A worker process started like the host starts one, with frame helpers. */
    final class Worker implements AutoCloseable {
        private final Process process;
        private final OutputStream toWorker;
        private final InputStream fromWorker;
        private final ByteArrayOutputStream strayOutput = new ByteArrayOutputStream();
        private final Thread strayReader;
        private final Path codeDir;

        private Worker(Process process, Path codeDir) {
            this.process = process;
            this.codeDir = codeDir;
            this.toWorker = process.getOutputStream();
            this.fromWorker = process.getInputStream();
            // fd 1 and 2 of the worker: drained so a chatty child can never block on a full pipe.
            this.strayReader = Thread.ofVirtual().start(() -> {
                try (InputStream stray = process.getErrorStream()) {
                    stray.transferTo(strayOutput);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        Reply init(String handler) throws IOException {
            ObjectNode header = JSON.createObjectNode()
                    .put("function_id", "fn-1")
                    .put("function_name", "hello")
                    .put("function_version", 3)
                    .put("handler", handler)
                    .put("code_dir", codeDir.toString())
                    .put("memory_limit_mb", 128)
                    .put("timeout_ms", TIMEOUT_MS);
            ObjectNode env = header.putObject("env");
            initEnvironment().forEach(env::put);
            return call(new Frame(FrameType.INIT, JSON.writeValueAsBytes(header), new byte[0]));
        }

        Reply exec(String event) throws IOException {
            ObjectNode header = JSON.createObjectNode().put("request_id", "req-" + (++requestCounter)).put("timeout_ms", TIMEOUT_MS);
            return call(new Frame(FrameType.EXEC, JSON.writeValueAsBytes(header), event.getBytes(StandardCharsets.UTF_8)));
        }

        Frame ping() throws IOException {
            send(Frame.of(FrameType.PING));
            return receive();
        }

        private Reply call(Frame request) throws IOException {
            send(request);
            List<byte[]> logs = new ArrayList<>();
            while (true) {
                Frame frame = receive();
                switch (frame.type()) {
                    case LOG -> logs.add(frame.payload());
                    case RESP -> {
                        return new Reply(JSON.readTree(frame.header()), frame.payload(), logs);
                    }
                    default -> throw new AssertionError("unexpected " + frame.type() + " frame while waiting for Resp");
                }
            }
        }

        void send(Frame frame) throws IOException {
            FrameCodec.write(toWorker, frame);
        }

        void sendRaw(byte[] bytes) throws IOException {
            toWorker.write(bytes);
            toWorker.flush();
        }

        Frame receive() throws IOException {
            return FrameCodec.read(fromWorker);
        }

        void closeChannel() throws IOException {
            toWorker.close();
        }

        int awaitExit() throws InterruptedException {
            return process.waitFor();
        }

        /** Everything the worker and its children wrote to fd 1 and 2, once they have all exited. */
        String strayOutput() throws InterruptedException {
            process.waitFor();
            strayReader.join();
            synchronized (strayOutput) {
                return strayOutput.toString(StandardCharsets.UTF_8);
            }
        }

        String stopAndCollectStrayOutput() throws IOException, InterruptedException {
            send(Frame.of(FrameType.STOP));
            assertThat(process.waitFor()).isZero();
            return strayOutput();
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
