package io.nimbus.workflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nimbus.domain.ExecutionStore;
import io.nimbus.domain.InvocationError;
import io.nimbus.domain.StepRecord;
import io.nimbus.domain.StepStatus;
import io.nimbus.domain.WorkflowExecution;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Drives one execution by walking its definition. Every step is recorded before it runs and
 * when it ends; a step already recorded as finished is not run again but answers with its
 * recorded output. A restarted server therefore resumes an execution by walking it again from
 * the top: finished steps replay from the store, waits and retries keep their recorded due
 * times, and a task that was running when the server died runs again (at least once).
 *
 * <p>Replay is sound because the walk is deterministic: a step's input is made only of recorded
 * outputs, and a choice evaluates its conditions on that input.
 */
final class ExecutionRun {
    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String WILDCARD = "*";

    private final WorkflowExecution execution;
    private final ExecutionStore store;
    private final TaskCalls tasks;
    private final Clock clock;
    private final Map<String, StepRecord> records = new ConcurrentHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    ExecutionRun(WorkflowExecution execution, ExecutionStore store, TaskCalls tasks, Clock clock) {
        this.execution = execution;
        this.store = store;
        this.tasks = tasks;
        this.clock = clock;
        store.steps(execution.id()).forEach(step -> records.put(step.path(), step));
    }

    String executionId() {
        return execution.id();
    }

    /** Makes the run stop at its next step or wait; a task in flight finishes first. */
    void stop() {
        stopped.countDown();
    }

    /** Runs the execution to its end and records it; returns early (recording nothing more) when stopped. */
    void run() throws InterruptedException {
        WorkflowDefinition definition = WorkflowService.parseStored(execution.definition());
        StepResult result = sequence(definition.steps(), read(execution.input()), "steps");
        switch (result) {
            case StepResult.Succeeded ok -> store.finish(execution.succeeded(write(ok.output()), now()));
            case StepResult.Failed failed -> store.finish(execution.failed(failed.error(), now()));
            case StepResult.Stopped stop -> { }
        }
    }

    private StepResult sequence(List<Step> steps, JsonNode input, String field) throws InterruptedException {
        JsonNode current = input;
        for (int i = 0; i < steps.size(); i++) {
            StepResult result = step(steps.get(i), current, field + "[" + i + "]");
            if (!(result instanceof StepResult.Succeeded ok)) {
                return result;
            }
            current = ok.output();
        }
        return new StepResult.Succeeded(current);
    }

    private StepResult step(Step step, JsonNode input, String path) throws InterruptedException {
        StepRecord recorded = records.get(path);
        if (recorded != null) {
            switch (recorded.status()) {
                case SUCCEEDED -> {
                    return new StepResult.Succeeded(read(recorded.output()));
                }
                case FAILED -> {
                    return new StepResult.Failed(recorded.error());
                }
                case CAUGHT -> {
                    return recorded.output() != null ? new StepResult.Succeeded(read(recorded.output()))
                            : caught(step, input, path, recorded.error());
                }
                default -> { }
            }
        }
        if (stopped.getCount() == 0) {
            return new StepResult.Stopped();
        }
        JsonNode stepInput = step.options().inputPath() == null ? input : step.options().inputPath().read(input);
        if (stepInput.isMissingNode()) {
            return failStep(step, input, path, recorded, new InvocationError("InputPathNotFound", null,
                    "input_path " + step.options().inputPath() + " matches nothing in the step's input", null));
        }
        if (recorded == null) {
            save(StepRecord.started(execution.id(), path, step.options().name(), step.type(), write(stepInput), now()));
        }
        StepResult result = switch (step) {
            case Step.Task task -> task(task, stepInput, path);
            case Step.Sequence sequence -> sequence(sequence.steps(), stepInput, path + ".steps");
            case Step.Parallel parallel -> parallel(parallel, stepInput, path);
            case Step.Choice choice -> choice(choice, stepInput, path);
            case Step.Wait wait -> waitStep(wait, stepInput, path);
        };
        return switch (result) {
            case StepResult.Succeeded ok -> succeed(step, input, path, ok.output());
            case StepResult.Failed failed -> failStep(step, input, path, records.get(path), failed.error());
            case StepResult.Stopped stop -> stop;
        };
    }

    private StepResult succeed(Step step, JsonNode input, String path, JsonNode result) throws InterruptedException {
        JsonNode output;
        try {
            output = step.options().resultPath() == null ? result : step.options().resultPath().write(input, result);
        } catch (IllegalArgumentException e) {
            return failStep(step, input, path, records.get(path),
                    new InvocationError("ResultPathMismatch", null, e.getMessage(), null));
        }
        save(records.get(path).succeeded(write(output), now()));
        return new StepResult.Succeeded(output);
    }

    /** A failure goes to the first catcher that matches it, else fails the step. */
    private StepResult failStep(Step step, JsonNode input, String path, StepRecord recorded, InvocationError error)
            throws InterruptedException {
        StepRecord base = recorded != null ? recorded
                : StepRecord.started(execution.id(), path, step.options().name(), step.type(), write(input), now());
        if (catcherIndex(step, error) < 0) {
            save(base.failed(error, now()));
            return new StepResult.Failed(error);
        }
        save(base.caught(error, null, now()));
        return caught(step, input, path, error);
    }

    private StepResult caught(Step step, JsonNode input, String path, InvocationError error)
            throws InterruptedException {
        int index = catcherIndex(step, error);
        Step.Catcher catcher = step.options().catchers().get(index);
        JsonNode handlerInput;
        try {
            handlerInput = catcher.resultPath().write(input, errorNode(error));
        } catch (IllegalArgumentException e) {
            handlerInput = errorNode(error);
        }
        StepResult handled = sequence(catcher.steps(), handlerInput, path + ".catch[" + index + "].steps");
        StepRecord recorded = records.get(path);
        switch (handled) {
            case StepResult.Succeeded ok -> save(recorded.caught(error, write(ok.output()), now()));
            case StepResult.Failed failed -> save(recorded.failed(failed.error(), now()));
            case StepResult.Stopped stop -> { }
        }
        return handled;
    }

