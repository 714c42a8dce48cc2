package io.nimbus.store;

import io.nimbus.domain.Invocation;
import io.nimbus.domain.async.DeadLetter;
import io.nimbus.domain.async.DeadLetterStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The dead-letter queues, in the dead_letters table. */
public final class JdbcDeadLetterStore implements DeadLetterStore {
    private final Database database;

    public JdbcDeadLetterStore(Database database) {
        this.database = database;
    }

    @Override
    public List<DeadLetter> list(String functionId, int limit, int offset) {
        String sql = "SELECT * FROM dead_letters WHERE function_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?";
        return database.withConnection("list dead letters", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, functionId);
                statement.setInt(2, limit);
                statement.setInt(3, offset);
                List<DeadLetter> letters = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        letters.add(DeadLetterRows.read(rows));
                    }
                }
                return letters;
            }
        });
    }

    @Override
    public Optional<DeadLetter> find(String functionId, String id) {
        return database.withConnection("read dead letter " + id, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT * FROM dead_letters WHERE function_id = ? AND id = ?")) {
                statement.setString(1, functionId);
                statement.setString(2, id);
                try (ResultSet row = statement.executeQuery()) {
                    return row.next() ? Optional.of(DeadLetterRows.read(row)) : Optional.empty();
                }
            }
        });
    }

    /** The compare-and-set on redriven_at makes two concurrent redrives queue one invocation. */
    @Override
    public boolean redrive(DeadLetter deadLetter, Invocation pending) {
        return database.inTransaction("redrive dead letter " + deadLetter.id(), connection -> {
            try (PreparedStatement statement = connection.prepareStatement("UPDATE dead_letters"
                    + " SET redriven_at = ?, redrive_invocation_id = ? WHERE id = ? AND redriven_at IS NULL")) {
                EpochMillis.bind(statement, 1, pending.createdAt());
                statement.setString(2, pending.id());
                statement.setString(3, deadLetter.id());
                if (statement.executeUpdate() == 0) {
                    return false;
                }
            }
            JdbcAsyncQueue.insertInvocation(connection, pending);
            JdbcAsyncQueue.insertEntry(connection, pending);
            return true;
        });
    }
}
