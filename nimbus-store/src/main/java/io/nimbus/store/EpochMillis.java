package io.nimbus.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/**
 * Instants as BIGINT milliseconds since the epoch, the one time type SQLite and PostgreSQL
 * share. What is stored is therefore precise to the millisecond: an instant read back is the
 * one written, truncated to milliseconds.
 */
final class EpochMillis {

    private EpochMillis() {
    }

    /** Binds {@code instant}, or SQL NULL when it is null. */
    static void bind(PreparedStatement statement, int index, Instant instant) throws SQLException {
        if (instant == null) {
            statement.setNull(index, Types.BIGINT);
        } else {
            statement.setLong(index, instant.toEpochMilli());
        }
    }

    /** The instant in {@code column}, or null when it is SQL NULL. */
    static Instant read(ResultSet row, String column) throws SQLException {
        long millis = row.getLong(column);
        return row.wasNull() ? null : Instant.ofEpochMilli(millis);
    }
}
