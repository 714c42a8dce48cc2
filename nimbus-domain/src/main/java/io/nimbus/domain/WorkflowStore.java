package io.nimbus.domain;

import java.util.List;
import java.util.Optional;

/** Where workflow definitions are kept. */
public interface WorkflowStore {

    /** @throws DomainException of kind CONFLICT (field {@code name}) when the name is taken */
    void create(Workflow workflow);

    Optional<Workflow> findById(String id);

    Optional<Workflow> findByName(String name);

    /** Newest first. */
    List<Workflow> list(int limit, int offset);

    /**
     * Deletes the workflow and its finished executions. False when absent.
     *
     * @throws DomainException of kind CONFLICT when one of its executions is still running
     */
    boolean delete(String id);
}
