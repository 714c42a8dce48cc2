package io.nimbus.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where workflow executions and their steps are kept. A running execution is driven by the
 * node that holds its lease; a lease that runs out (its node died) lets another node claim it,
 * so two nodes never drive one execution at once.
 */
public interface ExecutionStore {

    /** Durably records a new running execution, unleased: a driver claims it. */
    void start(WorkflowExecution execution);

    Optional<WorkflowExecution> find(String id);

    /** Newest first. */
    List<WorkflowExecution> list(String workflowId, int limit, int offset);

    /** Every step recorded so far, in the order they started. */
    List<StepRecord> steps(String executionId);

    /** Inserts or replaces the step with the same execution and path. */
    void saveStep(StepRecord step);

    /** Writes the final state of a running execution and drops its lease; false when it was no longer running. */
    boolean finish(WorkflowExecution finalState);

    /** Marks a running execution cancelled; false when it was not running. */
    boolean cancel(String id, Instant now);

    /** Leases up to {@code max} running executions that no live lease holds, oldest first, to {@code owner}. */
    List<WorkflowExecution> claim(String owner, int max, Duration lease, Instant now);

    /**
     * Extends the leases {@code owner} holds on the executions {@code ids}, those still running.
     * Only the executions a node is driving are named, so that the lease of one whose run broke
     * off runs out and another claim resumes it.
     *
     * @return the ids among {@code ids} that it still holds and that are still running
     */
    Set<String> renew(String owner, Collection<String> ids, Instant until);

    /** Clears every lease: for a node that owns its store alone, at start-up. */
    int releaseAllLeases();
}
