package io.nimbus.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.nimbus.domain.Function;
import io.nimbus.domain.InvocationStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store contract on PostgreSQL at 127.0.0.1:5432, database {@code test}, user
 * {@code postgres} with trust authentication. The class works in a schema of its own, dropped
 * afterwards, so runs never see each other. An unreachable server fails the tests: a skipped
 * production store would pass for a tested one.
 */
class PostgresStoreContractTest extends StoreContractTest {
    private static PostgresTestSchema schema;
    private static final List<String> TABLES = List.of("functions", "function_tags", "function_versions", "invocations",
            "async_queue", "function_aliases", "function_webhooks", "flyway_schema_history");

    @BeforeAll
    static void createSchema() throws SQLException {
        schema = PostgresTestSchema.create("nimbus_test_");
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        schema.drop();
    }

    @Override
    protected StoreConfig config() {
        return schema.config(10);
    }

    /** The tests of this class share the schema; each starts from no data. */
    @BeforeEach
    void startFromAnEmptySchema() throws SQLException {
        try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM functions");
        }
    }

    @Test
    void tablesAreCreatedInTheConfiguredSchema() throws SQLException {
        assertThat(tablesIn(database, schema.name())).containsAll(TABLES);
    }

    @Test
    void aSchemaTheUrlNamesIsCreatedWhenMissing() throws SQLException {
        String missing = schema.name() + "_new";
        try (Database fresh = new Database(new PostgresTestSchema(missing).config(2))) {
            assertThat(tablesIn(fresh, missing)).containsAll(TABLES);
        } finally {
            PostgresTestSchema.administer("DROP SCHEMA IF EXISTS " + missing + " CASCADE");
        }
    }

    @Test
    void savingWhileAFunctionIsBeingDeletedDropsItsRecords() throws Exception {
        Function doomed = created("doomed", T0);
        Function kept = created("kept", T0);
        try (Connection deleter = database.connection(); ExecutorService saver = Executors.newSingleThreadExecutor()) {
            deleter.setAutoCommit(false);
            deleteFunction(deleter, doomed.id());
            Future<?> saving = saver.submit(() -> invocations.saveAll(List.of(
                    finished("doomed-call", doomed, InvocationStatus.SUCCESS, T0),
                    finished("kept-call", kept, InvocationStatus.SUCCESS, T0))));
            awaitBlockedBy(deleter);
            deleter.commit();
            saving.get();
        }

        assertThat(invocations.findById("doomed-call")).isEmpty();
        assertThat(invocations.findById("kept-call")).isPresent();
    }

    private static void deleteFunction(Connection connection, String id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("DELETE FROM functions WHERE id = ?")) {
            statement.setString(1, id);
            statement.executeUpdate();
        }
    }

    /** Waits until another session waits for a lock {@code holder} has: the save has passed its existence check. */
    private void awaitBlockedBy(Connection holder) throws SQLException, InterruptedException {
        int holderPid;
        try (Statement statement = holder.createStatement();
             ResultSet row = statement.executeQuery("SELECT pg_backend_pid()")) {
            row.next();
            holderPid = row.getInt(1);
        }
        String sql = "SELECT count(*) FROM pg_stat_activity WHERE ? = ANY (pg_blocking_pids(pid))";
        try (Connection observer = database.connection(); PreparedStatement statement = observer.prepareStatement(sql)) {
            statement.setInt(1, holderPid);
            for (int polls = 0; polls < 1000; polls++) {
                try (ResultSet row = statement.executeQuery()) {
                    row.next();
                    if (row.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(10);
            }
        }
        throw new AssertionError("the save never waited for the deleting transaction");
    }

    private static List<String> tablesIn(Database database, String schema) throws SQLException {
        String sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = ?";
        List<String> tables = new ArrayList<>();
        try (Connection connection = database.connection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, schema);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
        }
        return tables;
    }

}
