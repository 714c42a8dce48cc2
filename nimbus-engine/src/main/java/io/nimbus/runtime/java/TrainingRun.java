package io.nimbus.runtime.java;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nimbus.protocol.Frame;
import io.nimbus.protocol.FrameCodec;
import io.nimbus.protocol.FrameType;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The training run behind the worker's AOT cache (JEP 483, 514, 515): a worker started with
 * {@code -XX:AOTCacheOutput} goes through what every instance does (Init of a compiled
 * handler, Execs that print, log, fail and succeed, Stop), and the JVM writes the classes it
 * loaded and linked, and the profiles it gathered, to the cache as it exits. (With
 * {@code -XX:ArchiveClassesAtExit} instead, the same run makes a plain AppCDS archive.)
 */
final class TrainingRun {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HANDLER = "Training";
    private static final String HANDLER_SOURCE = """
            import io.nimbus.sdk.Context;
            import io.nimbus.sdk.Handler;
            import java.util.List;
            import java.util.Map;

            public class Training implements Handler {
                private int calls;

                @Override
                public Object handleRequest(Object event, Context context) {
                    Map<?, ?> input = (Map<?, ?>) event;
                    if (Boolean.TRUE.equals(input.get("fail"))) {
                        throw new IllegalStateException("a failure, for training");
                    }
                    System.out.println("call " + ++calls + " of " + context.getFunctionName());
                    context.getLogger().info(context.getRequestId() + " has " + context.getRemainingTimeInMillis() + " ms");
                    return Map.of("echo", input, "values", List.of(1, 2.5, "three", true), "env", System.getenv().size());
                }
            }
            """;
    private static final int EXECS = 2_000;
    private static final long TIMEOUT_SECONDS = 300;
    private static final int COMPILER_MEMORY_MB = 512;

    private TrainingRun() {
    }

    /**
     * Runs {@code java options -jar workerJar} through a training session, in {@code workDir};
     * {@code output} is the file one of the options makes the JVM write as it exits.
     */
    static void run(Path java, List<String> options, Path workerJar, Path output, Path workDir)
            throws IOException, InterruptedException {
        Path codeDir = Files.createDirectories(workDir.resolve("function"));
        compileHandler(java, workerJar, workDir, codeDir);
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$0\" \"$@\" 3<&0 4>&1 </dev/null 1>&2",
                java.toString()));
        command.addAll(options);
        command.addAll(List.of("-jar", workerJar.toString()));
        Path strayOutput = workDir.resolve("training.out");
        Process worker = start(command, codeDir, strayOutput);
        try {
            session(worker.getOutputStream(), worker.getInputStream(), codeDir);
            int status = awaitExit(worker);
            if (status != 0 || !Files.isRegularFile(output)) {
                throw new IOException("the training run ended with status " + status + " and no " + output.getFileName()
                        + ": " + Files.readString(strayOutput).strip());
            }
        } finally {
            worker.destroyForcibly();
        }
    }

    private static void compileHandler(Path java, Path workerJar, Path workDir, Path codeDir)
            throws IOException, InterruptedException {
        Path sources = Files.createDirectories(workDir.resolve("src"));
        Files.writeString(sources.resolve(HANDLER + ".java"), HANDLER_SOURCE);
        Path output = workDir.resolve("compile.out");
        Process compiler = start(JavaCompilation.command(java, workerJar, List.of(workerJar), sources,
                codeDir.resolve("classes"), COMPILER_MEMORY_MB), workDir, output);
        compiler.getOutputStream().close();
        String diagnostics = new String(compiler.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (awaitExit(compiler) != 0) {
            throw new IOException("the training handler did not compile: " + diagnostics + Files.readString(output));
        }
    }

    private static void session(OutputStream toWorker, InputStream fromWorker, Path codeDir) throws IOException {
        ObjectNode init = JSON.createObjectNode().put("function_id", "training").put("function_name", "training")
                .put("function_version", 1).put("handler", HANDLER).put("code_dir", codeDir.toString())
                .put("memory_limit_mb", 256).put("timeout_ms", 60_000);
        init.putObject("env").put("NIMBUS_FUNCTION_NAME", "training");
        exchange(toWorker, fromWorker, Frame.of(FrameType.PING));
        requireOk(exchange(toWorker, fromWorker, new Frame(FrameType.INIT, JSON.writeValueAsBytes(init), new byte[0])));
        for (int i = 0; i < EXECS; i++) {
            String event = i % 100 == 99 ? "{\"fail\":true}" : "{\"n\":" + i + ",\"name\":\"grüße\",\"nested\":[1.5,null,{}]}";
            byte[] header = ("{\"request_id\":\"training-" + i + "\",\"timeout_ms\":60000}").getBytes(StandardCharsets.UTF_8);
            exchange(toWorker, fromWorker, new Frame(FrameType.EXEC, header, event.getBytes(StandardCharsets.UTF_8)));
        }
        FrameCodec.write(toWorker, Frame.of(FrameType.STOP));
    }

    /** Sends one frame and returns the answer, skipping Log frames. */
    private static Frame exchange(OutputStream toWorker, InputStream fromWorker, Frame request) throws IOException {
        FrameCodec.write(toWorker, request);
        Frame answer = FrameCodec.read(fromWorker);
        while (answer.type() == FrameType.LOG) {
            answer = FrameCodec.read(fromWorker);
        }
        return answer;
    }

    private static void requireOk(Frame resp) throws IOException {
        if (!JSON.readTree(resp.header()).path("ok").asBoolean()) {
            throw new IOException("the training handler failed to load: " + new String(resp.header(), StandardCharsets.UTF_8));
        }
    }

    private static Process start(List<String> command, Path directory, Path output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectError(ProcessBuilder.Redirect.to(output.toFile()));
        builder.environment().clear();
        builder.environment().putAll(java.util.Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8", "HOME", "/tmp"));
        return builder.start();
    }

    private static int awaitExit(Process process) throws IOException, InterruptedException {
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("gave up after " + TIMEOUT_SECONDS + " s: " + String.join(" ", process.info().commandLine().orElse("")));
        }
        return process.exitValue();
    }
}
