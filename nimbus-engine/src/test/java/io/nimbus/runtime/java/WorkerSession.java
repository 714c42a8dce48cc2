package io.nimbus.runtime.java;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nimbus.protocol.Frame;
import io.nimbus.protocol.FrameCodec;
import io.nimbus.protocol.FrameType;
import io.nimbus.sandbox.SandboxedWorker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A started worker driven over the protocol, the way the host's Instance drives it. */
final class WorkerSession implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int TIMEOUT_MS = 5000;

    private final String instanceId;
    private final SandboxedWorker worker;
    private final Path strayOutput;
    private int requests;

    WorkerSession(String instanceId, SandboxedWorker worker, Path strayOutput) {
        this.instanceId = instanceId;
        this.worker = worker;
        this.strayOutput = strayOutput;
    }

    /** What came back for one Init or Exec: the Resp and the Log frames before it. */
    record Reply(JsonNode header, String payload, List<String> logs) {
        boolean ok() {
            return header.path("ok").asBoolean(false);
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

        JsonNode result() throws IOException {
            return JSON.readTree(payload);
        }

        @Override
        public String toString() {
            return header + " payload=" + payload + " logs=" + logs;
        }
    }

    Reply init(String handler, Map<String, String> env) throws IOException {
        ObjectNode header = JSON.createObjectNode().put("function_id", "fn-1").put("function_name", "hello")
                .put("function_version", 3).put("handler", handler).put("code_dir", worker.codeDir())
                .put("memory_limit_mb", 128).put("timeout_ms", TIMEOUT_MS);
        ObjectNode environment = header.putObject("env");
        env.forEach(environment::put);
        return call(new Frame(FrameType.INIT, JSON.writeValueAsBytes(header), new byte[0]));
    }

    Reply exec(String event) throws IOException {
        return call(new Frame(FrameType.EXEC, execHeader(), event.getBytes(StandardCharsets.UTF_8)));
    }

    byte[] execHeader() {
        return ("{\"request_id\":\"req-" + ++requests + "\",\"timeout_ms\":" + TIMEOUT_MS + "}").getBytes(StandardCharsets.UTF_8);
    }

    String lastRequestId() {
        return "req-" + requests;
    }

    Reply call(Frame request) throws IOException {
        send(request);
        List<String> logs = new ArrayList<>();
        while (true) {
            Frame frame = receive();
            switch (frame.type()) {
                case LOG -> logs.add(new String(frame.payload(), StandardCharsets.UTF_8));
                case RESP -> {
                    return new Reply(JSON.readTree(frame.header()), new String(frame.payload(), StandardCharsets.UTF_8), logs);
                }
                default -> throw new AssertionError("unexpected " + frame.type() + " frame while waiting for Resp");
            }
        }
    }

    Frame ping() throws IOException {
        send(Frame.of(FrameType.PING));
        return receive();
    }

    void send(Frame frame) throws IOException {
        FrameCodec.write(worker.toWorker(), frame);
    }

    void sendRaw(byte[] bytes) throws IOException {
        worker.toWorker().write(bytes);
        worker.toWorker().flush();
    }

    Frame receive() throws IOException {
        return FrameCodec.read(worker.fromWorker());
    }

    /** True when the channel ends before anything more arrives: the worker is gone. */
    boolean channelEnds() {
        try {
            return worker.fromWorker().read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    void closeChannel() throws IOException {
        worker.toWorker().close();
    }

    String instanceId() {
        return instanceId;
    }

    SandboxedWorker worker() {
        return worker;
    }

    String strayOutput() throws IOException {
        return Files.readString(strayOutput);
    }

    @Override
    public void close() {
        worker.kill();
    }
}
