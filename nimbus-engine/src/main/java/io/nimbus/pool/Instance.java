package io.nimbus.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nimbus.domain.Function;
import io.nimbus.domain.Limits;
import io.nimbus.protocol.Frame;
import io.nimbus.protocol.FrameCodec;
import io.nimbus.protocol.FrameType;
import io.nimbus.protocol.JsonPayload;
import io.nimbus.protocol.ProtocolException;
import io.nimbus.sandbox.SandboxedWorker;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A live worker bound to one function version for its whole life. It runs one invocation
 * at a time; its {@link InstanceState} changes only by compare-and-set.
 *
 * <p>Time limits are enforced from the host: a timer kills the worker when an Init or Exec
 * outlives its budget, which unblocks the read with end-of-stream. The worker's own
 * cooperation is never needed.
 */
public final class Instance {
    static final ObjectMapper JSON = new ObjectMapper();

    private final String id;
    private final Function function;
    private final SandboxedWorker worker;
    private final StrayOutput strayOutput;
    private final Runnable afterStop;
    private final ScheduledExecutorService timers;
    private final InputStream fromWorker;
    private final OutputStream toWorker;
    private final AtomicReference<InstanceState> state = new AtomicReference<>(InstanceState.STARTING);
    private final LogBuffer logs = new LogBuffer();
    private final long createdAtNanos = System.nanoTime();
    private volatile long lastUsedNanos = createdAtNanos;
    private volatile boolean timedOut;
    private volatile boolean replaced;
    /** The header of the last successful Resp: Init's and Fork's carry facts (init_ms, pid). */
    private volatile JsonNode lastReply;
    private volatile long startNanos;
    private int invocations;

    /**
     * @param afterStop what else the instance owns on disk, removed when it stops (a stem
     *                  cell's code directory)
     */
    Instance(String id, Function function, SandboxedWorker worker, Path strayOutputFile, ScheduledExecutorService timers,
             Runnable afterStop) {
        this.afterStop = afterStop;
        this.id = id;
        this.function = function;
        this.worker = worker;
        this.strayOutput = new StrayOutput(strayOutputFile);
        this.timers = timers;
        this.fromWorker = worker.fromWorker();
        this.toWorker = worker.toWorker();
    }

    public String id() {
        return id;
    }

    public Function function() {
        return function;
    }

    public InstanceState state() {
        return state.get();
    }

    /**
     * Sends Init and waits for the worker to load the function.
     *
     * @return null when the instance is ready, otherwise why it is not (the instance is then removed)
     */
    ExecResult initialize(Map<String, String> env, long timeoutMs) {
        return initialize(env, timeoutMs, false);
    }

    /**
     * Init for a template, which prepares to fork once the function is loaded. It keeps the
     * CPU share it loads with, because forking is all it will do, and forks are cold starts
     * somebody is waiting for.
     */
    ExecResult initializeTemplate(Map<String, String> env, long timeoutMs) {
        return initialize(env, timeoutMs, true);
    }

    private ExecResult initialize(Map<String, String> env, long timeoutMs, boolean template) {
        ObjectNode header = JSON.createObjectNode()
                .put("function_id", function.id())
                .put("function_name", function.name())
                .put("function_version", function.version())
                .put("handler", function.handler())
                .put("code_dir", worker.codeDir())
                .put("memory_limit_mb", function.memoryMb())
                .put("timeout_ms", function.timeoutSec() * 1000L);
        header.set("env", JSON.valueToTree(env));
        if (template) {
            header.put("template", true);
        }
        ExecResult result = exchange(new Frame(FrameType.INIT, bytes(header), new byte[0]), timeoutMs, false);
        if (result instanceof ExecResult.Completed) {
            if (!template) {
                worker.initialized();
            }
            state.set(InstanceState.IDLE);
            return null;
        }
        remove();
        return result;
    }

    /** A worker forked from a template has its function loaded already: it is ready as it is. */
    void adopted() {
        worker.initialized();
        state.set(InstanceState.IDLE);
    }

