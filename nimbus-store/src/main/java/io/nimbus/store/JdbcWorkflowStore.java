package io.nimbus.store;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.ExecutionStatus;
import io.nimbus.domain.Workflow;
import io.nimbus.domain.WorkflowStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Workflow definitions in the workflows table; their executions go with them on delete. */
public final class JdbcWorkflowStore implements WorkflowStore {
    private static final String SELECT = "SELECT id, name, description, definition, created_at FROM workflows";

    private final Database database;

    public JdbcWorkflowStore(Database database) {
        this.database = database;
    }

    @Override
    public void create(Workflow workflow) {
        String sql = "INSERT INTO workflows (id, name, description, definition, created_at) VALUES (?, ?, ?, ?, ?)";
        try {
            database.inTransaction("create workflow " + workflow.name(), connection -> {
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    statement.setString(1, workflow.id());
                    statement.setString(2, workflow.name());
                    statement.setString(3, workflow.description());
                    statement.setString(4, workflow.definition());
                    EpochMillis.bind(statement, 5, workflow.createdAt());
                    return statement.executeUpdate();
                }
            });
        } catch (StoreException e) {
            if (SqlErrors.isUniqueViolation(e)) {
                throw DomainException.conflict("name", "a workflow named '" + workflow.name() + "' already exists");
            }
            throw e;
        }
    }

    @Override
    public Optional<Workflow> findById(String id) {
        return findOne(SELECT + " WHERE id = ?", id);
    }

    @Override
    public Optional<Workflow> findByName(String name) {
        return findOne(SELECT + " WHERE name = ?", name);
    }

    @Override
    public List<Workflow> list(int limit, int offset) {
        return database.withConnection("list workflows", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    SELECT + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?")) {
                statement.setInt(1, limit);
                statement.setInt(2, offset);
                return readAll(statement);
            }
        });
    }

    /** The running check and the delete share a transaction, so no execution starts running in between unseen. */
    @Override
    public boolean delete(String id) {
        return database.inTransaction("delete workflow " + id, connection -> {
            if (hasRunningExecutions(connection, id)) {
                throw DomainException.conflict(null,
                        "the workflow has running executions; cancel them or let them finish first");
            }
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM workflows WHERE id = ?")) {
                statement.setString(1, id);
                return statement.executeUpdate() > 0;
            }
        });
    }

    private static boolean hasRunningExecutions(Connection connection, String id) throws SQLException {
        String sql = "SELECT 1 FROM workflow_executions WHERE workflow_id = ? AND status = ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, id);
            statement.setString(2, ExecutionStatus.RUNNING.wireName());
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    private Optional<Workflow> findOne(String sql, String value) {
        return database.withConnection("find workflow " + value, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, value);
                return readAll(statement).stream().findFirst();
            }
        });
    }

    private static List<Workflow> readAll(PreparedStatement statement) throws SQLException {
        List<Workflow> all = new ArrayList<>();
        try (ResultSet row = statement.executeQuery()) {
            while (row.next()) {
                all.add(new Workflow(row.getString("id"), row.getString("name"), row.getString("description"),
                        row.getString("definition"), EpochMillis.read(row, "created_at")));
            }
        }
        return all;
    }
}
