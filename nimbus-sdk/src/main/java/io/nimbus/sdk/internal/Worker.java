package io.nimbus.sdk.internal;

import io.nimbus.sdk.Handler;
import io.nimbus.sdk.Json;
import io.nimbus.sdk.JsonException;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The java25 runtime's worker: the host starts it once per instance and it speaks the wire
 * protocol of docs/protocol.md. Init loads the handler once; each Exec calls it, one request
 * at a time, on this thread.
 *
 * <pre>
 *   fd 3   frames from the host          fd 1, fd 2  "stray output" read by the host
 *   fd 4   frames to the host            fd 0        /dev/null
 * </pre>
 *
 * <p>Children the handler starts through ProcessBuilder never inherit fd 3 and 4: the JDK
 * closes every descriptor above 2 in a child. An {@link OutOfMemoryError} is answered as
 * {@code OutOfMemory}, then the worker exits: after one, any class initialiser or thread may
 * have been left half done, so the instance is not trusted with another request.
 */
public final class Worker {
    static final int EXIT_PROTOCOL_VIOLATION = 2;
    /** Lambda's synchronous response limit; the host refuses a frame over 8 MiB. */
    static final int MAX_RESULT_BYTES = 6 * 1024 * 1024;
    private static final byte[] OK_HEADER = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NO_PAYLOAD = new byte[0];
    /** Built before any request so that it can be sent when nothing more can be allocated. */
    private static final byte[] OUT_OF_MEMORY_HEADER =
            ErrorReport.header("OutOfMemory", "the JVM ran out of memory", "");

    private final Channel channel;
    private final LogCapture log;
    private final FunctionEnvironment environment;
    private LoadedFunction function;

    Worker(Channel channel, LogCapture log, FunctionEnvironment environment) {
        this.channel = channel;
        this.log = log;
        this.environment = environment;
    }

    public static void main(String[] args) {
        // fd 2 as it is now: System.err is about to become the capture.
        PrintStream strayOutput = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        try {
            Channel channel = Channel.open();
            new Worker(channel, LogCapture.install(), FunctionEnvironment.link()).serve();
        } catch (ProtocolViolation violation) {
            strayOutput.println("nimbus java bootstrap: protocol violation: " + violation.getMessage());
            Runtime.getRuntime().halt(EXIT_PROTOCOL_VIOLATION);
        } catch (IOException hostWentAway) {
            Runtime.getRuntime().halt(0);
        } catch (Throwable internal) {
            strayOutput.println("nimbus java bootstrap: internal error:");
            internal.printStackTrace(strayOutput);
            Runtime.getRuntime().halt(1);
        }
    }

    /** Stop and end of input halt at once: the user's shutdown hooks and threads must not delay the exit. */
    void serve() throws IOException, ProtocolViolation {
        while (true) {
            Channel.Frame frame = channel.read();
            if (frame == null) {
                Runtime.getRuntime().halt(0);
                return;
            }
            switch (frame.type()) {
                case Channel.EXEC -> {
                    long received = System.nanoTime();
                    exec(Channel.split(frame.body()), received);
                }
                case Channel.PING -> channel.ping();
                case Channel.INIT -> init(Channel.split(frame.body()).header());
                case Channel.STOP -> Runtime.getRuntime().halt(0);
                default -> throw new ProtocolViolation("unexpected frame type " + frame.type() + " from the host");
            }
        }
    }

