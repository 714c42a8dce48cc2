package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A SIGKILL between the attempts of a retried async invocation loses neither the invocation nor its attempts. */
class RetryCrashRecoveryTest {

    @Test
    void aRetryPendingWhenTheServerIsKilledRunsAfterTheRestartAndEndsInTheDeadLetterQueue(@TempDir Path dataDir)
            throws Exception {
        int port = ServerProcess.freePort();
        // a backoff of seconds, so that the kill lands while the retry waits
        Process server = ServerProcess.start(dataDir, port, Map.of("NIMBUS_ASYNC_RETRY_BASE_MS", "5000"));
        String id;
        try {
            ApiClient api = new ApiClient(port);
            api.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(60));
            api.createFunction("always-fails", "python", "def handler(event):\n    raise RuntimeError('nope')\n");
            id = api.post("/api/v1/functions/always-fails/async", "{\"order\": 1}").json().path("invocation_id").asText();
            Reply waiting = api.await("/api/v1/invocations/" + id,
                    r -> r.json().path("previous_attempts").size() == 1, Duration.ofSeconds(60));
            assertThat(waiting.json().path("status").asText()).as(waiting.toString()).isEqualTo("pending");
        } finally {
            server.destroyForcibly();
            server.waitFor();
        }

        try (RunningNimbus restarted = RunningNimbus.start(Map.of(Setting.DATA_DIR, dataDir.toString(),
                Setting.ASYNC_RETRY_BASE_MS, "100"))) {
            ApiClient api = restarted.client();
            JsonNode failed = ReliableAsyncTest.awaitStatus(api, id, "failed");
            assertThat(failed.path("attempts").asInt()).isEqualTo(3);
            assertThat(failed.path("previous_attempts")).hasSize(2);
            JsonNode letter = ReliableAsyncTest.awaitDeadLetters(api, "always-fails", 1).get(0);
            assertThat(letter.path("invocation_id").asText()).isEqualTo(id);
            assertThat(letter.path("attempts").asInt()).isEqualTo(3);
            assertThat(letter.path("input").path("order").asInt()).isEqualTo(1);
        }
    }
}
