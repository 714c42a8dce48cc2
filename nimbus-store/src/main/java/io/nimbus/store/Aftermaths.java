package io.nimbus.store;

import io.nimbus.domain.Invocation;
import io.nimbus.domain.async.Aftermath;
import io.nimbus.domain.async.DeadLetter;
import io.nimbus.domain.events.Publication;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Writes what a finished invocation leaves behind. A destination function deleted in the
 * meantime gets nothing, rather than failing the transaction: the finished invocation would
 * otherwise stay queued and run again for ever.
 */
final class Aftermaths {

    private Aftermaths() {
    }

    static void write(Connection connection, Aftermath aftermath) throws SQLException {
        for (Invocation followUp : aftermath.followUps()) {
            enqueueIfFunctionExists(connection, followUp);
        }
        for (Publication publication : aftermath.publications()) {
            EventRows.insert(connection, publication);
        }
        if (aftermath.deadLetter() != null) {
            DeadLetterRows.insert(connection, aftermath.deadLetter());
        }
    }

    static void enqueueIfFunctionExists(Connection connection, Invocation pending) throws SQLException {
        if (functionExists(connection, pending.functionId())) {
            JdbcAsyncQueue.insertInvocation(connection, pending);
            JdbcAsyncQueue.insertEntry(connection, pending);
        }
    }

    private static boolean functionExists(Connection connection, String functionId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT 1 FROM functions WHERE id = ?")) {
            statement.setString(1, functionId);
            try (ResultSet row = statement.executeQuery()) {
                return row.next();
            }
        }
    }
}
