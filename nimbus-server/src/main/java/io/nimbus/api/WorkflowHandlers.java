package io.nimbus.api;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.nimbus.domain.Limits;
import io.nimbus.domain.WorkflowExecution;
import io.nimbus.workflow.WorkflowService;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Defining workflows, starting executions of them and following their steps. */
final class WorkflowHandlers {
    /** A definition of the most steps allowed is far below this. */
    private static final long MAX_DEFINITION_BYTES = 1024 * 1024;

    private final WorkflowService workflows;

    WorkflowHandlers(WorkflowService workflows) {
        this.workflows = workflows;
    }

    void create(ServerRequest request, ServerResponse response) {
        byte[] body = Exchange.body(request, MAX_DEFINITION_BYTES, "the workflow");
        var workflow = workflows.create(new String(body, StandardCharsets.UTF_8));
        response.header("Location", "/api/v1/workflows/" + workflow.id());
        Exchange.json(response, 201, WorkflowViews.workflow(workflow));
    }

    void list(ServerRequest request, ServerResponse response) {
        int limit = Exchange.queryInt(request, "limit", Limits.DEFAULT_PAGE_SIZE, 1, Limits.MAX_PAGE_SIZE);
        int offset = Exchange.queryInt(request, "offset", 0, 0, Integer.MAX_VALUE);
        Exchange.json(response, 200, page("workflows",
                workflows.list(limit, offset).stream().map(WorkflowViews::workflow).toList(), limit, offset));
    }

    void get(ServerRequest request, ServerResponse response) {
        Exchange.json(response, 200, WorkflowViews.workflow(workflows.require(ref(request))));
    }

    void delete(ServerRequest request, ServerResponse response) {
        workflows.delete(ref(request));
        response.status(204).send();
    }

    void startExecution(ServerRequest request, ServerResponse response) {
        byte[] input = Exchange.body(request, Limits.MAX_PAYLOAD_BYTES, "the input");
        WorkflowExecution execution = workflows.start(ref(request), new String(input, StandardCharsets.UTF_8));
        response.header("Location", "/api/v1/executions/" + execution.id());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("execution_id", execution.id());
        body.put("status", execution.status().wireName());
        Exchange.json(response, 202, body);
    }

    void listExecutions(ServerRequest request, ServerResponse response) {
        int limit = Exchange.queryInt(request, "limit", Limits.DEFAULT_PAGE_SIZE, 1, Limits.MAX_PAGE_SIZE);
        int offset = Exchange.queryInt(request, "offset", 0, 0, Integer.MAX_VALUE);
        List<Map<String, Object>> page = workflows.executions(ref(request), limit, offset).stream()
                .map(WorkflowViews::executionSummary).toList();
        Exchange.json(response, 200, page("executions", page, limit, offset));
    }

    void getExecution(ServerRequest request, ServerResponse response) {
        WorkflowExecution execution = workflows.execution(id(request));
        Exchange.json(response, 200, WorkflowViews.execution(execution, workflows.steps(execution.id())));
    }

    void cancelExecution(ServerRequest request, ServerResponse response) {
        WorkflowExecution execution = workflows.cancel(id(request));
        Exchange.json(response, 200, WorkflowViews.execution(execution, workflows.steps(execution.id())));
    }

    private static Map<String, Object> page(String name, List<Map<String, Object>> items, int limit, int offset) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(name, items);
        body.put("limit", limit);
        body.put("offset", offset);
        return body;
    }

    private static String ref(ServerRequest request) {
        return request.path().pathParameters().get("ref");
    }

    private static String id(ServerRequest request) {
        return request.path().pathParameters().get("id");
    }
}
