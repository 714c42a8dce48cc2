package io.nimbus.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
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
        int port = freePort();
        Process server = startServerProcess(dataDir, port);
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
