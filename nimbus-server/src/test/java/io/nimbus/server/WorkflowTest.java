package io.nimbus.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Workflows through the API: every step type, data flow, retry, catch, cancel and the refusals. */
class WorkflowTest {
    private static RunningNimbus nimbus;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        nimbus = RunningNimbus.start();
        api = nimbus.client();
        api.createFunction("wf-add", "python", "def handler(event, context):\n    return {'n': event['n'] + 1}\n");
        api.createFunction("wf-double", "node", "exports.handler = async (e) => ({n: e.n * 2});\n");
        api.createFunction("wf-fails", "python",
                "def handler(event, context):\n    raise ValueError('no luck for %s' % event.get('n'))\n");
        api.createFunction("wf-recover", "python",
                "def handler(event, context):\n    return {'recovered': event['problem']['type'], 'n': event['n']}\n");
        // one instance, so the module-level counter counts every call: the first two fail
        api.createFunction("wf-flaky", "python", """
                calls = 0
                def handler(event, context):
                    global calls
                    calls += 1
                    if calls < 3:
                        raise RuntimeError('flaky call %d' % calls)
                    return {'calls': calls}
                """, Map.of("max_instances", 1));
    }

    @AfterAll
    static void stop() {
        nimbus.close();
    }

    @Test
    void aSequencePassesEachStepsOutputToTheNextAndRecordsEveryStep() {
        JsonNode workflow = create("""
                {"name": "wf-sequence", "description": "add, double, add", "steps": [
                  {"type": "task", "name": "first", "function": "wf-add"},
                  {"type": "task", "function": "wf-double"},
                  {"type": "sequence", "steps": [{"type": "task", "function": "wf-add"}]}
                ]}""");
        assertThat(workflow.path("id").asText()).isNotBlank();
        assertThat(workflow.path("steps")).hasSize(3);

        JsonNode execution = run("wf-sequence", "{\"n\": 1}");

        assertThat(execution.path("status").asText()).isEqualTo("succeeded");
        assertThat(execution.path("output").path("n").asInt()).isEqualTo(5);
        assertThat(paths(execution)).containsExactly("steps[0]", "steps[1]", "steps[2]", "steps[2].steps[0]");
        JsonNode first = step(execution, "steps[0]");
        assertThat(first.path("name").asText()).isEqualTo("first");
        assertThat(first.path("status").asText()).isEqualTo("succeeded");
        assertThat(first.path("input").path("n").asInt()).isEqualTo(1);
        assertThat(first.path("output").path("n").asInt()).isEqualTo(2);
        assertThat(first.path("attempts").asInt()).isEqualTo(1);
        JsonNode invocation = api.await("/api/v1/invocations/" + first.path("invocation_id").asText(),
                r -> r.status() == 200, Duration.ofSeconds(10)).json();
        assertThat(invocation.path("trigger_type").asText()).isEqualTo("workflow");
        assertThat(step(execution, "steps[1]").path("output").path("n").asInt()).isEqualTo(4);
    }

    @Test
    void aParallelStepRunsEveryBranchOnItsInputAndJoinsTheirOutputsInOrder() {
        create("""
                {"name": "wf-parallel", "steps": [
                  {"type": "parallel", "branches": [
                    [{"type": "task", "function": "wf-add"}],
                    [{"type": "task", "function": "wf-double"}, {"type": "task", "function": "wf-double"}]
                  ]}
                ]}""");

        JsonNode execution = run("wf-parallel", "{\"n\": 3}");

        assertThat(execution.path("status").asText()).isEqualTo("succeeded");
        assertThat(execution.path("output").toString()).isEqualTo("[{\"n\":4},{\"n\":12}]");
        assertThat(paths(execution)).contains("steps[0].branches[0][0]", "steps[0].branches[1][1]");
    }

    @Test
    void aChoiceTakesTheFirstBranchWhoseConditionHoldsAndOtherwiseItsDefault() {
        create("""
                {"name": "wf-choice", "steps": [
                  {"type": "choice", "choices": [
                    {"condition": {"all": [{"path": "$.n", "op": "greater_than", "value": 100},
                                           {"not": {"path": "$.skip", "op": "exists"}}]},
                     "steps": [{"type": "task", "function": "wf-add"}]}
                  ], "default": [{"type": "task", "function": "wf-double"}]}
                ]}""");

        JsonNode big = run("wf-choice", "{\"n\": 150}");
        JsonNode small = run("wf-choice", "{\"n\": 5}");

        assertThat(big.path("output").path("n").asInt()).isEqualTo(151);
        assertThat(paths(big)).containsExactly("steps[0]", "steps[0].choices[0].steps[0]");
        assertThat(small.path("output").path("n").asInt()).isEqualTo(10);
        assertThat(paths(small)).containsExactly("steps[0]", "steps[0].default[0]");
    }

    @Test
    void aWaitPassesItsInputOnOnceItsDueTimeHasPassed() {
        create("""
                {"name": "wf-wait", "steps": [
                  {"type": "wait", "seconds": 1},
                  {"type": "task", "function": "wf-add"}
                ]}""");

        JsonNode execution = run("wf-wait", "{\"n\": 7}");

        assertThat(execution.path("output").path("n").asInt()).isEqualTo(8);
        JsonNode wait = step(execution, "steps[0]");
        assertThat(wait.path("status").asText()).isEqualTo("succeeded");
        assertThat(wait.path("output").path("n").asInt()).isEqualTo(7);
        assertThat(wait.path("finished_at").asText()).isGreaterThanOrEqualTo(wait.path("started_at").asText());
    }

    @Test
    void aWaitUntilATimeFromTheInputEndsAtThatTimeAndABadTimeFailsTheStep() {
        create("""
                {"name": "wf-until", "steps": [{"type": "wait", "until_path": "$.not_before"}]}""");

        JsonNode past = run("wf-until", "{\"not_before\": \"2020-01-01T00:00:00Z\"}");
        JsonNode garbled = run("wf-until", "{\"not_before\": \"next tuesday\"}");

        assertThat(past.path("status").asText()).isEqualTo("succeeded");
        assertThat(past.path("output").path("not_before").asText()).isEqualTo("2020-01-01T00:00:00Z");
        assertThat(garbled.path("status").asText()).isEqualTo("failed");
        assertThat(garbled.path("error").path("code").asText()).isEqualTo("InvalidTimestamp");
    }

    @Test
    void anInputPathThatMatchesNothingFailsTheStepWithInputPathNotFound() {
        create("""
                {"name": "wf-input-path", "steps": [{"type": "task", "function": "wf-add", "input_path": "$.order"}]}""");

        JsonNode execution = run("wf-input-path", "{\"n\": 1}");

        assertThat(execution.path("status").asText()).isEqualTo("failed");
        assertThat(execution.path("error").path("code").asText()).isEqualTo("InputPathNotFound");
        assertThat(step(execution, "steps[0]").path("status").asText()).isEqualTo("failed");
    }

    @Test
    void aFailingTaskIsRetriedUntilItSucceeds() {
        create("""
                {"name": "wf-retry", "steps": [
                  {"type": "task", "function": "wf-flaky",
                   "retry": {"max_attempts": 5, "interval_sec": 0.1, "backoff_rate": 1.5, "errors": ["FunctionError"]}}
                ]}""");

        JsonNode execution = run("wf-retry", "{}");

        assertThat(execution.path("status").asText()).isEqualTo("succeeded");
        assertThat(execution.path("output").path("calls").asInt()).isEqualTo(3);
        JsonNode task = step(execution, "steps[0]");
        assertThat(task.path("attempts").asInt()).isEqualTo(3);
        assertThat(task.path("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void aFailureNoRetryCuresGoesToTheMatchingCatcherAndTheExecutionGoesOn() {
        create("""
                {"name": "wf-catch", "steps": [
                  {"type": "task", "function": "wf-fails", "retry": {"max_attempts": 2, "interval_sec": 0},
                   "catch": [
                     {"errors": ["Timeout"], "steps": [{"type": "task", "function": "wf-double"}]},
                     {"errors": ["ValueError"], "result_path": "$.problem",
                      "steps": [{"type": "task", "function": "wf-recover"}]}
                   ]},
                  {"type": "task", "function": "wf-add", "input_path": "$", "result_path": "$.after"}
                ]}""");

        JsonNode execution = run("wf-catch", "{\"n\": 1}");

        assertThat(execution.path("status").asText()).as(execution.toString()).isEqualTo("succeeded");
        assertThat(execution.path("output").path("recovered").asText()).isEqualTo("ValueError");
        assertThat(execution.path("output").path("after").path("n").asInt()).isEqualTo(2);
        JsonNode failing = step(execution, "steps[0]");
        assertThat(failing.path("status").asText()).isEqualTo("caught");
        assertThat(failing.path("attempts").asInt()).isEqualTo(2);
        assertThat(failing.path("error").path("type").asText()).isEqualTo("ValueError");
        assertThat(paths(execution)).contains("steps[0].catch[1].steps[0]");
    }

    @Test
    void anUncaughtFailureFailsTheExecutionWithTheStepsError() {
        create("""
                {"name": "wf-uncaught", "steps": [
                  {"type": "task", "function": "wf-fails"},
                  {"type": "task", "function": "wf-add"}
                ]}""");

        JsonNode execution = run("wf-uncaught", "{\"n\": 1}");

        assertThat(execution.path("status").asText()).isEqualTo("failed");
        assertThat(execution.path("error").path("code").asText()).isEqualTo("FunctionError");
        assertThat(execution.path("error").path("message").asText()).contains("no luck for 1");
        assertThat(paths(execution)).containsExactly("steps[0]");
    }

    @Test
    void aCancelledExecutionStopsAndItsWorkflowCanThenBeDeleted() {
        create("""
                {"name": "wf-cancel", "steps": [{"type": "wait", "seconds": 600}, {"type": "task", "function": "wf-add"}]}""");
        Reply started = api.post("/api/v1/workflows/wf-cancel/executions", "{\"n\": 1}");
        String id = started.json().path("execution_id").asText();
        api.await("/api/v1/executions/" + id, r -> r.json().path("steps").size() == 1, Duration.ofSeconds(10));

        Reply refused = api.delete("/api/v1/workflows/wf-cancel");
        Reply cancelled = api.post("/api/v1/executions/" + id + "/cancel", "");
        Reply again = api.post("/api/v1/executions/" + id + "/cancel", "");

        assertThat(refused.status()).isEqualTo(409);
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().path("status").asText()).isEqualTo("cancelled");
        assertThat(again.status()).isEqualTo(409);
        assertThat(api.delete("/api/v1/workflows/wf-cancel").status()).isEqualTo(204);
        assertThat(api.get("/api/v1/workflows/wf-cancel").status()).isEqualTo(404);
        assertThat(api.get("/api/v1/executions/" + id).status()).isEqualTo(404);
    }

    @Test
    void workflowsAndTheirExecutionsAreListedNewestFirst() {
        create("""
                {"name": "wf-listed", "steps": [{"type": "task", "function": "wf-add"}]}""");
        String older = run("wf-listed", "{\"n\": 1}").path("id").asText();
        String newer = run("wf-listed", "{\"n\": 2}").path("id").asText();

        JsonNode executions = api.get("/api/v1/workflows/wf-listed/executions?limit=10").json();
        JsonNode firstPage = api.get("/api/v1/workflows/wf-listed/executions?limit=1&offset=1").json();
        JsonNode workflows = api.get("/api/v1/workflows").json().path("workflows");

        assertThat(executions.path("executions").findValuesAsText("id")).containsExactly(newer, older);
        assertThat(firstPage.path("executions").findValuesAsText("id")).containsExactly(older);
        assertThat(workflows.findValuesAsText("name")).contains("wf-listed");
        assertThat(api.get("/api/v1/workflows/wf-listed").json().path("steps").get(0).path("function").asText())
                .isEqualTo("wf-add");
    }

    @Test
    void malformedWorkflowsAreRefusedWithTheFieldAtFaultAndNothingIsStored() {
        refused("""
                {"name": "wf-bad", "steps": [{"type": "task", "function": "wf-add"},
                                             {"type": "task", "function": "no-such-function"}]}""", "steps[1].function");
        refused("""
                {"name": "wf-bad", "steps": [{"type": "loop"}]}""", "steps[0].type");
        refused("""
                {"name": "wf-bad", "steps": [{"type": "task", "function": "wf-add", "next": "steps[0]"}]}""",
                "steps[0].next");
        refused("""
                {"name": "wf-bad", "steps": [{"type": "choice", "choices": [
                  {"condition": {"path": "$.n", "op": "bigger", "value": 1}, "steps": [{"type": "wait", "seconds": 1}]}
                ]}]}""", "steps[0].choices[0].condition.op");
        refused("""
                {"name": "wf-bad", "steps": [{"type": "choice", "choices": [
                  {"condition": {"path": "n", "op": "exists"}, "steps": [{"type": "wait", "seconds": 1}]}
                ]}]}""", "steps[0].choices[0].condition.path");
        refused("""
                {"name": "wf-bad", "steps": [{"type": "wait", "seconds": 99999999}]}""", "steps[0].seconds");
        refused("""
                {"name": "wf-bad", "steps": [{"type": "parallel", "branches": [[]]}]}""", "steps[0].branches[0]");
        refused("""
                {"name": "wf-bad", "steps": [{"type": "wait", "seconds": 1, "retry": {"max_attempts": 2}}]}""",
                "steps[0].retry");
        refused("""
                {"name": "wf-bad", "steps": [{"type": "task", "function": "wf-add", "retry": {"max_attempts": 0}}]}""",
                "steps[0].retry.max_attempts");
        refused("""
                {"name": "wf-bad", "steps": []}""", "steps");
        refused("""
                {"name": "Bad Name", "steps": [{"type": "wait", "seconds": 1}]}""", "name");
        refused("{\"name\": \"wf-bad\", \"steps\": " + nested(10) + "}", "steps[0].".repeat(8) + "steps");

        assertThat(api.get("/api/v1/workflows/wf-bad").status()).isEqualTo(404);
    }

    @Test
    void aTakenNameAndAnUnknownWorkflowAreRefused() {
        create("""
                {"name": "wf-taken", "steps": [{"type": "wait", "seconds": 0}]}""");

        Reply taken = api.post("/api/v1/workflows", """
                {"name": "wf-taken", "steps": [{"type": "wait", "seconds": 0}]}""");
        Reply unknown = api.post("/api/v1/workflows/no-such-workflow/executions", "{}");
        Reply badInput = api.post("/api/v1/workflows/wf-taken/executions", "{not json");

        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.error().path("field").asText()).isEqualTo("name");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(badInput.status()).isEqualTo(400);
        assertThat(api.get("/api/v1/executions/no-such-execution").status()).isEqualTo(404);
    }

    private static String nested(int depth) {
        String steps = "[{\"type\": \"wait\", \"seconds\": 0}]";
        for (int i = 0; i < depth; i++) {
            steps = "[{\"type\": \"sequence\", \"steps\": " + steps + "}]";
        }
        return steps;
    }

    private static void refused(String definition, String field) {
        Reply reply = api.post("/api/v1/workflows", definition);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
        assertThat(reply.error().path("code").asText()).isEqualTo("InvalidInput");
        assertThat(reply.error().path("field").asText()).as(reply.toString()).isEqualTo(field);
    }

    private static JsonNode create(String definition) {
        Reply reply = api.post("/api/v1/workflows", definition);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(201);
        return reply.json();
    }

    /** Starts an execution and waits for its end. */
    static JsonNode run(String workflow, String input) {
        return run(api, workflow, input);
    }

    static JsonNode run(ApiClient client, String workflow, String input) {
        Reply started = client.post("/api/v1/workflows/" + workflow + "/executions", input);
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String id = started.json().path("execution_id").asText();
        assertThat(started.header("Location")).isEqualTo("/api/v1/executions/" + id);
        return awaitEnd(client, id);
    }

    static JsonNode awaitEnd(ApiClient client, String id) {
        Reply done = client.await("/api/v1/executions/" + id,
                r -> r.status() == 200 && !r.json().path("status").asText().equals("running"), Duration.ofSeconds(60));
        assertThat(done.json().path("status").asText()).as(done.toString()).isNotEqualTo("running");
        return done.json();
    }

    static List<String> paths(JsonNode execution) {
        List<String> paths = new ArrayList<>();
        execution.path("steps").forEach(step -> paths.add(step.path("path").asText()));
        return paths;
    }

    static JsonNode step(JsonNode execution, String path) {
        for (JsonNode step : execution.path("steps")) {
            if (step.path("path").asText().equals(path)) {
                return step;
            }
        }
        throw new AssertionError("no step " + path + " in " + execution);
    }
}
