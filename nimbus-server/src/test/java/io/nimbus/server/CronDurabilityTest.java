package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cron ticks across a SIGKILL and across two servers sharing one PostgreSQL store: no tick
 * fires twice, and the ticks missed while no server ran are caught up once.
 */
class CronDurabilityTest {
    private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";

    @Test
    void ticksMissedWhileTheServerWasKilledAreCaughtUpOnceAndNoTickFiresTwice(@TempDir Path dataDir) throws Exception {
        int port = ServerProcess.freePort();
        Map<String, String> environment = Map.of("NIMBUS_CRON_POLL_MS", "100", "NIMBUS_CRON_MISFIRE_GRACE_MS", "2000");
        Process server = ServerProcess.start(dataDir, port, environment);
        try {
            ApiClient api = new ApiClient(port);
            api.await("/health/ready", r -> r.status() == 200, Duration.ofSeconds(60));
            api.createFunction("heartbeat", "python", "def handler(event):\n    return event\n");
            api.put("/api/v1/functions/heartbeat/schedule", "{\"cron_expression\": \"@every 1s\"}");
            api.await("/api/v1/functions/heartbeat/invocations?status=success",
                    r -> r.json().path("invocations").size() >= 2, Duration.ofSeconds(30));
        } finally {
            server.destroyForcibly();
            server.waitFor();
        }
        Thread.sleep(6_000);

        try (RunningNimbus restarted = RunningNimbus.start(Map.of(Setting.DATA_DIR, dataDir.toString(),
                Setting.CRON_POLL_MS, "100", Setting.CRON_MISFIRE_GRACE_MS, "2000"))) {
            ApiClient api = restarted.client();
            Reply runs = api.await("/api/v1/functions/heartbeat/invocations?status=success&limit=100",
                    r -> catchUps(r.json()) == 1 && runsAfterTheCatchUp(r.json()) >= 2,
                    Duration.ofSeconds(30));
            assertThat(catchUps(runs.json())).as(runs.toString()).isEqualTo(1);
            assertThat(runsAfterTheCatchUp(runs.json())).isGreaterThanOrEqualTo(2);
            assertThat(scheduledTimes(runs.json())).doesNotHaveDuplicates();
        }
    }

    @Test
    void twoServersSharingOnePostgresStoreFireEachTickOnce() throws Exception {
        String schema = "nimbus_cron2_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        administer("CREATE SCHEMA " + schema);
        try {
            Map<Setting, String> shared = Map.of(Setting.STORE, "postgres",
                    Setting.DB_URL, POSTGRES + "?currentSchema=" + schema, Setting.DB_USER, "postgres",
                    Setting.CRON_POLL_MS, "50", Setting.FUNCTION_CACHE_TTL_MS, "50");
            try (RunningNimbus first = start(shared); RunningNimbus second = start(shared)) {
                first.client().createFunction("shared-tick", "python", "def handler(event):\n    return event\n");
                first.client().put("/api/v1/functions/shared-tick/schedule", "{\"cron_expression\": \"@every 1s\"}");

                Reply runs = second.client().await("/api/v1/functions/shared-tick/invocations?status=success&limit=100",
                        r -> r.json().path("invocations").size() >= 6, Duration.ofSeconds(60));

                assertThat(runs.json().path("invocations").size()).as(runs.toString()).isGreaterThanOrEqualTo(6);
                assertThat(scheduledTimes(runs.json())).doesNotHaveDuplicates();
            }
        } finally {
            administer("DROP SCHEMA " + schema + " CASCADE");
        }
    }

    private static RunningNimbus start(Map<Setting, String> shared) throws Exception {
        Map<Setting, String> settings = new java.util.EnumMap<>(shared);
        settings.put(Setting.DATA_DIR, Files.createTempDirectory("nimbus-cron-pg-").toString());
        return RunningNimbus.start(settings);
    }

    private static List<String> scheduledTimes(JsonNode page) {
        List<String> times = new ArrayList<>();
        page.path("invocations").forEach(run -> times.add(run.path("input").path("scheduled_time").asText()));
        return times;
    }

    private static long catchUps(JsonNode page) {
        List<JsonNode> runs = new ArrayList<>();
        page.path("invocations").forEach(runs::add);
        return runs.stream().filter(run -> run.path("input").path("catch_up").asBoolean()).count();
    }

    /** How many runs are newer than the catch-up (the list is newest first); -1 when there is none. */
    private static int runsAfterTheCatchUp(JsonNode page) {
        JsonNode runs = page.path("invocations");
        for (int i = 0; i < runs.size(); i++) {
            if (runs.get(i).path("input").path("catch_up").asBoolean()) {
                return i;
            }
        }
        return -1;
    }

    private static void administer(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(POSTGRES, "postgres", null);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
