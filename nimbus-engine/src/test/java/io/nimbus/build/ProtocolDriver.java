package io.nimbus.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nimbus.protocol.Frame;
import io.nimbus.protocol.FrameCodec;
import io.nimbus.protocol.FrameType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A compiled worker started the way the host starts one (fd 3 and 4 carry frames, fd 1 and 2
 * the stray output, a cleared environment), with helpers to talk to it.
 */
final class ProtocolDriver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LAUNCH = "exec \"$0\" \"$@\" 3<&0 4>&1 </dev/null 1>&2";

    private final Process process;
    private int requests;

    private ProtocolDriver(Process process) {
        this.process = process;
    }

    static ProtocolDriver start(Path binary, Path workDir, Path strayOutput) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", LAUNCH, binary.toString()).directory(workDir.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(strayOutput.toFile()));
        builder.environment().clear();
        builder.environment().putAll(java.util.Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8", "HOME", "/tmp"));
        return new ProtocolDriver(builder.start());
    }

    /** What came back for one Init or Exec: the Resp, and the Log frames before it. */
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
    }

    Reply init(String handler, String codeDir) throws IOException {
        String header = JSON.createObjectNode().put("function_id", "fn-1").put("function_name", "hello")
                .put("function_version", 3).put("handler", handler).put("code_dir", codeDir)
                .put("memory_limit_mb", 128).put("timeout_ms", 5000)
                .set("env", JSON.createObjectNode().put("GREETING", "grüezi")).toString();
        return call(new Frame(FrameType.INIT, header.getBytes(StandardCharsets.UTF_8), new byte[0]));
    }

    Reply exec(String event) throws IOException {
        String header = "{\"request_id\":\"req-" + (++requests) + "\",\"timeout_ms\":5000}";
        return call(new Frame(FrameType.EXEC, header.getBytes(StandardCharsets.UTF_8), event.getBytes(StandardCharsets.UTF_8)));
    }

    FrameType ping() throws IOException {
        FrameCodec.write(process.getOutputStream(), Frame.of(FrameType.PING));
        return FrameCodec.read(process.getInputStream()).type();
    }

    int stop() throws IOException, InterruptedException {
        FrameCodec.write(process.getOutputStream(), Frame.of(FrameType.STOP));
        return process.waitFor();
    }

    int closeChannelAndWait() throws IOException, InterruptedException {
        process.getOutputStream().close();
        return process.waitFor();
    }

    private Reply call(Frame request) throws IOException {
        FrameCodec.write(process.getOutputStream(), request);
        List<String> logs = new ArrayList<>();
        while (true) {
            Frame frame = FrameCodec.read(process.getInputStream());
            switch (frame.type()) {
                case LOG -> logs.add(new String(frame.payload(), StandardCharsets.UTF_8));
                case RESP -> {
                    return new Reply(JSON.readTree(frame.header()), new String(frame.payload(), StandardCharsets.UTF_8), logs);
                }
                default -> throw new AssertionError("unexpected " + frame.type() + " frame while waiting for Resp");
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
