package io.nimbus.store;

import io.nimbus.domain.Invocation;
import io.nimbus.domain.async.IdempotencyKey;
import io.nimbus.domain.async.Submission;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Enqueueing under an idempotency key. The key row and the queue entry are written in one
 * transaction. Two submissions racing with a new key both find no row; on PostgreSQL the
 * second insert then fails on the primary key, and one more try finds the first one's row
 * (SQLite runs the two transactions one after the other).
 */
final class IdempotencyRows {
    private static final int ATTEMPTS = 2;

    private IdempotencyRows() {
    }

    static Submission enqueueOnce(Database database, Invocation pending, IdempotencyKey key) {
        for (int attempt = 1; ; attempt++) {
            try {
                return database.inTransaction("enqueue invocation " + pending.id(), connection -> {
                    Submission earlier = earlier(connection, pending, key);
                    if (earlier != null) {
                        return earlier;
                    }
                    JdbcAsyncQueue.insertInvocation(connection, pending);
                    JdbcAsyncQueue.insertEntry(connection, pending);
                    remember(connection, pending, key);
                    return new Submission.Accepted(pending);
                });
            } catch (StoreException e) {
                if (attempt == ATTEMPTS || !SqlErrors.isUniqueViolation(e)) {
                    throw e;
                }
            }
        }
    }

    /** The submission the key already stands for, or null when it is new or expired. */
    private static Submission earlier(Connection connection, Invocation pending, IdempotencyKey key) throws SQLException {
        String sql = "SELECT request_hash, invocation_id FROM idempotency_keys"
                + " WHERE function_id = ? AND idempotency_key = ? AND expires_at > ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, pending.functionId());
            statement.setString(2, key.key());
            EpochMillis.bind(statement, 3, pending.createdAt());
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                String invocationId = row.getString("invocation_id");
                return row.getString("request_hash").equals(key.requestHash())
                        ? new Submission.Replayed(invocationId) : new Submission.KeyReused(invocationId);
            }
        }
    }

    private static void remember(Connection connection, Invocation pending, IdempotencyKey key) throws SQLException {
        // Only an expired row: a live one that another submission committed since earlier()
        // looked must make this insert fail, and the retry replay it, not be replaced.
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM idempotency_keys WHERE function_id = ? AND idempotency_key = ? AND expires_at <= ?")) {
            delete.setString(1, pending.functionId());
            delete.setString(2, key.key());
            EpochMillis.bind(delete, 3, pending.createdAt());
            delete.executeUpdate();
        }
        String sql = "INSERT INTO idempotency_keys (function_id, idempotency_key, request_hash, invocation_id, expires_at)"
                + " VALUES (?, ?, ?, ?, ?)";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, pending.functionId());
            statement.setString(2, key.key());
            statement.setString(3, key.requestHash());
            statement.setString(4, pending.id());
            EpochMillis.bind(statement, 5, key.expiresAt());
            statement.executeUpdate();
        }
    }
}
