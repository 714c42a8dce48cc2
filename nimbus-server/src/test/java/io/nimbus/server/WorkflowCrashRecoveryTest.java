package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Workflow executions are durable: one interrupted by a SIGKILL resumes after the restart where it was. */
class WorkflowCrashRecoveryTest {

    @Test
    void anExecutionInterruptedBySigkillResumesAfterTheRestartRunningEachStepOnce(@TempDir Path dataDir)
            throws Exception {
        int port = freePort();
        Process server = startServerProcess(dataDir, port);
        String id;
        try {
            ApiClient api = new ApiClient(port);
            api.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(60));
            api.createFunction("crash-add", "python", "def handler(event, context):\n    return {'n': event['n'] + 1}\n");
            Reply created = api.post("/api/v1/workflows", """
                    {"name": "crash-survivor", "steps": [
                      {"type": "task", "function": "crash-add"},
                      {"type": "wait", "seconds": 4},
                      {"type": "task", "function": "crash-add"}
                    ]}""");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            id = api.post("/api/v1/workflows/crash-survivor/executions", "{\"n\": 1}").json()
                    .path("execution_id").asText();
            Reply waiting = api.await("/api/v1/executions/" + id,
                    r -> WorkflowTest.paths(r.json()).contains("steps[1]"), Duration.ofSeconds(30));
            assertThat(WorkflowTest.step(waiting.json(), "steps[1]").path("status").asText()).isEqualTo("waiting");
        } finally {
            server.destroyForcibly();
            server.waitFor();
        }

        try (RunningNimbus restarted = RunningNimbus.start(Map.of(Setting.DATA_DIR, dataDir.toString()))) {
            JsonNode execution = WorkflowTest.awaitEnd(restarted.client(), id);

            assertThat(execution.path("status").asText()).as(execution.toString()).isEqualTo("succeeded");
            assertThat(execution.path("output").path("n").asInt()).isEqualTo(3);
            assertThat(WorkflowTest.paths(execution)).containsExactly("steps[0]", "steps[1]", "steps[2]");
            assertThat(WorkflowTest.step(execution, "steps[0]").path("attempts").asInt()).isEqualTo(1);
            assertThat(WorkflowTest.step(execution, "steps[2]").path("attempts").asInt()).isEqualTo(1);
            assertThat(WorkflowTest.step(execution, "steps[1]").path("status").asText()).isEqualTo("succeeded");
        }
    }

    /** The server as its own JVM, so that it can be killed with SIGKILL. */
    private static Process startServerProcess(Path dataDir, int port) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "io.nimbus.server.Main", "up",
                "--port", Integer.toString(port), "--data-dir", dataDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolveSibling(dataDir.getFileName() + "-server.log").toFile())
                .start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
