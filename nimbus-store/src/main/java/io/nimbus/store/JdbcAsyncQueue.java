package io.nimbus.store;

import io.nimbus.domain.AsyncQueue;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.InvocationStatus;
import io.nimbus.domain.async.Aftermath;
import io.nimbus.domain.async.Attempt;
import io.nimbus.domain.async.IdempotencyKey;
import io.nimbus.domain.async.Submission;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The embedded durable queue: an async_queue row per queued invocation, whose record (with
 * its input) lives in invocations. A claim leases rows by setting lease_until; completing
 * deletes the row.
 *
 * <p>Two claimers never get the same entry. On SQLite every transaction holds the database's
 * write lock from its first statement, so claims run one after the other. On PostgreSQL the
 * due rows are locked with FOR UPDATE SKIP LOCKED: a concurrent claimer passes over them
 * instead of waiting, and re-checks a row another claimer has just leased.
 */
public final class JdbcAsyncQueue implements AsyncQueue {
    private static final String SELECT_DUE = "SELECT " + InvocationRows.columns("i")
            + " FROM async_queue q JOIN invocations i ON i.id = q.invocation_id"
            + " WHERE q.available_at <= ? AND (q.lease_until IS NULL OR q.lease_until < ?)"
            + " ORDER BY q.created_at, q.invocation_id LIMIT ?";
    private static final String SKIP_LOCKED = " FOR UPDATE OF q SKIP LOCKED";

    private final Database database;
    private final String selectDue;

    public JdbcAsyncQueue(Database database) {
        this.database = database;
        this.selectDue = database.kind() == StoreConfig.Kind.POSTGRES ? SELECT_DUE + SKIP_LOCKED : SELECT_DUE;
    }

    /**
     * {@inheritDoc}
     *
     * @throws DomainException of kind NOT_FOUND when the function is gone
     */
    @Override
    public void enqueue(Invocation pending) {
        database.inTransaction("enqueue invocation " + pending.id(), connection -> {
            insertInvocation(connection, pending);
            insertEntry(connection, pending);
            return null;
        });
    }

    @Override
    public Submission enqueue(Invocation pending, IdempotencyKey key) {
        return IdempotencyRows.enqueueOnce(database, pending, key);
    }

    @Override
    public List<Invocation> claim(int max, Duration lease, Instant now) {
        if (max <= 0) {
            return List.of();
        }
        // Stored times are milliseconds; return the records as a later read would give them.
        Instant startedAt = now.truncatedTo(ChronoUnit.MILLIS);
        return database.inTransaction("claim queued invocations", connection -> {
            List<Invocation> claimed = selectDue(connection, max, startedAt);
            lease(connection, claimed, startedAt.plus(lease));
            markRunning(connection, claimed, startedAt);
            return claimed.stream().map(invocation -> invocation.running(startedAt)).toList();
        });
    }

    @Override
    public void complete(Invocation finalRecord) {
        InvocationRows.saveDroppingDeletedFunctions(database, "complete invocation " + finalRecord.id(), connection -> {
            InvocationRows.upsert(connection, List.of(finalRecord));
            return deleteEntry(connection, finalRecord.id());
        });
    }

    private static int deleteEntry(Connection connection, String invocationId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("DELETE FROM async_queue WHERE invocation_id = ?")) {
            statement.setString(1, invocationId);
            return statement.executeUpdate();
        }
    }

    @Override
    public void finish(Invocation finalRecord, Aftermath aftermath) {
        InvocationRows.saveDroppingDeletedFunctions(database, "finish invocation " + finalRecord.id(), connection -> {
            InvocationRows.upsert(connection, List.of(finalRecord));
            deleteEntry(connection, finalRecord.id());
            Aftermaths.write(connection, aftermath);
            return null;
        });
    }

    @Override
    public void retry(Invocation failedAttempt, Instant notBefore) {
        InvocationRows.saveDroppingDeletedFunctions(database, "retry invocation " + failedAttempt.id(), connection -> {
            AttemptRows.insert(connection, failedAttempt);
            AttemptRows.requeue(connection, failedAttempt.id(), notBefore);
            return null;
        });
    }

    @Override
    public List<Attempt> attempts(String invocationId) {
        return database.withConnection("read attempts of " + invocationId,
                connection -> AttemptRows.list(connection, invocationId));
    }

    /** Leased entries go back to pending too: their invocations are not running any more. */
    @Override
    public int releaseAllLeases() {
        return database.inTransaction("release queue leases", connection -> {
            try (Statement statement = connection.createStatement()) {
                statement.executeUpdate("UPDATE invocations SET status = '" + InvocationStatus.PENDING.wireName() + "',"
                        + " started_at = NULL"
                        + " WHERE id IN (SELECT invocation_id FROM async_queue WHERE lease_until IS NOT NULL)");
                return statement.executeUpdate("UPDATE async_queue SET lease_until = NULL WHERE lease_until IS NOT NULL");
            }
        });
    }

    @Override
    public long depth() {
        return database.withConnection("count queued invocations", connection -> {
            try (Statement statement = connection.createStatement();
                 ResultSet row = statement.executeQuery("SELECT COUNT(*) FROM async_queue")) {
                row.next();
                return row.getLong(1);
            }
        });
    }

    static void insertInvocation(Connection connection, Invocation pending) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(InvocationRows.INSERT)) {
            InvocationRows.bind(statement, pending);
            statement.executeUpdate();
        } catch (SQLException e) {
            if (SqlErrors.isForeignKeyViolation(e)) {
                throw DomainException.notFound("function", pending.functionName());
            }
            throw e;
        }
    }

    /** Queues an invocation whose record is written, due at once. */
    static void insertEntry(Connection connection, Invocation pending) throws SQLException {
        String sql = "INSERT INTO async_queue (invocation_id, available_at, lease_until, attempts, created_at)"
                + " VALUES (?, ?, NULL, 0, ?)";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, pending.id());
            EpochMillis.bind(statement, 2, pending.createdAt());
            EpochMillis.bind(statement, 3, pending.createdAt());
            statement.executeUpdate();
        }
    }

    private List<Invocation> selectDue(Connection connection, int max, Instant now) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(selectDue)) {
            EpochMillis.bind(statement, 1, now);
            EpochMillis.bind(statement, 2, now);
            statement.setInt(3, max);
            return InvocationRows.readAll(statement);
        }
    }

    private static void lease(Connection connection, List<Invocation> claimed, Instant until) throws SQLException {
        String sql = "UPDATE async_queue SET lease_until = ?, attempts = attempts + 1 WHERE invocation_id = ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (Invocation invocation : claimed) {
                EpochMillis.bind(statement, 1, until);
                statement.setString(2, invocation.id());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }

    private static void markRunning(Connection connection, List<Invocation> claimed, Instant startedAt)
            throws SQLException {
        String sql = "UPDATE invocations SET status = ?, started_at = ? WHERE id = ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (Invocation invocation : claimed) {
                statement.setString(1, InvocationStatus.RUNNING.wireName());
                EpochMillis.bind(statement, 2, startedAt);
                statement.setString(3, invocation.id());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }
}