    void init(Map<String, Object> header) throws IOException {
        long started = System.nanoTime();
        if (function != null) {
            fail(new WorkerError("AlreadyInitialized", "this worker has already loaded its handler"));
            return;
        }
        Map<String, String> variables = variables(header.get("env"));
        try {
            environment.apply(variables);
            Path codeDir = Path.of(text(header.get("code_dir"), System.getProperty("user.dir")));
            Handler handler = FunctionLoader.load(text(header.get("handler"), ""), codeDir);
            function = new LoadedFunction(handler, text(header.get("function_name"), ""),
                    (int) number(header.get("function_version")), (int) number(header.get("memory_limit_mb")),
                    number(header.get("timeout_ms")), variables, log);
        } catch (WorkerError error) {
            fail(error);
            return;
        } catch (OutOfMemoryError e) {
            outOfMemory(e);
            return;
        } catch (Throwable failure) {
            respond(ErrorReport.of(failure), NO_PAYLOAD);
            return;
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("ok", true);
        reply.put("runtime_version", System.getProperty("java.version"));
        reply.put("init_ms", Math.round((System.nanoTime() - started) / 1_000.0) / 1_000.0);
        respond(Json.write(reply).getBytes(StandardCharsets.UTF_8), NO_PAYLOAD);
    }

    void exec(Channel.Headed request, long received) throws IOException {
        if (function == null) {
            fail(new WorkerError("NotInitialized", "Exec arrived before a successful Init"));
            return;
        }
        try {
            run(request, received);
        } catch (OutOfMemoryError e) {
            outOfMemory(e);
        }
    }

    private void run(Channel.Headed request, long received) throws IOException {
        Object event;
        try {
            event = Json.parse(strictUtf8(request));
        } catch (CharacterCodingException | JsonException e) {
            fail(new WorkerError("InvalidEvent", "the event is not valid JSON: " + e.getMessage()));
            return;
        }
        long timeoutMs = request.header().get("timeout_ms") instanceof Number n ? n.longValue() : function.timeoutMs();
        RequestContext context = new RequestContext(function, text(request.header().get("request_id"), ""),
                received + timeoutMs * 1_000_000);
        Object result;
        try {
            result = function.handler().handleRequest(event, context);
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (Throwable failure) { // an Error too (StackOverflowError): it fails the request, not the worker
            respond(ErrorReport.of(failure), NO_PAYLOAD);
            return;
        }
        respondResult(result);
    }

    private void respondResult(Object result) throws IOException {
        byte[] json;
        try {
            json = Json.write(result).getBytes(StandardCharsets.UTF_8);
        } catch (JsonException | StackOverflowError e) {
            fail(new WorkerError("SerializationError", "the handler's result cannot be serialized to JSON: " + e.getMessage()));
            return;
        }
        if (json.length > MAX_RESULT_BYTES) {
            fail(new WorkerError("ResponseTooLarge", "the result is " + json.length + " bytes of JSON, over the "
                    + MAX_RESULT_BYTES + "-byte limit of a response"));
            return;
        }
        respond(OK_HEADER, json);
    }

    /** Answers, then exits: see the class comment. */
    private void outOfMemory(OutOfMemoryError error) throws IOException {
        try {
            respond(ErrorReport.header("OutOfMemory", "the JVM ran out of memory: " + error.getMessage(), ""),
                    NO_PAYLOAD);
        } catch (OutOfMemoryError stillNoMemory) {
            channel.respond(null, OUT_OF_MEMORY_HEADER, NO_PAYLOAD);
        }
        Runtime.getRuntime().halt(1);
    }

    private void fail(WorkerError error) throws IOException {
        respond(ErrorReport.of(error), NO_PAYLOAD);
    }

    private void respond(byte[] header, byte[] payload) throws IOException {
        channel.respond(log.drain(), header, payload);
    }

    private static String strictUtf8(Channel.Headed request) throws CharacterCodingException {
        ByteBuffer payload = ByteBuffer.wrap(request.body(), request.payloadOffset(), request.payloadLength());
        return StandardCharsets.UTF_8.newDecoder().decode(payload).toString();
    }

    private static Map<String, String> variables(Object env) {
        Map<String, String> variables = new LinkedHashMap<>();
        if (env instanceof Map<?, ?> map) {
            map.forEach((name, value) -> {
                if (value != null) {
                    variables.put(String.valueOf(name), value instanceof String s ? s : Json.write(value));
                }
            });
        }
        return Map.copyOf(variables);
    }

    private static String text(Object value, String fallback) {
        return value instanceof String s && !s.isEmpty() ? s : fallback;
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0;
    }
}
