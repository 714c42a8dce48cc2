package io.nimbus.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nimbus.domain.DomainException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefinitionParserTest {
    private static final Set<String> FUNCTIONS = Set.of("add", "double");

    @Test
    void everyStepTypeIsReadWithItsOptions() {
        WorkflowDefinition definition = parse("""
                {"name": "all-kinds", "description": "d", "steps": [
                  {"type": "task", "name": "first", "function": "add", "input_path": "$.in", "result_path": "$.out",
                   "retry": {"max_attempts": 4, "interval_sec": 0.5, "backoff_rate": 3, "errors": ["Timeout"]},
                   "catch": [{"errors": ["*"], "steps": [{"type": "wait", "seconds": 0}]}]},
                  {"type": "sequence", "steps": [{"type": "wait", "until_path": "$.at"}]},
                  {"type": "parallel", "branches": [[{"type": "task", "function": "double"}]]},
                  {"type": "choice", "choices": [{"condition": {"any": [{"path": "$.n", "op": "exists"},
                    {"not": {"path": "$.n", "op": "less_than", "value": 3}}]}, "steps": [{"type": "wait", "seconds": 1}]}]}
                ]}""");

        assertThat(definition.steps()).extracting(Step::type).containsExactly("task", "sequence", "parallel", "choice");
        Step.Task task = (Step.Task) definition.steps().get(0);
        assertThat(task.options().retry()).isEqualTo(new Step.RetryPolicy(4, 0.5, 3, java.util.List.of("Timeout")));
        assertThat(task.options().catchers().get(0).resultPath().text()).isEqualTo("$.error");
        assertThat(((Step.Choice) definition.steps().get(3)).defaultSteps()).isNull();
    }

    @Test
    void aConditionComparesNumbersByValueAndOtherKindsAreFalseNotErrors() {
        Step.Choice choice = (Step.Choice) parse("""
                {"name": "c", "steps": [{"type": "choice", "choices": [
                  {"condition": {"path": "$.n", "op": "greater_than_or_equals", "value": 2.0}, "steps": [{"type": "wait", "seconds": 0}]},
                  {"condition": {"path": "$.s", "op": "equals", "value": "x"}, "steps": [{"type": "wait", "seconds": 0}]}
                ]}]}""").steps().get(0);
        Condition atLeastTwo = choice.choices().get(0).condition();
        Condition isX = choice.choices().get(1).condition();

        assertThat(atLeastTwo.test(ExecutionRun.read("{\"n\": 2}"))).isTrue();
        assertThat(atLeastTwo.test(ExecutionRun.read("{\"n\": 1.5}"))).isFalse();
        assertThat(atLeastTwo.test(ExecutionRun.read("{\"n\": \"3\"}"))).isFalse();
        assertThat(atLeastTwo.test(ExecutionRun.read("{}"))).isFalse();
        assertThat(isX.test(ExecutionRun.read("{\"s\": \"x\"}"))).isTrue();
    }

    @Test
    void mistakesAreRefusedWithTheFieldAtFault() {
        refused("{\"name\": \"x\"}", "steps");
        refused("{\"name\": \"x\", \"steps\": [{\"type\": \"task\", \"function\": \"gone\"}]}", "steps[0].function");
        refused("{\"name\": \"x\", \"steps\": [{\"type\": \"wait\"}]}", "steps[0].seconds");
        refused("{\"name\": \"x\", \"steps\": [{\"type\": \"wait\", \"seconds\": 1.5}]}", "steps[0].seconds");
        refused("{\"name\": \"x\", \"steps\": [{\"type\": \"wait\", \"seconds\": 1, \"until_path\": \"$.t\"}]}",
                "steps[0].seconds");
        refused("{\"name\": \"x\", \"steps\": [{\"type\": \"task\", \"function\": \"add\", \"input_path\": \"in\"}]}",
                "steps[0].input_path");
        refused("{\"name\": \"x\", \"steps\": [{\"type\": \"task\", \"function\": \"add\","
                + " \"retry\": {\"backoff_rate\": 0.5}}]}", "steps[0].retry.backoff_rate");
        refused("{\"name\": \"x\", \"steps\": [{\"type\": \"task\", \"function\": \"add\","
                + " \"catch\": [{\"steps\": [{\"type\": \"task\", \"function\": \"gone\"}]}]}]}",
                "steps[0].catch[0].steps[0].function");
        refused("{\"name\": \"x\", \"steps\": [{\"type\": \"choice\", \"choices\": [{\"condition\":"
                + " {\"path\": \"$.n\", \"op\": \"exists\", \"value\": 1}, \"steps\": [{\"type\": \"wait\", \"seconds\": 0}]}]}]}",
                "steps[0].choices[0].condition.value");
        refused("{\"name\": \"x\", \"steps\": [{\"type\": \"choice\", \"choices\": [{\"condition\":"
                + " {\"path\": \"$.n\", \"op\": \"less_than\", \"value\": [1]}, \"steps\": [{\"type\": \"wait\", \"seconds\": 0}]}]}]}",
                "steps[0].choices[0].condition.value");
    }

    @Test
    void aDefinitionOfTooManyStepsIsRefused() {
        String many = "{\"type\": \"wait\", \"seconds\": 0}, ".repeat(DefinitionParser.MAX_STEPS);
        refused("{\"name\": \"x\", \"steps\": [" + many + "{\"type\": \"wait\", \"seconds\": 0}]}",
                "steps[" + DefinitionParser.MAX_STEPS + "]");
    }

    private static WorkflowDefinition parse(String json) {
        return DefinitionParser.parse(ExecutionRun.read(json), FUNCTIONS::contains);
    }

    private static void refused(String json, String field) {
        assertThatThrownBy(() -> parse(json)).as(json).isInstanceOfSatisfying(DomainException.class,
                e -> assertThat(e.field()).as(e.getMessage()).isEqualTo(field));
    }
}