    /** The time the worker spent loading the function (Init's init_ms), 0 when unknown. */
    double initMillis() {
        JsonNode reply = lastReply;
        return reply == null ? 0 : reply.path("init_ms").asDouble(0);
    }

    /**
     * Asks this template's worker to fork a new instance; the child connects to the socket
     * named in {@code header}.
     *
     * @return the child's pid in the sandbox, or -1 when the template could not fork (it is
     *         then removed when it died doing so)
     */
    long fork(ObjectNode header, long timeoutMs) {
        ExecResult result = exchange(new Frame(FrameType.FORK, bytes(header), new byte[0]), timeoutMs, false);
        JsonNode reply = lastReply;
        return result instanceof ExecResult.Completed && reply != null ? reply.path("pid").asLong(-1) : -1;
    }

    /**
     * How long it took from asking for this instance to its being ready: the sandbox and Init,
     * or only Init with a stem cell, or the fork from a template. Lambda calls it Init Duration.
     */
    public long startNanos() {
        return startNanos;
    }

    void startedIn(long nanos) {
        startNanos = nanos;
    }

    /** Runs one invocation. The caller holds the instance (state BUSY). */
    ExecResult exec(String requestId, byte[] event, long timeoutMs) {
        invocations++;
        String header = "{\"request_id\":\"" + requestId + "\",\"timeout_ms\":" + timeoutMs + "}";
        ExecResult result = exchange(new Frame(FrameType.EXEC, header.getBytes(StandardCharsets.UTF_8), event), timeoutMs, true);
        lastUsedNanos = System.nanoTime();
        return result;
    }

    /** Asks an idle worker whether it still answers. */
    boolean ping(long timeoutMs) {
        ExecResult result = exchange(Frame.of(FrameType.PING), timeoutMs, false);
        return result instanceof ExecResult.Completed;
    }

    /**
     * Takes an idle instance for one invocation. False when another caller took it first, or
     * when the worker is dead or has written while nobody asked (a stray or second answer):
     * such an instance must never be handed a request, so it is removed here (the caller sees
     * state REMOVED and forgets it).
     */
    boolean tryAcquire() {
        if (!state.compareAndSet(InstanceState.IDLE, InstanceState.BUSY)) {
            return false;
        }
        if (worker.isAlive() && !spokeUnasked()) {
            return true;
        }
        remove();
        return false;
    }

    private boolean spokeUnasked() {
        try {
            return fromWorker.available() > 0;
        } catch (IOException e) {
            return true;
        }
    }

    boolean release() {
        return state.compareAndSet(InstanceState.BUSY, InstanceState.IDLE);
    }

    /** Removes an idle instance if nobody took it first; the reaper's way in. */
    boolean tryRemoveIdle() {
        if (state.compareAndSet(InstanceState.IDLE, InstanceState.REMOVED)) {
            stop();
            return true;
        }
        return false;
    }

    /** Removes the instance whatever its state. Idempotent. */
    void remove() {
        if (state.getAndSet(InstanceState.REMOVED) != InstanceState.REMOVED) {
            stop();
        }
    }

    /** A replacement is ready (or the pool has no room for one): this instance leaves at its next release. */
    void markReplaced() {
        replaced = true;
    }

    boolean replaced() {
        return replaced;
    }

    boolean isAlive() {
        return worker.isAlive();
    }

    int invocations() {
        return invocations;
    }

    long ageNanos(long now) {
        return now - createdAtNanos;
    }

    long idleNanos(long now) {
        return now - lastUsedNanos;
    }

    private void stop() {
        try {
            FrameCodec.write(toWorker, Frame.of(FrameType.STOP));
        } catch (IOException ignored) {
            // the worker is already gone; kill() below makes sure of it
        }
        worker.kill();
        strayOutput.delete();
        afterStop.run();
    }

