package io.nimbus.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nimbus.domain.ExecutionStatus;
import io.nimbus.domain.InvocationError;
import io.nimbus.domain.StepRecord;
import io.nimbus.domain.StepStatus;
import io.nimbus.domain.WorkflowExecution;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** How executions and steps map to rows; errors are one JSON column since they are only ever shown whole. */
final class WorkflowRows {
    static final String EXECUTION_COLUMNS =
            "id, workflow_id, workflow_name, definition, status, input, output, error, created_at, finished_at";
    static final String STEP_COLUMNS = "execution_id, path, name, type, status, input, output, error, attempts,"
            + " invocation_id, wake_at, started_at, finished_at";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A stored error has no stack trace: the invocation record keeps it. */
    private record StoredError(String code, String type, String message) {
    }

    private WorkflowRows() {
    }

    static List<WorkflowExecution> executions(PreparedStatement statement) throws SQLException {
        List<WorkflowExecution> all = new ArrayList<>();
        try (ResultSet row = statement.executeQuery()) {
            while (row.next()) {
                all.add(new WorkflowExecution(row.getString("id"), row.getString("workflow_id"),
                        row.getString("workflow_name"), row.getString("definition"),
                        ExecutionStatus.fromWire(row.getString("status")), row.getString("input"),
                        row.getString("output"), readError(row.getString("error")),
                        EpochMillis.read(row, "created_at"), EpochMillis.read(row, "finished_at")));
            }
        }
        return all;
    }

    static List<StepRecord> steps(PreparedStatement statement) throws SQLException {
        List<StepRecord> all = new ArrayList<>();
        try (ResultSet row = statement.executeQuery()) {
            while (row.next()) {
                all.add(new StepRecord(row.getString("execution_id"), row.getString("path"), row.getString("name"),
                        row.getString("type"), StepStatus.fromWire(row.getString("status")), row.getString("input"),
                        row.getString("output"), readError(row.getString("error")), row.getInt("attempts"),
                        row.getString("invocation_id"), EpochMillis.read(row, "wake_at"),
                        EpochMillis.read(row, "started_at"), EpochMillis.read(row, "finished_at")));
            }
        }
        return all;
    }

    static void bindStep(PreparedStatement statement, StepRecord step) throws SQLException {
        statement.setString(1, step.executionId());
        statement.setString(2, step.path());
        statement.setString(3, step.name());
        statement.setString(4, step.type());
        statement.setString(5, step.status().wireName());
        statement.setString(6, step.input());
        statement.setString(7, step.output());
        statement.setString(8, writeError(step.error()));
        statement.setInt(9, step.attempts());
        statement.setString(10, step.invocationId());
        EpochMillis.bind(statement, 11, step.wakeAt());
        EpochMillis.bind(statement, 12, step.startedAt());
        EpochMillis.bind(statement, 13, step.finishedAt());
    }

    static String writeError(InvocationError error) {
        return error == null ? null : JsonText.write(new StoredError(error.code(), error.type(), error.message()));
    }

    private static InvocationError readError(String json) {
        if (json == null) {
            return null;
        }
        try {
            StoredError stored = MAPPER.readValue(json, StoredError.class);
            return new InvocationError(stored.code(), stored.type(), stored.message(), null);
        } catch (JsonProcessingException e) {
            throw new StoreException("stored JSON is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
