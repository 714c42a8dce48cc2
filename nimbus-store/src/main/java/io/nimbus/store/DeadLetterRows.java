package io.nimbus.store;

import io.nimbus.domain.InvocationError;
import io.nimbus.domain.async.DeadLetter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** How a {@link DeadLetter} maps to a row of dead_letters. */
final class DeadLetterRows {

    private DeadLetterRows() {
    }

    static void insert(Connection connection, DeadLetter letter) throws SQLException {
        String sql = "INSERT INTO dead_letters (id, function_id, invocation_id, input, reason, error_code, error_type, error_message,"
                + " attempts, created_at, redriven_at, redrive_invocation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, letter.id());
            statement.setString(2, letter.functionId());
            statement.setString(3, letter.invocationId());
            statement.setString(4, letter.input());
            statement.setString(5, letter.reason());
            statement.setString(6, letter.error() == null ? null : letter.error().code());
            statement.setString(7, letter.error() == null ? null : letter.error().type());
            statement.setString(8, letter.error() == null ? null : letter.error().message());
            statement.setInt(9, letter.attempts());
            EpochMillis.bind(statement, 10, letter.createdAt());
            statement.executeUpdate();
        }
    }

    static DeadLetter read(ResultSet row) throws SQLException {
        String code = row.getString("error_code");
        return new DeadLetter(row.getString("id"), row.getString("function_id"), row.getString("invocation_id"),
                row.getString("input"), row.getString("reason"),
                code == null ? null : new InvocationError(code, row.getString("error_type"), row.getString("error_message"), null),
                row.getInt("attempts"), EpochMillis.read(row, "created_at"), EpochMillis.read(row, "redriven_at"),
                row.getString("redrive_invocation_id"));
    }
}
