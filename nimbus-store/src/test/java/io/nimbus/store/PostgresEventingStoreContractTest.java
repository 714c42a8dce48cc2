package io.nimbus.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The eventing store contract on PostgreSQL at 127.0.0.1:5432, in a schema of its own, dropped afterwards. */
class PostgresEventingStoreContractTest extends EventingStoreContractTest {
    private static final String SERVER_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String SCHEMA = "nimbus_events_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    @BeforeAll
    static void createSchema() throws SQLException {
        administer("CREATE SCHEMA " + SCHEMA);
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        administer("DROP SCHEMA " + SCHEMA + " CASCADE");
    }

    @Override
    protected StoreConfig config() {
        return StoreConfig.postgres(SERVER_URL + "?currentSchema=" + SCHEMA, "postgres", null, 10);
    }

    /** The tests share the schema; each starts from no data (events have no function to cascade from). */
    @BeforeEach
    void startFromAnEmptySchema() throws SQLException {
        try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM functions");
            statement.executeUpdate("DELETE FROM events");
        }
    }

    private static void administer(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(SERVER_URL, "postgres", null);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
