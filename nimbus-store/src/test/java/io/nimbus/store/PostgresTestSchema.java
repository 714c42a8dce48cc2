package io.nimbus.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A schema of its own on the PostgreSQL at 127.0.0.1:5432 (database {@code test}, user
 * {@code postgres}, trust authentication), for one test class: created before its tests and
 * dropped after, so that runs never see each other. An unreachable server fails the tests: a
 * skipped production store would pass for a tested one.
 */
record PostgresTestSchema(String name) {
    static final String SERVER_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String USER = "postgres";

    /** Creates a schema named {@code prefix} and a random suffix. */
    static PostgresTestSchema create(String prefix) throws SQLException {
        PostgresTestSchema schema = new PostgresTestSchema(prefix + UUID.randomUUID().toString().replace("-", ""));
        administer("CREATE SCHEMA " + schema.name());
        return schema;
    }

    StoreConfig config(int poolSize) {
        return StoreConfig.postgres(SERVER_URL + "?currentSchema=" + name, USER, null, poolSize);
    }

    void drop() throws SQLException {
        administer("DROP SCHEMA " + name + " CASCADE");
    }

    /** Runs one statement as the administrator, outside any schema of a test. */
    static void administer(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(SERVER_URL, USER, null);
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
