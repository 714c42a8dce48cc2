package io.nimbus.store;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.events.Event;
import io.nimbus.domain.events.EventStore;
import io.nimbus.domain.events.Publication;
import io.nimbus.domain.events.Rule;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Events and rules, in the events and rules tables. */
public final class JdbcEventStore implements EventStore {
    private static final String RULE_COLUMNS = "SELECT r.id, r.name, r.topic, r.filter, r.function_id, f.name AS function_name,"
            + " r.created_at FROM rules r JOIN functions f ON f.id = r.function_id";

    private final Database database;

    public JdbcEventStore(Database database) {
        this.database = database;
    }

    @Override
    public void publish(Publication publication) {
        database.inTransaction("publish event " + publication.event().id(), connection -> {
            EventRows.insert(connection, publication);
            return null;
        });
    }

    @Override
    public List<Event> recent(String topic, int limit) {
        String sql = "SELECT * FROM events WHERE topic = ? ORDER BY published_at DESC, id DESC LIMIT ?";
        return database.withConnection("list events", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, topic);
                statement.setInt(2, limit);
                List<Event> events = new ArrayList<>();
                try (ResultSet row = statement.executeQuery()) {
                    while (row.next()) {
                        events.add(new Event(row.getString("id"), row.getString("topic"), row.getString("body"),
                                row.getInt("deliveries"), EpochMillis.read(row, "published_at")));
                    }
                }
                return events;
            }
        });
    }

    @Override
    public void createRule(Rule rule) {
        String sql = "INSERT INTO rules (id, name, topic, filter, function_id, created_at) VALUES (?, ?, ?, ?, ?, ?)";
        try {
            database.inTransaction("create rule " + rule.name(), connection -> {
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    statement.setString(1, rule.id());
                    statement.setString(2, rule.name());
                    statement.setString(3, rule.topic());
                    statement.setString(4, rule.filter());
                    statement.setString(5, rule.functionId());
                    EpochMillis.bind(statement, 6, rule.createdAt());
                    return statement.executeUpdate();
                }
            });
        } catch (StoreException e) {
            if (SqlErrors.isUniqueViolation(e)) {
                throw DomainException.conflict("name", "a rule named " + rule.name() + " exists");
            }
            if (SqlErrors.isForeignKeyViolation(e)) {
                throw DomainException.invalid("function", "function " + rule.functionName() + " does not exist");
            }
            throw e;
        }
    }

    @Override
    public List<Rule> rules(String topic) {
        String sql = RULE_COLUMNS + (topic == null ? "" : " WHERE r.topic = ?") + " ORDER BY r.name";
        return database.withConnection("list rules", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                if (topic != null) {
                    statement.setString(1, topic);
                }
                return readRules(statement);
            }
        });
    }

    @Override
    public Optional<Rule> rule(String name) {
        return database.withConnection("read rule " + name, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(RULE_COLUMNS + " WHERE r.name = ?")) {
                statement.setString(1, name);
                return readRules(statement).stream().findFirst();
            }
        });
    }

    @Override
    public boolean deleteRule(String name) {
        return database.withConnection("delete rule " + name, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM rules WHERE name = ?")) {
                statement.setString(1, name);
                return statement.executeUpdate() > 0;
            }
        });
    }

    private static List<Rule> readRules(PreparedStatement statement) throws SQLException {
        List<Rule> rules = new ArrayList<>();
        try (ResultSet row = statement.executeQuery()) {
            while (row.next()) {
                rules.add(new Rule(row.getString("id"), row.getString("name"), row.getString("topic"),
                        row.getString("filter"), row.getString("function_id"), row.getString("function_name"),
                        EpochMillis.read(row, "created_at")));
            }
        }
        return rules;
    }
}
