package io.nimbus.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production store: the same server on PostgreSQL (127.0.0.1:5432, database test,
 * trust authentication), in a schema of its own that is dropped afterwards.
 */
class PostgresServerTest {
    private static final String SERVER_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String SCHEMA = "nimbus_server_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeAll
    static void createSchema() throws SQLException {
        execute("CREATE SCHEMA " + SCHEMA);
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        execute("DROP SCHEMA " + SCHEMA + " CASCADE");
    }

    @Test
    void functionsAndInvocationsLiveInPostgresAndSurviveARestart() throws Exception {
        Map<Setting, String> settings = Map.of(
                Setting.STORE, "postgres",
                Setting.DB_URL, SERVER_URL + "?currentSchema=" + SCHEMA,
                Setting.DB_USER, "postgres",
                Setting.DATA_DIR, Files.createTempDirectory("nimbus-pg-").toString());
        String syncId;
        String asyncId;
        try (RunningNimbus nimbus = RunningNimbus.start(settings)) {
            ApiClient api = nimbus.client();
            assertThat(api.get("/health").json().path("store").path("kind").asText()).isEqualTo("postgres");
            api.createFunction("pg-hello", "python", "def handler(event):\n    return {'hello': event['who']}\n");
            Reply sync = api.invoke("pg-hello", "{\"who\": \"postgres\"}");
            assertThat(sync.json().path("hello").asText()).isEqualTo("postgres");
            syncId = sync.header("X-Nimbus-Invocation-Id");
            asyncId = api.post("/api/v1/functions/pg-hello/async", "{\"who\": \"queue\"}").json().path("invocation_id").asText();
            Reply done = api.await("/api/v1/invocations/" + asyncId,
                    r -> r.json().path("status").asText().equals("success"), Duration.ofSeconds(30));
            assertThat(done.json().path("output").path("hello").asText()).isEqualTo("queue");
        }

        try (RunningNimbus restarted = RunningNimbus.start(settings)) {
            ApiClient api = restarted.client();
            assertThat(api.get("/api/v1/functions/pg-hello").status()).isEqualTo(200);
            assertThat(api.get("/api/v1/invocations/" + syncId).json().path("status").asText()).isEqualTo("success");
            assertThat(api.get("/api/v1/invocations/" + asyncId).json().path("trigger_type").asText()).isEqualTo("async");
            assertThat(api.get("/api/v1/functions/pg-hello/invocations").json().path("invocations").size()).isEqualTo(2);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(SERVER_URL, "postgres", null);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
