package io.nimbus.runtime.java;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nimbus.protocol.Frame;
import io.nimbus.protocol.FrameCodec;
import io.nimbus.protocol.FrameType;
import io.nimbus.sandbox.ProcessSandbox;
import io.nimbus.sandbox.SandboxLimits;
import io.nimbus.sandbox.WorkerLaunch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The java25 worker, compiled handlers and all, driven over the wire protocol as the host
 * drives it (unsandboxed here; JavaWorkerSandboxTest runs it in the namespace sandbox).
 */
// Guards against a worker that never answers (a blocking read would hang the build); not a time assertion.
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JavaWorkerTest {
    private static final Logger LOG = LoggerFactory.getLogger(JavaWorkerTest.class);
    private static final SandboxLimits LIMITS = new SandboxLimits(128, 0.25, 64, 16, SandboxLimits.Network.NONE);
    private static final Map<String, String> ENV = Map.of("GREETING", "grüezi", "NIMBUS_FUNCTION_NAME", "hello");
    private static final String HELLO = """
            package com.example;

            import io.nimbus.sdk.Context;
            import io.nimbus.sdk.Handler;
            import java.util.Map;

            public class Hello implements Handler {
                @Override
                public Object handleRequest(Object event, Context context) {
                    Map<?, ?> input = (Map<?, ?>) event;
                    return Map.of("message", "Hello, " + input.get("name") + "!");
                }
            }
            """;

    @TempDir
    Path temp;

    private final List<WorkerSession> sessions = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopWorkers() {
        sessions.forEach(WorkerSession::close);
        processes.forEach(Process::destroyForcibly);
    }

    // ------------------------------------------------------------------ Init and Exec

    @Test
    void aHandlerCompiledFromSourceAnswersInitAndExec() throws Exception {
        WorkerSession worker = start(Map.of("com/example/Hello.java", HELLO));

        WorkerSession.Reply init = worker.init("com.example.Hello", ENV);
        WorkerSession.Reply exec = worker.exec("{\"name\": \"Ada\"}");

        assertThat(init.ok()).as("%s", init).isTrue();
        assertThat(init.header().path("runtime_version").asText()).isEqualTo(System.getProperty("java.version"));
        assertThat(init.header().path("init_ms").asDouble()).isNotNegative();
        assertThat(exec.ok()).as("%s", exec).isTrue();
        assertThat(exec.payload()).isEqualTo("{\"message\":\"Hello, Ada!\"}");
        assertThat(exec.logs()).isEmpty();
    }

    @Test
    void aHandlerInTheUnnamedPackageMayBePackagePrivateAndKeepsItsStateBetweenExecs() throws Exception {
        WorkerSession worker = start(Map.of("Counter.java", """
                class Counter implements io.nimbus.sdk.Handler {
                    private int count;

                    public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                        return ++count;
                    }
                }
                """));

        assertThat(worker.init("Counter", ENV).ok()).isTrue();

        assertThat(List.of(worker.exec("null").payload(), worker.exec("{}").payload(), worker.exec("[]").payload()))
                .containsExactly("1", "2", "3");
    }

    @Test
    void theContextDescribesTheInvocationAndTheEnvironmentIsTheFunctions() throws Exception {
        WorkerSession worker = start(Map.of("Describe.java", """
                import io.nimbus.sdk.*;
                import java.util.*;

                public class Describe implements Handler {
                    public Object handleRequest(Object event, Context context) {
                        Map<String, Object> seen = new LinkedHashMap<>();
                        seen.put("request_id", context.getRequestId());
                        seen.put("function_name", context.getFunctionName());
                        seen.put("function_version", context.getFunctionVersion());
                        seen.put("memory_limit_mb", context.getMemoryLimitInMB());
                        seen.put("remaining", context.getRemainingTimeInMillis());
                        seen.put("context_env", context.getEnvironment());
                        seen.put("getenv", System.getenv());
                        seen.put("greeting", System.getenv("GREETING"));
                        return seen;
                    }
                }
                """));
        worker.init("Describe", ENV);

        JsonNode seen = worker.exec("{}").result();

        assertThat(seen.path("request_id").asText()).isEqualTo(worker.lastRequestId());
        assertThat(seen.path("function_name").asText()).isEqualTo("hello");
        assertThat(seen.path("function_version").asInt()).isEqualTo(3);
        assertThat(seen.path("memory_limit_mb").asInt()).isEqualTo(128);
        assertThat(seen.path("remaining").asLong()).isPositive().isLessThanOrEqualTo(WorkerSession.TIMEOUT_MS);
        assertThat(seen.path("greeting").asText()).isEqualTo("grüezi");
        assertThat(seen.path("context_env").properties()).hasSize(ENV.size());
        Map<String, String> environment = new HashMap<>();
        seen.path("getenv").properties().forEach(entry -> environment.put(entry.getKey(), entry.getValue().asText()));
        assertThat(environment).containsAllEntriesOf(ENV).containsAllEntriesOf(TestImage.BASE_ENVIRONMENT);
        System.getenv().keySet().stream().filter(name -> !TestImage.BASE_ENVIRONMENT.containsKey(name) && !name.equals("PWD"))
                .forEach(hostOnly -> assertThat(environment).doesNotContainKey(hostOnly));
    }

    @Test
    void processesTheHandlerStartsSeeTheFunctionsEnvironmentButNotTheProtocolDescriptors() throws Exception {
        WorkerSession worker = start(Map.of("Child.java", """
                import io.nimbus.sdk.*;
                import java.util.*;

                public class Child implements Handler {
                    public Object handleRequest(Object event, Context context) throws Exception {
                        List<Object> seen = new ArrayList<>();
                        for (String script : List.of("echo corrupt >&4", ": <&3", "test \\"$GREETING\\" = grüezi")) {
                            seen.add(new ProcessBuilder("/bin/sh", "-c", script).inheritIO().start().waitFor());
                        }
                        return seen;
                    }
                }
                """));
        worker.init("Child", ENV);

        WorkerSession.Reply reply = worker.exec("{}");

        JsonNode statuses = reply.result();
        assertThat(statuses.get(0).asInt()).as("fd 4 is closed in the child").isNotZero();
        assertThat(statuses.get(1).asInt()).as("fd 3 is closed in the child").isNotZero();
        assertThat(statuses.get(2).asInt()).as("the child sees GREETING").isZero();
        assertThat(worker.ping().type()).as("no stray bytes on fd 4").isEqualTo(FrameType.PING);
    }

    // ------------------------------------------------------------------ failures

    @Test
    void aHandlerExceptionIsAnErrorNamedAfterItsClassAndTheWorkerCarriesOn() throws Exception {
        WorkerSession worker = start(Map.of("com/example/Fails.java", """
                package com.example;

                import io.nimbus.sdk.*;

                public class Fails implements Handler {
                    static class TooBig extends RuntimeException {
                        TooBig(String message) { super(message); }
                    }

                    public Object handleRequest(Object event, Context context) {
                        if (event == null) {
                            return "fine";
                        }
                        throw new TooBig("the order is too big");
                    }
                }
                """));
        worker.init("com.example.Fails", ENV);

        WorkerSession.Reply failure = worker.exec("{}");
        WorkerSession.Reply next = worker.exec("null");

        assertThat(failure.ok()).isFalse();
        assertThat(failure.errorType()).isEqualTo("TooBig");
        assertThat(failure.errorMessage()).isEqualTo("the order is too big");
        assertThat(failure.errorStack()).contains("com.example.Fails$TooBig: the order is too big", "Fails.java:14")
                .doesNotContain("io.nimbus.sdk.internal");
        assertThat(failure.payload()).isEmpty();
        assertThat(next.payload()).isEqualTo("\"fine\"");
    }

    @Test
    void aMissingHandlerClassFailsInit() throws Exception {
        WorkerSession worker = start(Map.of("com/example/Hello.java", HELLO));

        WorkerSession.Reply init = worker.init("com.example.Absent", ENV);

        assertThat(init.ok()).isFalse();
        assertThat(init.errorType()).isEqualTo("HandlerNotFound");
        assertThat(init.errorMessage()).contains("com.example.Absent");
        assertThat(worker.exec("{}").errorType()).isEqualTo("NotInitialized");
    }

    @Test
    void aClassThatDoesNotImplementHandlerFailsInit() throws Exception {
        WorkerSession worker = start(Map.of("Plain.java", "public class Plain { public Object handleRequest(Object e) { return e; } }\n"));

        WorkerSession.Reply init = worker.init("Plain", ENV);

        assertThat(init.ok()).isFalse();
        assertThat(init.errorType()).isEqualTo("HandlerNotFound");
        assertThat(init.errorMessage()).contains("does not implement io.nimbus.sdk.Handler");
    }

    @Test
    void aHandlerThatIsNotAClassNameFailsInit() throws Exception {
        WorkerSession worker = start(Map.of("com/example/Hello.java", HELLO));

        WorkerSession.Reply init = worker.init("com/example/Hello.handler", ENV);

        assertThat(init.ok()).isFalse();
        assertThat(init.errorType()).isEqualTo("InvalidHandler");
    }

    @Test
    void aConstructorThatThrowsFailsInitWithItsOwnException() throws Exception {
        WorkerSession worker = start(Map.of("Broken.java", """
                public class Broken implements io.nimbus.sdk.Handler {
                    public Broken() {
                        throw new IllegalStateException("no database configured");
                    }

                    public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                        return null;
                    }
                }
                """));

        WorkerSession.Reply init = worker.init("Broken", ENV);

        assertThat(init.errorType()).isEqualTo("IllegalStateException");
        assertThat(init.errorMessage()).isEqualTo("no database configured");
        assertThat(init.errorStack()).contains("Broken.java:3");
    }

    @Test
    void aSecondInitIsRefusedAndChangesNothing() throws Exception {
        WorkerSession worker = start(Map.of("com/example/Hello.java", HELLO));
        worker.init("com.example.Hello", ENV);

        WorkerSession.Reply again = worker.init("com.example.Absent", ENV);

        assertThat(again.errorType()).isEqualTo("AlreadyInitialized");
        assertThat(worker.exec("{\"name\": \"Ada\"}").payload()).isEqualTo("{\"message\":\"Hello, Ada!\"}");
    }

    @Test
    void anEventThatIsNotJsonAndAResultWithoutAJsonFormAreReportedAsSuch() throws Exception {
        WorkerSession worker = start(Map.of("Odd.java", """
                public class Odd implements io.nimbus.sdk.Handler {
                    public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                        return "thread".equals(event) ? Thread.currentThread() : Double.NaN;
                    }
                }
                """));
        worker.init("Odd", ENV);

        assertThat(worker.exec("{\"unterminated\": ").errorType()).isEqualTo("InvalidEvent");
        assertThat(worker.exec("").errorType()).isEqualTo("InvalidEvent");
        assertThat(worker.call(new Frame(FrameType.EXEC, worker.execHeader(), new byte[] {'"', (byte) 0xC3, '"'})).errorType())
                .as("invalid UTF-8").isEqualTo("InvalidEvent");
        assertThat(worker.exec("\"thread\"").errorType()).isEqualTo("SerializationError");
        assertThat(worker.exec("1").errorType()).isEqualTo("SerializationError");
    }

    @Test
    void exhaustingTheHeapIsAnsweredAsOutOfMemoryAndEndsTheWorker() throws Exception {
        WorkerSession worker = start(Map.of("Hog.java", """
                import java.util.*;

                public class Hog implements io.nimbus.sdk.Handler {
                    private static final List<byte[]> KEPT = new ArrayList<>();

                    public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                        while (true) {
                            KEPT.add(new byte[1 << 20]);
                        }
                    }
                }
                """));
        worker.init("Hog", ENV);

        WorkerSession.Reply reply = worker.exec("{}");

        assertThat(reply.errorType()).isEqualTo("OutOfMemory");
        assertThat(reply.errorMessage()).contains("Java heap space");
        assertThat(worker.channelEnds()).isTrue();
    }

    // ------------------------------------------------------------------ logs

    @Test
    void printsAreCapturedAsLogsAndNeverReachTheProtocol() throws Exception {
        WorkerSession worker = start(Map.of("Chatty.java", """
                import io.nimbus.sdk.*;

                public class Chatty implements Handler {
                    static {
                        System.out.println("loading the model");
                    }

                    public Object handleRequest(Object event, Context context) {
                        System.out.println("to stdout");
                        System.err.print("to stderr\\n");
                        System.out.write('!');
                        System.out.println();
                        context.getLogger().info("grüße");
                        return "done";
                    }
                }
                """));

        WorkerSession.Reply init = worker.init("Chatty", ENV);
        WorkerSession.Reply exec = worker.exec("{}");

        assertThat(init.logs()).containsExactly("loading the model\n");
        assertThat(exec.logs()).containsExactly("to stdout\nto stderr\n!\n[INFO] grüße\n");
        assertThat(exec.payload()).isEqualTo("\"done\"");
        assertThat(worker.ping().type()).isEqualTo(FrameType.PING);
    }

    @Test
    void logsPastTheCapAreCutAtACharacterBoundaryAndMarked() throws Exception {
        WorkerSession worker = start(Map.of("Flood.java", """
                public class Flood implements io.nimbus.sdk.Handler {
                    public Object handleRequest(Object event, io.nimbus.sdk.Context context) {
                        System.out.print("a");
                        System.out.print("é".repeat(40_000));
                        System.out.print("never seen");
                        return null;
                    }
                }
                """));
        worker.init("Flood", ENV);

        WorkerSession.Reply exec = worker.exec("{}");

        String log = String.join("", exec.logs());
        assertThat(log).startsWith("aéé").endsWith("é\n[nimbus: log truncated at 65536 bytes]\n").doesNotContain("never seen");
        assertThat(log.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(65536 + 40);
        assertThat(worker.exec("{}").logs()).as("the cap applies afresh to each invocation").isEqualTo(exec.logs());
    }

    // ------------------------------------------------------------------ Ping, Stop, violations

    @Test
    void pingIsAnsweredBeforeInit() throws Exception {
        WorkerSession worker = start(Map.of("com/example/Hello.java", HELLO));

        Frame pong = worker.ping();

        assertThat(pong.type()).isEqualTo(FrameType.PING);
        assertThat(pong.payload()).isEmpty();
    }

    @Test
    void stopAndTheEndOfTheChannelEndTheWorkerWithStatusZero() throws Exception {
        Path code = TestImage.compiled(temp.resolve("code"), Map.of("com/example/Hello.java", HELLO));
        Process stopped = rawWorker(code);
        Process abandoned = rawWorker(code);

        FrameCodec.write(stopped.getOutputStream(), Frame.of(FrameType.STOP));
        abandoned.getOutputStream().close();

        assertThat(stopped.waitFor()).isZero();
        assertThat(abandoned.waitFor()).isZero();
    }

    @Test
    void anUnknownFrameTypeEndsTheWorkerWithStatusTwo() throws Exception {
        Process worker = rawWorker(TestImage.compiled(temp.resolve("code"), Map.of("com/example/Hello.java", HELLO)));

        worker.getOutputStream().write(new byte[] {0, 0, 0, 0, 42});
        worker.getOutputStream().flush();

        assertThat(worker.waitFor()).isEqualTo(2);
        assertThat(new String(worker.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .startsWith("nimbus java bootstrap: protocol violation: unexpected frame type 42");
    }

    // ------------------------------------------------------------------ the warm path

    /** Measures the warm path; logs the mean (no time assertion), checks every answer. */
    @Test
    void warmExecRoundTrip() throws Exception {
        WorkerSession worker = start(Map.of("com/example/Hello.java", HELLO));
        worker.init("com.example.Hello", ENV);
        Frame exec = new Frame(FrameType.EXEC, worker.execHeader(), "{\"name\":\"world\"}".getBytes(StandardCharsets.UTF_8));
        int warmup = 5_000;
        int measured = 10_000;
        int failures = 0;

        long started = 0;
        for (int i = 0; i < warmup + measured; i++) {
            if (i == warmup) {
                started = System.nanoTime();
            }
            worker.send(exec);
            Frame reply = worker.receive();
            if (reply.type() != FrameType.RESP || !"{\"message\":\"Hello, world!\"}".equals(new String(reply.payload(), StandardCharsets.UTF_8))) {
                failures++;
            }
        }
        double meanMicros = (System.nanoTime() - started) / 1_000.0 / measured;

        LOG.info("JAVA warm Exec round trip: mean {} µs over {} sequential requests", String.format("%.1f", meanMicros), measured);
        assertThat(failures).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private WorkerSession start(Map<String, String> sources) throws IOException, InterruptedException {
        Path code = TestImage.compiled(temp.resolve("code"), sources);
        WorkerSession session = TestImage.start(new ProcessSandbox(), code, LIMITS, temp.resolve("instances"));
        sessions.add(session);
        return session;
    }

    /** A worker as a plain process, for its exit status: the host's launch line, the image's command. */
    private Process rawWorker(Path codeDir) throws IOException, InterruptedException {
        JavaWorkerImage image = TestImage.image();
        WorkerLaunch launch = new WorkerLaunch("raw", image.java(), image.workerOptions(128, 0.25), image.workerJar(),
                codeDir, TestImage.BASE_ENVIRONMENT, LIMITS, temp.resolve("unused.out"));
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$0\" \"$@\" 3<&0 4>&1 </dev/null 1>&2"));
        command.addAll(launch.command(image.workerJar().getParent().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(codeDir.toFile());
        builder.environment().clear();
        builder.environment().putAll(TestImage.BASE_ENVIRONMENT);
        Process process = builder.start();
        processes.add(process);
        return process;
    }
}
