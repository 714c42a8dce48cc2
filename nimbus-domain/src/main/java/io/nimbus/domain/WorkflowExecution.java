package io.nimbus.domain;

import java.time.Instant;

/**
 * One run of a workflow.
 *
 * @param definition the workflow's definition (JSON text) as it was when the execution started
 * @param input      the execution's input as JSON text
 * @param output     the last step's output as JSON text, null unless succeeded
 * @param error      why it failed, null unless failed
 */
public record WorkflowExecution(
        String id,
        String workflowId,
        String workflowName,
        String definition,
        ExecutionStatus status,
        String input,
        String output,
        InvocationError error,
        Instant createdAt,
        Instant finishedAt) {

    public static WorkflowExecution started(String id, Workflow workflow, String input, Instant now) {
        return new WorkflowExecution(id, workflow.id(), workflow.name(), workflow.definition(), ExecutionStatus.RUNNING,
                input, null, null, now, null);
    }

    public WorkflowExecution succeeded(String result, Instant now) {
        return new WorkflowExecution(id, workflowId, workflowName, definition, ExecutionStatus.SUCCEEDED, input, result,
                null, createdAt, now);
    }

    public WorkflowExecution failed(InvocationError why, Instant now) {
        return new WorkflowExecution(id, workflowId, workflowName, definition, ExecutionStatus.FAILED, input, null, why,
                createdAt, now);
    }
}
