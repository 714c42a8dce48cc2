package io.nimbus.store;

import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Recognises the constraint violations the stores turn into answers. PostgreSQL reports them
 * by SQLState; sqlite-jdbc sets no SQLState but carries SQLite's extended result code. Batches
 * wrap the failing statement's error, so the whole chain is searched.
 */
final class SqlErrors {
    private static final String PG_UNIQUE_VIOLATION = "23505";
    private static final String PG_FOREIGN_KEY_VIOLATION = "23503";

    private SqlErrors() {
    }

    /** A duplicate key; SQLite reports a primary key apart from other unique keys. */
    static boolean isUniqueViolation(Throwable error) {
        return search(error, PG_UNIQUE_VIOLATION, SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE)
                || search(error, PG_UNIQUE_VIOLATION, SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY);
    }

    static boolean isForeignKeyViolation(Throwable error) {
        return search(error, PG_FOREIGN_KEY_VIOLATION, SQLiteErrorCode.SQLITE_CONSTRAINT_FOREIGNKEY);
    }

    /**
     * A one-line reason for {@code error}: the first line of the innermost SQL error. Outer
     * errors of a batch quote the whole statement with its values, which may be megabytes of
     * invocation input, output and logs.
     */
    static String summary(SQLException error) {
        String message = error.getMessage();
        for (Throwable e = error; e != null; e = next(e)) {
            if (e instanceof SQLException sql && sql.getMessage() != null) {
                message = sql.getMessage();
            }
        }
        return message == null ? error.getClass().getSimpleName() : message.lines().findFirst().orElse("");
    }

    private static boolean search(Throwable error, String sqlState, SQLiteErrorCode sqliteCode) {
        for (Throwable e = error; e != null; e = next(e)) {
            if (e instanceof SQLiteException sqlite && sqlite.getResultCode() == sqliteCode) {
                return true;
            }
            if (e instanceof SQLException sql && sqlState.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static Throwable next(Throwable e) {
        if (e instanceof SQLException sql && sql.getNextException() != null) {
            return sql.getNextException();
        }
        return e.getCause();
    }
}
