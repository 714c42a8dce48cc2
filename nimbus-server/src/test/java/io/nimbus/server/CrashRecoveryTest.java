package io.nimbus.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Nothing accepted is lost: async invocations survive a SIGKILL of the server. */
class CrashRecoveryTest {

    @Test
    void asyncInvocationsAcceptedBeforeASigkillRunAfterTheRestart(@TempDir Path dataDir) throws Exception {
        int port = ServerProcess.freePort();
        Process server = ServerProcess.start(dataDir, port, Map.of());
        List<String> accepted = new ArrayList<>();
        try {
            ApiClient api = new ApiClient(port);
            api.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(60));
            api.createFunction("survivor", "python",
                    "import time\ndef handler(event):\n    time.sleep(0.3)\n    return event['i'] + 1\n",
                    Map.of("max_instances", 1));
            for (int i = 0; i < 8; i++) {
                Reply reply = api.post("/api/v1/functions/survivor/async", "{\"i\": " + i + "}");
                assertThat(reply.status()).isEqualTo(202);
                accepted.add(reply.json().path("invocation_id").asText());
            }
        } finally {
            server.destroyForcibly();
            server.waitFor();
        }

        try (RunningNimbus restarted = RunningNimbus.start(Map.of(Setting.DATA_DIR, dataDir.toString()))) {
            ApiClient api = restarted.client();
            for (int i = 0; i < accepted.size(); i++) {
                Reply record = api.await("/api/v1/invocations/" + accepted.get(i),
                        r -> r.status() == 200 && r.json().path("status").asText().equals("success"), Duration.ofSeconds(60));
                assertThat(record.json().path("status").asText()).as(record.toString()).isEqualTo("success");
                assertThat(record.json().path("output").asInt()).isEqualTo(i + 1);
            }
        }
    }
}
