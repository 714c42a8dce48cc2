package io.nimbus.store;

import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationError;
import io.nimbus.domain.InvocationStatus;
import io.nimbus.domain.async.Attempt;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The failed attempts of retried invocations (invocation_attempts), and putting such an invocation back in the queue. */
final class AttemptRows {
    private static final String INSERT = "INSERT INTO invocation_attempts (invocation_id, attempt, status, error_code,"
            + " error_type, error_message, logs, duration_ms, started_at, completed_at)"
            + " SELECT ?, COALESCE(MAX(attempt), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? FROM invocation_attempts WHERE invocation_id = ?";

    private AttemptRows() {
    }

    static void insert(Connection connection, Invocation failed) throws SQLException {
        InvocationError error = failed.error();
        try (PreparedStatement statement = connection.prepareStatement(INSERT)) {
            statement.setString(1, failed.id());
            statement.setString(2, failed.status().wireName());
            statement.setString(3, error == null ? null : error.code());
            statement.setString(4, error == null ? null : error.type());
            statement.setString(5, error == null ? null : error.message());
            statement.setString(6, failed.logs());
            statement.setLong(7, failed.durationMs());
            EpochMillis.bind(statement, 8, failed.startedAt());
            EpochMillis.bind(statement, 9, failed.completedAt());
            statement.setString(10, failed.id());
            statement.executeUpdate();
        }
    }

    /** The invocation waits again, pending, and its entry is due at {@code notBefore}, unleased. */
    static void requeue(Connection connection, String invocationId, Instant notBefore) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "UPDATE invocations SET status = ?, started_at = NULL WHERE id = ?")) {
            statement.setString(1, InvocationStatus.PENDING.wireName());
            statement.setString(2, invocationId);
            statement.executeUpdate();
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "UPDATE async_queue SET available_at = ?, lease_until = NULL WHERE invocation_id = ?")) {
            EpochMillis.bind(statement, 1, notBefore);
            statement.setString(2, invocationId);
            statement.executeUpdate();
        }
    }

    static List<Attempt> list(Connection connection, String invocationId) throws SQLException {
        List<Attempt> attempts = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT * FROM invocation_attempts WHERE invocation_id = ? ORDER BY attempt")) {
            statement.setString(1, invocationId);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    String code = row.getString("error_code");
                    InvocationError error = code == null ? null
                            : new InvocationError(code, row.getString("error_type"), row.getString("error_message"), null);
                    attempts.add(new Attempt(row.getInt("attempt"), InvocationStatus.fromWire(row.getString("status")),
                            error, row.getString("logs"), row.getLong("duration_ms"),
                            EpochMillis.read(row, "started_at"), EpochMillis.read(row, "completed_at")));
                }
            }
        }
        return attempts;
    }
}
