package io.nimbus.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * The workflow store contract on PostgreSQL at 127.0.0.1:5432, in a schema of its own that is
 * dropped afterwards. An unreachable server fails the tests, as in {@link PostgresStoreContractTest}.
 */
class PostgresWorkflowStoreContractTest extends WorkflowStoreContractTest {
    private static final String SERVER_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String USER = "postgres";
    private static final String SCHEMA = "nimbus_wf_test_" + UUID.randomUUID().toString().replace("-", "");

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
        return StoreConfig.postgres(SERVER_URL + "?currentSchema=" + SCHEMA, USER, null, 10);
    }

    /** The tests of this class share the schema; each starts from no data. */
    @BeforeEach
    void startFromAnEmptySchema() throws SQLException {
        try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM workflows");
        }
    }

    private static void administer(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(SERVER_URL, USER, null);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
