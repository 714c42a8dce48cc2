package io.nimbus.store;

import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationError;
import io.nimbus.domain.InvocationStatus;
import io.nimbus.domain.TriggerType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** How an {@link Invocation} maps to a row of the invocations table, and how rows are written. */
final class InvocationRows {
    private static final List<String> COLUMN_NAMES = List.of("id", "function_id", "function_name", "function_version",
            "trigger_type", "status", "input", "output", "error_code", "error_type", "error_message", "error_stack",
            "logs", "cold_start", "instance_id", "duration_ms", "created_at", "started_at", "completed_at");
    static final String COLUMNS = String.join(", ", COLUMN_NAMES);
    private static final String PARAMETERS = COLUMN_NAMES.stream().map(column -> "?").collect(Collectors.joining(", "));

    static final String INSERT = "INSERT INTO invocations (" + COLUMNS + ") VALUES (" + PARAMETERS + ")";

    /**
     * Inserts or replaces by id, and inserts nothing when the function is gone (its last
     * parameter is the function id again), so that a batch never fails on a deleted function.
     */
    private static final String UPSERT = "INSERT INTO invocations (" + COLUMNS + ") SELECT " + PARAMETERS
            + " WHERE EXISTS (SELECT 1 FROM functions WHERE id = ?) ON CONFLICT (id) DO UPDATE SET "
            + COLUMN_NAMES.stream().skip(1).map(column -> column + " = excluded." + column)
                    .collect(Collectors.joining(", "));

    /** A function deleted between the upsert's existence check and its insert fails only that attempt. */
    private static final int SAVE_ATTEMPTS = 3;

    private InvocationRows() {
    }

    /** The column list with each column qualified by {@code alias}, for joins. */
    static String columns(String alias) {
        return COLUMN_NAMES.stream().map(column -> alias + "." + column).collect(Collectors.joining(", "));
    }

    /**
     * Runs {@code work}, which upserts invocations, in one transaction, again when it failed on a
     * foreign key. That happens on PostgreSQL when a function is deleted after the upsert saw it
     * and before the insert's key check; the next attempt no longer sees it and drops its rows.
     */
    static void saveDroppingDeletedFunctions(Database database, String action, Database.Work<?> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                database.inTransaction(action, work);
                return;
            } catch (StoreException e) {
                if (attempt == SAVE_ATTEMPTS || !SqlErrors.isForeignKeyViolation(e)) {
                    throw e;
                }
            }
        }
    }

    /** Upserts every record with one JDBC batch, skipping those of deleted functions. */
    static void upsert(Connection connection, List<Invocation> invocations) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            for (Invocation invocation : invocations) {
                int next = bind(statement, invocation);
                statement.setString(next, invocation.functionId());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    /** Binds every column in {@link #COLUMNS} order, and returns the next parameter's index. */
    static int bind(PreparedStatement statement, Invocation invocation) throws SQLException {
        InvocationError error = invocation.error();
        statement.setString(1, invocation.id());
        statement.setString(2, invocation.functionId());
        statement.setString(3, invocation.functionName());
        statement.setInt(4, invocation.functionVersion());
        statement.setString(5, invocation.triggerType().wireName());
        statement.setString(6, invocation.status().wireName());
        statement.setString(7, invocation.input());
        statement.setString(8, invocation.output());
        statement.setString(9, error == null ? null : error.code());
        statement.setString(10, error == null ? null : error.type());
        statement.setString(11, error == null ? null : error.message());
        statement.setString(12, error == null ? null : error.stackTrace());
        statement.setString(13, invocation.logs());
        statement.setBoolean(14, invocation.coldStart());
        statement.setString(15, invocation.instanceId());
        statement.setLong(16, invocation.durationMs());
        EpochMillis.bind(statement, 17, invocation.createdAt());
        EpochMillis.bind(statement, 18, invocation.startedAt());
        EpochMillis.bind(statement, 19, invocation.completedAt());
        return COLUMN_NAMES.size() + 1;
    }

    static List<Invocation> readAll(PreparedStatement statement) throws SQLException {
        List<Invocation> invocations = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                invocations.add(read(rows));
            }
        }
        return invocations;
    }

    private static Invocation read(ResultSet row) throws SQLException {
        return new Invocation(
                row.getString("id"),
                row.getString("function_id"),
                row.getString("function_name"),
                row.getInt("function_version"),
                TriggerType.fromWire(row.getString("trigger_type")),
                InvocationStatus.fromWire(row.getString("status")),
                row.getString("input"),
                row.getString("output"),
                readError(row),
                row.getString("logs"),
                row.getBoolean("cold_start"),
                row.getString("instance_id"),
                row.getLong("duration_ms"),
                EpochMillis.read(row, "created_at"),
                EpochMillis.read(row, "started_at"),
                EpochMillis.read(row, "completed_at"));
    }

    /** A record has an error exactly when it has an error code. */
    private static InvocationError readError(ResultSet row) throws SQLException {
        String code = row.getString("error_code");
        if (code == null) {
            return null;
        }
        return new InvocationError(code, row.getString("error_type"), row.getString("error_message"),
                row.getString("error_stack"));
    }
}
