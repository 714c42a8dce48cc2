package io.nimbus.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** The eventing store contract on PostgreSQL at 127.0.0.1:5432, in a schema of its own, dropped afterwards. */
class PostgresEventingStoreContractTest extends EventingStoreContractTest {
    private static PostgresTestSchema schema;

    @BeforeAll
    static void createSchema() throws SQLException {
        schema = PostgresTestSchema.create("nimbus_events_");
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        schema.drop();
    }

    @Override
    protected StoreConfig config() {
        return schema.config(10);
    }

    /** The tests share the schema; each starts from no data (events have no function to cascade from). */
    @BeforeEach
    void startFromAnEmptySchema() throws SQLException {
        try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM functions");
            statement.executeUpdate("DELETE FROM events");
        }
    }

}