    /**
     * Writes one frame and reads until its answer: Log frames are collected, a Resp (or the
     * Ping echo) ends the exchange. A kill by the timer, a dead worker and a broken frame all
     * end it too, as values. Only an Exec's answer carries a result to check.
     */
    private ExecResult exchange(Frame request, long timeoutMs, boolean expectsResult) {
        timedOut = false;
        lastReply = null;
        ScheduledFuture<?> killer = timers.schedule(this::killForTimeout, timeoutMs, TimeUnit.MILLISECONDS);
        try {
            FrameCodec.write(toWorker, request);
            while (true) {
                Frame frame = FrameCodec.read(fromWorker);
                switch (frame.type()) {
                    case LOG -> logs.append(frame.payload(), 0, frame.payload().length);
                    case RESP -> {
                        return response(frame, expectsResult);
                    }
                    case PING -> {
                        return new ExecResult.Completed(new byte[0], "");
                    }
                    default -> {
                        String logs = takeLogs();
                        remove();
                        return new ExecResult.WorkerDied("the worker sent an unexpected " + frame.type() + " frame", logs);
                    }
                }
            }
        } catch (IOException e) {
            // read before remove(): removing deletes the stray-output file, and with it what
            // the function's processes printed on the way down
            boolean outOfMemory = worker.oomKilled();
            String logs = takeLogs();
            remove();
            if (timedOut) {
                return new ExecResult.TimedOut(timeoutMs, logs);
            }
            if (outOfMemory) {
                return new ExecResult.OutOfMemory(function.memoryMb(), logs);
            }
            return new ExecResult.WorkerDied(diedMessage(e), logs);
        } finally {
            killer.cancel(false);
        }
    }

    private void killForTimeout() {
        timedOut = true;
        worker.kill();
    }

    private String diedMessage(IOException e) {
        if (e instanceof ProtocolException) {
            return "the worker broke the protocol: " + e.getMessage();
        }
        return "the worker exited during the invocation";
    }

    private ExecResult response(Frame frame, boolean expectsResult) throws IOException {
        JsonNode header = parseHeader(frame.header());
        if (header.get("ok").booleanValue()) {
            lastReply = header;
            if (expectsResult && frame.payload().length > Limits.MAX_PAYLOAD_BYTES) {
                return new ExecResult.ResponseTooLarge(frame.payload().length, takeLogs());
            }
            if (expectsResult && !JsonPayload.isSingleValue(frame.payload())) {
                return new ExecResult.HandlerFailed("InvalidOutput",
                        "the function's result is not valid UTF-8 JSON", null, takeLogs());
            }
            return new ExecResult.Completed(frame.payload(), takeLogs());
        }
        JsonNode error = header.path("error");
        if (error.path("type").asText().equals("ResponseTooLarge")) {
            return new ExecResult.ResponseTooLarge(-1, takeLogs());
        }
        if (error.path("type").asText().equals("OutOfMemory")) {
            // A runtime with a memory bound of its own (the JVM's heap) answers, then exits.
            String logs = takeLogs();
            remove();
            return new ExecResult.OutOfMemory(function.memoryMb(), logs);
        }
        return new ExecResult.HandlerFailed(
                error.path("type").asText("Error"),
                error.path("message").asText(""),
                error.hasNonNull("stack") ? error.path("stack").asText() : null,
                takeLogs());
    }

    /** A Resp header must be a JSON object with a boolean {@code ok}; anything else is a protocol violation. */
    private static JsonNode parseHeader(byte[] header) throws ProtocolException {
        JsonNode node;
        try {
            node = JSON.readTree(header);
        } catch (IOException e) {
            throw new ProtocolException("a Resp header is not JSON");
        }
        if (node == null || !node.isObject() || !node.path("ok").isBoolean()) {
            throw new ProtocolException("a Resp header is not a JSON object with a boolean ok");
        }
        return node;
    }

    /** The handler's logs followed by whatever its processes wrote to stdout and stderr. */
    private String takeLogs() {
        strayOutput.drainInto(logs);
        return logs.isEmpty() ? "" : logs.drain();
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }
}