    private StepResult task(Step.Task task, JsonNode input, String path) throws InterruptedException {
        Step.RetryPolicy retry = task.options().retry();
        int maxAttempts = retry == null ? 1 : retry.maxAttempts();
        while (true) {
            StepRecord recorded = records.get(path);
            if (recorded.status() == StepStatus.RETRYING && !sleepUntil(recorded.wakeAt())) {
                return new StepResult.Stopped();
            }
            int attempt = recorded.attempts() + 1;
            save(recorded.attempt(attempt));
            TaskCalls.Outcome outcome = tasks.call(task.function(), write(input));
            if (outcome.invocationId() != null) {
                save(records.get(path).invoked(outcome.invocationId()));
            }
            if (outcome.error() == null) {
                return new StepResult.Succeeded(read(outcome.output()));
            }
            if (retry == null || attempt >= maxAttempts || !matches(retry.errors(), outcome.error())) {
                return new StepResult.Failed(outcome.error());
            }
            double delaySec = retry.intervalSec() * Math.pow(retry.backoffRate(), attempt - 1);
            Instant wakeAt = now().plusMillis(Math.round(delaySec * 1000));
            save(records.get(path).sleeping(StepStatus.RETRYING, outcome.error(), wakeAt));
        }
    }

    private StepResult parallel(Step.Parallel parallel, JsonNode input, String path) throws InterruptedException {
        List<Future<StepResult>> branches = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < parallel.branches().size(); i++) {
                List<Step> branch = parallel.branches().get(i);
                String field = path + ".branches[" + i + "]";
                branches.add(threads.submit(() -> sequence(branch, input, field)));
            }
            ArrayNode outputs = MAPPER.createArrayNode();
            StepResult firstProblem = null;
            for (Future<StepResult> branch : branches) {
                StepResult result = join(branch);
                if (result instanceof StepResult.Succeeded ok) {
                    outputs.add(ok.output());
                } else if (firstProblem == null) {
                    firstProblem = result;
                }
            }
            return firstProblem != null ? firstProblem : new StepResult.Succeeded(outputs);
        }
    }

    private static StepResult join(Future<StepResult> branch) throws InterruptedException {
        try {
            return branch.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw new IllegalStateException("a parallel branch failed unexpectedly", e.getCause());
        }
    }

    private StepResult choice(Step.Choice choice, JsonNode input, String path) throws InterruptedException {
        for (int i = 0; i < choice.choices().size(); i++) {
            Step.Branch branch = choice.choices().get(i);
            if (branch.condition().test(input)) {
                return sequence(branch.steps(), input, path + ".choices[" + i + "].steps");
            }
        }
        if (choice.defaultSteps() != null) {
            return sequence(choice.defaultSteps(), input, path + ".default");
        }
        return new StepResult.Failed(new InvocationError("NoChoiceMatched", null,
                "no condition held and the choice has no default", null));
    }

    private StepResult waitStep(Step.Wait wait, JsonNode input, String path) throws InterruptedException {
        StepRecord recorded = records.get(path);
        Instant wakeAt = recorded.wakeAt();
        if (wakeAt == null) {
            if (wait.seconds() != null) {
                wakeAt = now().plusSeconds(wait.seconds());
            } else {
                JsonNode until = wait.untilPath().read(input);
                try {
                    wakeAt = Instant.parse(until.asText());
                } catch (RuntimeException e) {
                    return new StepResult.Failed(new InvocationError("InvalidTimestamp", null, "until_path "
                            + wait.untilPath() + " is not an ISO-8601 time such as 2030-01-01T00:00:00Z", null));
                }
            }
            save(recorded.sleeping(StepStatus.WAITING, null, wakeAt));
        }
        return sleepUntil(wakeAt) ? new StepResult.Succeeded(input) : new StepResult.Stopped();
    }

    /** Sleeps until the due time; false when the run was stopped first. */
    private boolean sleepUntil(Instant due) throws InterruptedException {
        long millis = Duration.between(clock.instant(), due).toMillis();
        return millis <= 0 ? stopped.getCount() > 0 : !stopped.await(millis, TimeUnit.MILLISECONDS);
    }

    private static int catcherIndex(Step step, InvocationError error) {
        List<Step.Catcher> catchers = step.options().catchers();
        for (int i = 0; i < catchers.size(); i++) {
            if (matches(catchers.get(i).errors(), error)) {
                return i;
            }
        }
        return -1;
    }

    /** An error matches by its code ({@code Timeout}) or its type ({@code ValueError}); none or * match all. */
    static boolean matches(List<String> errors, InvocationError error) {
        return errors.isEmpty() || errors.contains(WILDCARD) || errors.contains(error.code())
                || (error.type() != null && errors.contains(error.type()));
    }

    private static JsonNode errorNode(InvocationError error) {
        ObjectNode node = MAPPER.createObjectNode().put("code", error.code()).put("message", error.message());
        if (error.type() != null) {
            node.put("type", error.type());
        }
        return node;
    }

    private void save(StepRecord step) {
        store.saveStep(step);
        records.put(step.path(), step);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** Text that is not JSON (a function may return anything) travels on as a JSON string. */
    static JsonNode read(String json) {
        if (json == null) {
            return MAPPER.nullNode();
        }
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return MAPPER.getNodeFactory().textNode(json);
        }
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }
}
