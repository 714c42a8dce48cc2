package io.nimbus.store;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.async.AsyncConfig;
import io.nimbus.domain.async.AsyncConfigStore;
import io.nimbus.domain.async.Destination;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * The async settings of functions, in async_configs. A destination is kept as
 * {@code function:<id>} or {@code topic:<topic>}; a function destination's name is read by a
 * join, so a deleted destination function reads as no destination.
 */
public final class JdbcAsyncConfigStore implements AsyncConfigStore {
    private static final String FUNCTION = "function:";
    private static final String TOPIC = "topic:";

    private final Database database;

    public JdbcAsyncConfigStore(Database database) {
        this.database = database;
    }

    @Override
    public Optional<AsyncConfig> find(String functionId) {
        String sql = "SELECT c.max_retries, c.max_event_age_sec, c.on_success, c.on_failure,"
                + " s.name AS success_name, f.name AS failure_name FROM async_configs c"
                + " LEFT JOIN functions s ON c.on_success = " + concat("s.id")
                + " LEFT JOIN functions f ON c.on_failure = " + concat("f.id")
                + " WHERE c.function_id = ?";
        return database.withConnection("read async config", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, functionId);
                try (ResultSet row = statement.executeQuery()) {
                    if (!row.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new AsyncConfig(row.getInt("max_retries"), row.getInt("max_event_age_sec"),
                            destination(row.getString("on_success"), row.getString("success_name")),
                            destination(row.getString("on_failure"), row.getString("failure_name"))));
                }
            }
        });
    }

    @Override
    public void save(String functionId, AsyncConfig config, Instant now) {
        database.inTransaction("save async config", connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM async_configs WHERE function_id = ?")) {
                delete.setString(1, functionId);
                delete.executeUpdate();
            }
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO async_configs"
                    + " (function_id, max_retries, max_event_age_sec, on_success, on_failure, updated_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?)")) {
                statement.setString(1, functionId);
                statement.setInt(2, config.maxRetries());
                statement.setInt(3, config.maxEventAgeSec());
                statement.setString(4, text(config.onSuccess()));
                statement.setString(5, text(config.onFailure()));
                EpochMillis.bind(statement, 6, now);
                statement.executeUpdate();
            } catch (SQLException e) {
                if (SqlErrors.isForeignKeyViolation(e)) {
                    throw DomainException.notFound("function", functionId);
                }
                throw e;
            }
            return null;
        });
    }

    @Override
    public boolean delete(String functionId) {
        return database.withConnection("delete async config", connection -> {
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM async_configs WHERE function_id = ?")) {
                statement.setString(1, functionId);
                return statement.executeUpdate() > 0;
            }
        });
    }

    private static String concat(String idColumn) {
        return "'" + FUNCTION + "' || " + idColumn;
    }

    private static String text(Destination destination) {
        return switch (destination) {
            case null -> null;
            case Destination.ToFunction function -> FUNCTION + function.functionId();
            case Destination.ToTopic topic -> TOPIC + topic.topic();
        };
    }

    private static Destination destination(String text, String functionName) {
        if (text == null) {
            return null;
        }
        if (text.startsWith(TOPIC)) {
            return new Destination.ToTopic(text.substring(TOPIC.length()));
        }
        return functionName == null ? null : new Destination.ToFunction(text.substring(FUNCTION.length()), functionName);
    }
}
