package io.nimbus.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nimbus.domain.DomainException;
import io.nimbus.domain.ExecutionStatus;
import io.nimbus.domain.ExecutionStore;
import io.nimbus.domain.InvocationError;
import io.nimbus.domain.StepRecord;
import io.nimbus.domain.StepStatus;
import io.nimbus.domain.Workflow;
import io.nimbus.domain.WorkflowExecution;
import io.nimbus.domain.WorkflowStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every workflow store must do, whatever the database. */
abstract class WorkflowStoreContractTest {
    static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final String DEFINITION = "{\"name\":\"w\",\"steps\":[{\"type\":\"wait\",\"seconds\":1}]}";

    protected Database database;
    protected WorkflowStore workflows;
    protected ExecutionStore executions;

    protected abstract StoreConfig config();

    @BeforeEach
    void openStore() {
        database = new Database(config());
        workflows = new JdbcWorkflowStore(database);
        executions = new JdbcExecutionStore(database);
    }

    @AfterEach
    void closeStore() {
        database.close();
    }

    @Test
    void createdWorkflowIsFoundByIdAndByName() {
        Workflow created = workflow("orders", T0);

        assertThat(workflows.findById(created.id())).contains(created);
        assertThat(workflows.findByName("orders")).contains(created);
        assertThat(workflows.findByName("missing")).isEmpty();
    }

    @Test
    void aTakenNameIsAConflictOnTheNameField() {
        workflow("orders", T0);

        assertThatThrownBy(() -> workflow("orders", T0.plusSeconds(1)))
                .isInstanceOfSatisfying(DomainException.class, e -> {
                    assertThat(e.kind()).isEqualTo(DomainException.Kind.CONFLICT);
                    assertThat(e.field()).isEqualTo("name");
                });
    }

    @Test
    void workflowsAreListedNewestFirstInPages() {
        Workflow older = workflow("older", T0);
        Workflow newer = workflow("newer", T0.plusSeconds(1));

        assertThat(workflows.list(10, 0)).containsExactly(newer, older);
        assertThat(workflows.list(1, 1)).containsExactly(older);
    }

    @Test
    void startedExecutionsAreFoundAndListedNewestFirst() {
        Workflow workflow = workflow("orders", T0);
        WorkflowExecution first = started(workflow, T0);
        WorkflowExecution second = started(workflow, T0.plusSeconds(1));

        assertThat(executions.find(first.id())).contains(first);
        assertThat(executions.list(workflow.id(), 10, 0)).containsExactly(second, first);
        assertThat(executions.list(workflow.id(), 1, 1)).containsExactly(first);
    }

    @Test
    void aStepIsReplacedByPathAndStepsComeInTheOrderTheyStarted() {
        WorkflowExecution execution = started(workflow("orders", T0), T0);
        StepRecord later = StepRecord.started(execution.id(), "steps[1]", null, "wait", "{}", T0.plusSeconds(2));
        StepRecord first = StepRecord.started(execution.id(), "steps[0]", "charge", "task", "{\"n\":1}", T0.plusSeconds(1));
        executions.saveStep(later);
        executions.saveStep(first);

        StepRecord retrying = first.attempt(1).invoked("inv-1").sleeping(StepStatus.RETRYING,
                new InvocationError("FunctionError", "ValueError", "boom", null), T0.plusSeconds(5));
        executions.saveStep(retrying);
        StepRecord waiting = later.sleeping(StepStatus.WAITING, null, T0.plusSeconds(60));
        executions.saveStep(waiting);

        assertThat(executions.steps(execution.id())).containsExactly(retrying, waiting);
    }

    @Test
    void finishingWritesTheEndOnceAndCancellingWinsOverALaterFinish() {
        Workflow workflow = workflow("orders", T0);
        WorkflowExecution done = started(workflow, T0);
        WorkflowExecution cancelled = started(workflow, T0.plusSeconds(1));

        WorkflowExecution succeeded = done.succeeded("{\"ok\":true}", T0.plusSeconds(5));
        assertThat(executions.finish(succeeded)).isTrue();
        assertThat(executions.cancel(cancelled.id(), T0.plusSeconds(6))).isTrue();

        assertThat(executions.find(done.id())).contains(succeeded);
        assertThat(executions.finish(cancelled.failed(new InvocationError("X", null, "late", null), T0))).isFalse();
        assertThat(executions.find(cancelled.id()).orElseThrow().status()).isEqualTo(ExecutionStatus.CANCELLED);
        assertThat(executions.cancel(done.id(), T0)).isFalse();
    }

