package io.nimbus.store;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.Invocation;
import io.nimbus.domain.cron.CronExpression;
import io.nimbus.domain.cron.Schedule;
import io.nimbus.domain.cron.ScheduleStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Cron schedules, in the schedules table. Firing is a compare-and-set on next_fire_at in the
 * transaction that queues the tick's invocation: of several schedulers that read the same
 * tick, the first to commit moves it, and the others update no row and queue nothing.
 */
public final class JdbcScheduleStore implements ScheduleStore {
    private static final String SELECT = "SELECT s.*, f.name AS function_name FROM schedules s"
            + " JOIN functions f ON f.id = s.function_id";

    private final Database database;

    public JdbcScheduleStore(Database database) {
        this.database = database;
    }

    @Override
    public void save(Schedule schedule) {
        database.inTransaction("save schedule", connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM schedules WHERE function_id = ?")) {
                delete.setString(1, schedule.functionId());
                delete.executeUpdate();
            }
            try (PreparedStatement statement = connection.prepareStatement("INSERT INTO schedules (function_id,"
                    + " cron_expression, timezone, catch_up, next_fire_at, created_at, updated_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                statement.setString(1, schedule.functionId());
                statement.setString(2, schedule.expression().text());
                statement.setString(3, schedule.zone().getId());
                statement.setBoolean(4, schedule.catchUp());
                EpochMillis.bind(statement, 5, schedule.nextFireAt());
                EpochMillis.bind(statement, 6, schedule.createdAt());
                EpochMillis.bind(statement, 7, schedule.createdAt());
                statement.executeUpdate();
            } catch (SQLException e) {
                if (SqlErrors.isForeignKeyViolation(e)) {
                    throw DomainException.notFound("function", schedule.functionName());
                }
                throw e;
            }
            return null;
        });
    }

    @Override
    public Optional<Schedule> find(String functionId) {
        return database.withConnection("read schedule", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(SELECT + " WHERE s.function_id = ?")) {
                statement.setString(1, functionId);
                return read(statement).stream().findFirst();
            }
        });
    }

    @Override
    public boolean delete(String functionId) {
        return database.withConnection("delete schedule", connection -> {
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM schedules WHERE function_id = ?")) {
                statement.setString(1, functionId);
                return statement.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<Schedule> due(Instant now, int max) {
        return database.withConnection("read due schedules", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    SELECT + " WHERE s.next_fire_at <= ? ORDER BY s.next_fire_at, s.function_id LIMIT ?")) {
                EpochMillis.bind(statement, 1, now);
                statement.setInt(2, max);
                return read(statement);
            }
        });
    }

    @Override
    public boolean advance(Schedule schedule, Instant next, Invocation fire) {
        return database.inTransaction("fire schedule of " + schedule.functionName(), connection -> {
            try (PreparedStatement statement = connection.prepareStatement("UPDATE schedules SET next_fire_at = ?"
                    + " WHERE function_id = ? AND next_fire_at = ? AND cron_expression = ?")) {
                EpochMillis.bind(statement, 1, next);
                statement.setString(2, schedule.functionId());
                EpochMillis.bind(statement, 3, schedule.nextFireAt());
                statement.setString(4, schedule.expression().text());
                if (statement.executeUpdate() == 0) {
                    return false;
                }
            }
            if (fire != null) {
                JdbcAsyncQueue.insertInvocation(connection, fire);
                JdbcAsyncQueue.insertEntry(connection, fire);
            }
            return true;
        });
    }

    private static List<Schedule> read(PreparedStatement statement) throws SQLException {
        List<Schedule> schedules = new ArrayList<>();
        try (ResultSet row = statement.executeQuery()) {
            while (row.next()) {
                schedules.add(new Schedule(row.getString("function_id"), row.getString("function_name"),
                        CronExpression.parse(row.getString("cron_expression")), ZoneId.of(row.getString("timezone")),
                        row.getBoolean("catch_up"), EpochMillis.read(row, "next_fire_at"),
                        EpochMillis.read(row, "created_at")));
            }
        }
        return schedules;
    }
}
