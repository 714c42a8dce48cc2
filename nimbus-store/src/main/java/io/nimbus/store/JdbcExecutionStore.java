package io.nimbus.store;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.ExecutionStatus;
import io.nimbus.domain.ExecutionStore;
import io.nimbus.domain.StepRecord;
import io.nimbus.domain.WorkflowExecution;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Executions in workflow_executions, their steps in workflow_steps. Claims lease executions as
 * the async queue leases its entries: SQLite serialises the claiming transactions, PostgreSQL
 * skips rows another claimer has locked.
 */
public final class JdbcExecutionStore implements ExecutionStore {
    private static final String SELECT = "SELECT " + WorkflowRows.EXECUTION_COLUMNS + " FROM workflow_executions";
    private static final String RUNNING = ExecutionStatus.RUNNING.wireName();
    private static final String SELECT_CLAIMABLE = SELECT + " WHERE status = '" + RUNNING + "'"
            + " AND (lease_until IS NULL OR lease_until < ?) ORDER BY created_at, id LIMIT ?";
    private static final String UPSERT_STEP = "INSERT INTO workflow_steps (" + WorkflowRows.STEP_COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (execution_id, path) DO UPDATE SET"
            + " name = excluded.name, type = excluded.type, status = excluded.status, input = excluded.input,"
            + " output = excluded.output, error = excluded.error, attempts = excluded.attempts,"
            + " invocation_id = excluded.invocation_id, wake_at = excluded.wake_at, started_at = excluded.started_at,"
            + " finished_at = excluded.finished_at";

    private final Database database;
    private final String selectClaimable;

    public JdbcExecutionStore(Database database) {
        this.database = database;
        this.selectClaimable = database.kind() == StoreConfig.Kind.POSTGRES
                ? SELECT_CLAIMABLE + " FOR UPDATE SKIP LOCKED" : SELECT_CLAIMABLE;
    }

    /** @throws DomainException NOT_FOUND when the workflow was deleted in the meantime */
    @Override
    public void start(WorkflowExecution execution) {
        String sql = "INSERT INTO workflow_executions (" + WorkflowRows.EXECUTION_COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try {
            database.inTransaction("start execution " + execution.id(), connection -> {
                try (PreparedStatement statement = connection.prepareStatement(sql)) {
                    statement.setString(1, execution.id());
                    statement.setString(2, execution.workflowId());
                    statement.setString(3, execution.workflowName());
                    statement.setString(4, execution.definition());
                    statement.setString(5, execution.status().wireName());
                    statement.setString(6, execution.input());
                    statement.setString(7, execution.output());
                    statement.setString(8, WorkflowRows.writeError(execution.error()));
                    EpochMillis.bind(statement, 9, execution.createdAt());
                    EpochMillis.bind(statement, 10, execution.finishedAt());
                    return statement.executeUpdate();
                }
            });
        } catch (StoreException e) {
            if (SqlErrors.isForeignKeyViolation(e)) {
                throw DomainException.notFound("workflow", execution.workflowName());
            }
            throw e;
        }
    }

    @Override
    public Optional<WorkflowExecution> find(String id) {
        return database.withConnection("find execution " + id, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(SELECT + " WHERE id = ?")) {
                statement.setString(1, id);
                return WorkflowRows.executions(statement).stream().findFirst();
            }
        });
    }

    @Override
    public List<WorkflowExecution> list(String workflowId, int limit, int offset) {
        String sql = SELECT + " WHERE workflow_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?";
        return database.withConnection("list executions", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, workflowId);
                statement.setInt(2, limit);
                statement.setInt(3, offset);
                return WorkflowRows.executions(statement);
            }
        });
    }

    @Override
    public List<StepRecord> steps(String executionId) {
        String sql = "SELECT " + WorkflowRows.STEP_COLUMNS + " FROM workflow_steps WHERE execution_id = ?"
                + " ORDER BY started_at, path";
        return database.withConnection("list steps of " + executionId, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, executionId);
                return WorkflowRows.steps(statement);
            }
        });
    }

    @Override
    public void saveStep(StepRecord step) {
        database.inTransaction("save step " + step.path() + " of " + step.executionId(), connection -> {
            try (PreparedStatement statement = connection.prepareStatement(UPSERT_STEP)) {
                WorkflowRows.bindStep(statement, step);
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public boolean finish(WorkflowExecution finalState) {
        String sql = "UPDATE workflow_executions SET status = ?, output = ?, error = ?, finished_at = ?,"
                + " lease_owner = NULL, lease_until = NULL WHERE id = ? AND status = '" + RUNNING + "'";
        return database.inTransaction("finish execution " + finalState.id(), connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, finalState.status().wireName());
                statement.setString(2, finalState.output());
                statement.setString(3, WorkflowRows.writeError(finalState.error()));
                EpochMillis.bind(statement, 4, finalState.finishedAt());
                statement.setString(5, finalState.id());
                return statement.executeUpdate() > 0;
            }
        });
    }

    @Override
    public boolean cancel(String id, Instant now) {
        String sql = "UPDATE workflow_executions SET status = ?, finished_at = ?, lease_owner = NULL,"
                + " lease_until = NULL WHERE id = ? AND status = '" + RUNNING + "'";
        return database.inTransaction("cancel execution " + id, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, ExecutionStatus.CANCELLED.wireName());
                EpochMillis.bind(statement, 2, now);
                statement.setString(3, id);
                return statement.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<WorkflowExecution> claim(String owner, int max, Duration lease, Instant now) {
        if (max <= 0) {
            return List.of();
        }
        return database.inTransaction("claim executions", connection -> {
            List<WorkflowExecution> claimable;
            try (PreparedStatement statement = connection.prepareStatement(selectClaimable)) {
                EpochMillis.bind(statement, 1, now);
                statement.setInt(2, max);
                claimable = WorkflowRows.executions(statement);
            }
            lease(connection, claimable, owner, now.plus(lease));
            return claimable;
        });
    }

    @Override
    public Set<String> renew(String owner, Collection<String> ids, Instant until) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        List<String> asked = List.copyOf(ids);
        String sql = "UPDATE workflow_executions SET lease_until = ? WHERE id = ? AND lease_owner = ?"
                + " AND status = '" + RUNNING + "'";
        return database.inTransaction("renew execution leases", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                for (String id : asked) {
                    EpochMillis.bind(statement, 1, until);
                    statement.setString(2, id);
                    statement.setString(3, owner);
                    statement.addBatch();
                }
                int[] updated = statement.executeBatch();
                Set<String> held = new HashSet<>();
                for (int i = 0; i < asked.size(); i++) {
                    if (updated[i] > 0) {
                        held.add(asked.get(i));
                    }
                }
                return held;
            }
        });
    }

    @Override
    public int releaseAllLeases() {
        return database.inTransaction("release execution leases", connection -> {
            try (Statement statement = connection.createStatement()) {
                return statement.executeUpdate("UPDATE workflow_executions SET lease_owner = NULL, lease_until = NULL"
                        + " WHERE lease_owner IS NOT NULL");
            }
        });
    }

    private static void lease(Connection connection, List<WorkflowExecution> claimed, String owner, Instant until)
            throws SQLException {
        String sql = "UPDATE workflow_executions SET lease_owner = ?, lease_until = ? WHERE id = ?";
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (WorkflowExecution execution : claimed) {
                statement.setString(1, owner);
                EpochMillis.bind(statement, 2, until);
                statement.setString(3, execution.id());
                statement.addBatch();
            }
            statement.executeBatch();
        }
    }
}