    @Test
    void aClaimedExecutionIsLeasedToOneOwnerUntilItsLeaseRunsOut() {
        WorkflowExecution execution = started(workflow("orders", T0), T0);

        assertThat(executions.claim("a", 10, LEASE, T0)).containsExactly(execution);
        assertThat(executions.claim("b", 10, LEASE, T0.plusSeconds(30))).isEmpty();
        assertThat(executions.claim("b", 10, LEASE, T0.plusSeconds(61))).containsExactly(execution);
    }

    @Test
    void renewingExtendsTheNamedLeasesAnOwnerHoldsAndNamesTheExecutionsStillRunning() {
        Workflow workflow = workflow("orders", T0);
        WorkflowExecution kept = started(workflow, T0);
        WorkflowExecution cancelled = started(workflow, T0.plusMillis(1));
        WorkflowExecution abandoned = started(workflow, T0.plusMillis(2));
        executions.claim("a", 10, LEASE, T0);
        executions.cancel(cancelled.id(), T0);

        assertThat(executions.renew("a", List.of(kept.id(), cancelled.id()), T0.plusSeconds(120)))
                .containsExactly(kept.id());
        assertThat(executions.renew("b", List.of(kept.id()), T0.plusSeconds(120))).isEmpty();
        assertThat(executions.claim("b", 10, LEASE, T0.plusSeconds(90))).containsExactly(abandoned);
    }

    @Test
    void releasingAllLeasesMakesExecutionsClaimableAtOnce() {
        WorkflowExecution execution = started(workflow("orders", T0), T0);
        executions.claim("old-life", 10, LEASE, T0);

        assertThat(executions.releaseAllLeases()).isEqualTo(1);
        assertThat(executions.claim("new-life", 10, LEASE, T0.plusSeconds(1))).containsExactly(execution);
    }

    @Test
    void aWorkflowWithARunningExecutionIsNotDeletedAndOtherwiseGoesWithItsExecutions() {
        Workflow workflow = workflow("orders", T0);
        WorkflowExecution execution = started(workflow, T0);
        executions.saveStep(StepRecord.started(execution.id(), "steps[0]", null, "wait", "{}", T0));

        assertThatThrownBy(() -> workflows.delete(workflow.id())).isInstanceOfSatisfying(DomainException.class,
                e -> assertThat(e.kind()).isEqualTo(DomainException.Kind.CONFLICT));
        executions.finish(execution.succeeded("{}", T0.plusSeconds(1)));

        assertThat(workflows.delete(workflow.id())).isTrue();
        assertThat(workflows.delete(workflow.id())).isFalse();
        assertThat(executions.find(execution.id())).isEmpty();
        assertThat(executions.steps(execution.id())).isEmpty();
    }

    @Test
    void concurrentClaimsNeverGiveOneExecutionToTwoOwners() throws Exception {
        Workflow workflow = workflow("orders", T0);
        for (int i = 0; i < 40; i++) {
            started(workflow, T0.plusMillis(i));
        }
        Collection<String> claimed = new ConcurrentLinkedQueue<>();
        List<Callable<Void>> claimers = new ArrayList<>();
        for (int owner = 0; owner < 8; owner++) {
            String name = "node-" + owner;
            claimers.add(() -> {
                for (int round = 0; round < 10; round++) {
                    executions.claim(name, 3, LEASE, T0.plusSeconds(1)).forEach(e -> claimed.add(e.id()));
                }
                return null;
            });
        }
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            for (Future<Void> done : threads.invokeAll(claimers)) {
                done.get();
            }
        }

        assertThat(claimed).hasSize(40).doesNotHaveDuplicates();
    }

    private Workflow workflow(String name, Instant at) {
        Workflow workflow = new Workflow(UUID.randomUUID().toString(), name, "", DEFINITION, at);
        workflows.create(workflow);
        return workflow;
    }

    private WorkflowExecution started(Workflow workflow, Instant at) {
        WorkflowExecution execution = WorkflowExecution.started(UUID.randomUUID().toString(), workflow, "{\"n\":1}", at);
        executions.start(execution);
        return execution;
    }
}
