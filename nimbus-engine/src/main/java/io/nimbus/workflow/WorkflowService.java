package io.nimbus.workflow;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nimbus.domain.DomainException;
import io.nimbus.domain.ExecutionStore;
import io.nimbus.domain.Ids;
import io.nimbus.domain.StepRecord;
import io.nimbus.domain.Workflow;
import io.nimbus.domain.WorkflowExecution;
import io.nimbus.domain.WorkflowStore;
import io.nimbus.functions.FunctionService;
import io.nimbus.invoker.Invoker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The workflow use cases: define, list, delete, start executions, read and cancel them. */
public final class WorkflowService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkflowService.class);
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern UUID_SHAPE = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    private final WorkflowStore workflows;
    private final ExecutionStore executions;
    private final FunctionService functions;
    private final ExecutionDriver driver;
    private final Clock clock;

    public WorkflowService(WorkflowStore workflows, ExecutionStore executions, FunctionService functions,
                           Invoker invoker, Clock clock, Duration pollInterval) {
        this.workflows = workflows;
        this.executions = executions;
        this.functions = functions;
        this.clock = clock;
        this.driver = new ExecutionDriver(executions, new TaskCalls(functions, invoker), clock, pollInterval);
    }

    /**
     * Starts driving executions. A node that owns its store alone first releases the leases it
     * finds: they belonged to its previous life, and those executions resume at once.
     */
    public void start(boolean ownsStoreAlone) {
        if (ownsStoreAlone) {
            int released = executions.releaseAllLeases();
            if (released > 0) {
                LOG.info("{} workflow execution(s) interrupted by the last stop resume now", released);
            }
        }
        driver.start();
    }

    /**
     * Validates and stores a definition (JSON text).
     *
     * @throws DomainException INVALID with the field at fault, CONFLICT when the name is taken
     */
    public Workflow create(String definitionJson) {
        JsonNode body = parseJson(definitionJson, "the workflow");
        WorkflowDefinition definition = DefinitionParser.parse(body, ref -> functions.find(ref).isPresent());
        Workflow workflow = new Workflow(Ids.timeOrdered(), definition.name(), definition.description(),
                ExecutionRun.write(body), now());
        workflows.create(workflow);
        return workflow;
    }

    public List<Workflow> list(int limit, int offset) {
        return workflows.list(limit, offset);
    }

    /** The workflow named by id or name, or 404. */
    public Workflow require(String ref) {
        Optional<Workflow> found = UUID_SHAPE.matcher(ref).matches() ? workflows.findById(ref)
                : workflows.findByName(ref);
        return found.orElseThrow(() -> DomainException.notFound("workflow", ref));
    }

    /** @throws DomainException CONFLICT while one of its executions runs */
    public void delete(String ref) {
        if (!workflows.delete(require(ref).id())) {
            throw DomainException.notFound("workflow", ref);
        }
    }

    /** Durably records a new execution (committed before this returns) and has the driver claim it. */
    public WorkflowExecution start(String ref, String inputJson) {
        Workflow workflow = require(ref);
        JsonNode input = parseJson(inputJson, "the input");
        WorkflowExecution execution = WorkflowExecution.started(Ids.timeOrdered(), workflow,
                ExecutionRun.write(input), now());
        executions.start(execution);
        driver.wake();
        return execution;
    }

    public WorkflowExecution execution(String id) {
        return executions.find(id).orElseThrow(() -> DomainException.notFound("execution", id));
    }

    public List<StepRecord> steps(String executionId) {
        return executions.steps(executionId);
    }

    public List<WorkflowExecution> executions(String workflowRef, int limit, int offset) {
        return executions.list(require(workflowRef).id(), limit, offset);
    }

    /**
     * Cancels a running execution: it stops at its next step or wait (a task in flight finishes).
     *
     * @throws DomainException CONFLICT when it already ended
     */
    public WorkflowExecution cancel(String id) {
        WorkflowExecution execution = execution(id);
        if (!executions.cancel(id, now())) {
            throw DomainException.conflict(null, "execution " + id + " already ended: " + execution.status().wireName());
        }
        driver.stopRun(id);
        return execution(id);
    }

    /** A definition read back from the store was valid when stored: functions are checked when tasks run. */
    static WorkflowDefinition parseStored(String definition) {
        return DefinitionParser.parse(parseJson(definition, "the stored definition"), ref -> true);
    }

    private static JsonNode parseJson(String json, String what) {
        try {
            JsonNode node = STRICT.readTree(json == null || json.isBlank() ? "{}" : json);
            if (node == null) {
                throw DomainException.invalid(null, what + " is not valid JSON");
            }
            return node;
        } catch (IOException e) {
            throw DomainException.invalid(null, what + " is not valid JSON");
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    @Override
    public void close() {
        driver.close();
    }
}
