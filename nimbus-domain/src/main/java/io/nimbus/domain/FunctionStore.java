package io.nimbus.domain;

import java.util.List;
import java.util.Optional;

/** Where functions and every version of their code are kept. */
public interface FunctionStore {

    /**
     * Inserts a new function (version 1) and its code in one transaction.
     *
     * @throws DomainException of kind CONFLICT (field {@code name}) when the name is taken
     */
    void create(Function function, FunctionCode code);

    /**
     * Records {@code function} as the next version, with its code, in one transaction. The
     * stored function must be at {@code function.version() - 1}.
     *
     * @throws DomainException of kind NOT_FOUND when the function is gone, CONFLICT when another
     *                         update got there first
     */
    void update(Function function, FunctionCode code);

    Optional<Function> findById(String id);

    Optional<Function> findByName(String name);

    /** Newest first by creation time, then by name. */
    List<Function> list(FunctionQuery query);

    /** Deletes the function, its versions, its invocations and its queued work. False when absent. */
    boolean delete(String id);

    Optional<FunctionCode> findCode(String functionId, int version);
}
