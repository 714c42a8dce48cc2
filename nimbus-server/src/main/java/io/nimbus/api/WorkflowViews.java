package io.nimbus.api;

import io.nimbus.domain.InvocationError;
import io.nimbus.domain.StepRecord;
import io.nimbus.domain.Workflow;
import io.nimbus.domain.WorkflowExecution;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How workflows, executions and their steps look on the wire. */
final class WorkflowViews {

    private WorkflowViews() {
    }

    /** The stored definition, as sent, with the id and creation time. */
    static Map<String, Object> workflow(Workflow workflow) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", workflow.id());
        view.put("name", workflow.name());
        view.put("description", workflow.description());
        view.put("steps", Json.tree(workflow.definition()).path("steps"));
        view.put("created_at", time(workflow.createdAt()));
        return view;
    }

    static Map<String, Object> executionSummary(WorkflowExecution execution) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", execution.id());
        view.put("workflow_id", execution.workflowId());
        view.put("workflow_name", execution.workflowName());
        view.put("status", execution.status().wireName());
        view.put("input", Json.tree(execution.input()));
        view.put("output", Json.tree(execution.output()));
        view.put("error", error(execution.error()));
        view.put("created_at", time(execution.createdAt()));
        view.put("finished_at", time(execution.finishedAt()));
        return view;
    }

    static Map<String, Object> execution(WorkflowExecution execution, List<StepRecord> steps) {
        Map<String, Object> view = executionSummary(execution);
        view.put("steps", steps.stream().map(WorkflowViews::step).toList());
        return view;
    }

    private static Map<String, Object> step(StepRecord step) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("path", step.path());
        view.put("name", step.name());
        view.put("type", step.type());
        view.put("status", step.status().wireName());
        view.put("input", Json.tree(step.input()));
        view.put("output", Json.tree(step.output()));
        view.put("error", error(step.error()));
        view.put("attempts", step.attempts());
        view.put("invocation_id", step.invocationId());
        view.put("wake_at", time(step.wakeAt()));
        view.put("started_at", time(step.startedAt()));
        view.put("finished_at", time(step.finishedAt()));
        return view;
    }

    private static Map<String, Object> error(InvocationError error) {
        return error == null ? null : Views.error(error);
    }

    private static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
