package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Workflow executions are durable: interrupted by a SIGKILL, they resume after the restart where
 * they were. A wait keeps its due time; a task that was running runs again.
 */
class WorkflowCrashRecoveryTest {

    @Test
    void executionsInterruptedBySigkillResumeAfterTheRestartWhereTheyWere(@TempDir Path dataDir) throws Exception {
        int port = ServerProcess.freePort();
        Process server = ServerProcess.start(dataDir, port, Map.of());
        String waitingId;
        String interruptedId;
        try {
            ApiClient api = new ApiClient(port);
            api.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(60));
            api.createFunction("crash-add", "python", "def handler(event, context):\n    return {'n': event['n'] + 1}\n");
            api.createFunction("crash-slow", "python",
                    "import time\ndef handler(event, context):\n    time.sleep(3)\n    return {'n': event['n'] * 10}\n");
            define(api, """
                    {"name": "crash-waiting", "steps": [
                      {"type": "task", "function": "crash-add"},
                      {"type": "wait", "seconds": 4},
                      {"type": "task", "function": "crash-add"}
                    ]}""");
            define(api, """
                    {"name": "crash-interrupted", "steps": [{"type": "task", "function": "crash-slow"}]}""");

            waitingId = start(api, "crash-waiting", "{\"n\": 1}");
            Reply waiting = api.await("/api/v1/executions/" + waitingId,
                    r -> WorkflowTest.paths(r.json()).contains("steps[1]"), Duration.ofSeconds(30));
            interruptedId = start(api, "crash-interrupted", "{\"n\": 4}");
            Reply running = api.await("/api/v1/executions/" + interruptedId,
                    r -> WorkflowTest.paths(r.json()).contains("steps[0]"), Duration.ofSeconds(30));

            assertThat(WorkflowTest.step(waiting.json(), "steps[1]").path("status").asText()).isEqualTo("waiting");
            assertThat(WorkflowTest.step(running.json(), "steps[0]").path("status").asText()).isEqualTo("running");
        } finally {
            server.destroyForcibly();
            server.waitFor();
        }

        try (RunningNimbus restarted = RunningNimbus.start(Map.of(Setting.DATA_DIR, dataDir.toString()))) {
            JsonNode resumed = WorkflowTest.awaitEnd(restarted.client(), waitingId);
            JsonNode rerun = WorkflowTest.awaitEnd(restarted.client(), interruptedId);

            assertThat(resumed.path("status").asText()).as(resumed.toString()).isEqualTo("succeeded");
            assertThat(resumed.path("output").path("n").asInt()).isEqualTo(3);
            assertThat(WorkflowTest.paths(resumed)).containsExactly("steps[0]", "steps[1]", "steps[2]");
            assertThat(WorkflowTest.step(resumed, "steps[0]").path("attempts").asInt()).isEqualTo(1);
            assertThat(WorkflowTest.step(resumed, "steps[1]").path("status").asText()).isEqualTo("succeeded");
            assertThat(WorkflowTest.step(resumed, "steps[2]").path("attempts").asInt()).isEqualTo(1);
            // the task in flight at the kill ran again: at least once
            assertThat(rerun.path("status").asText()).as(rerun.toString()).isEqualTo("succeeded");
            assertThat(rerun.path("output").path("n").asInt()).isEqualTo(40);
            assertThat(WorkflowTest.step(rerun, "steps[0]").path("attempts").asInt()).isEqualTo(2);
        }
    }

    private static void define(ApiClient api, String definition) {
        Reply created = api.post("/api/v1/workflows", definition);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }

    private static String start(ApiClient api, String workflow, String input) {
        return api.post("/api/v1/workflows/" + workflow + "/executions", input).json().path("execution_id").asText();
    }
}
