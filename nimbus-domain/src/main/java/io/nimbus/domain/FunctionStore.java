package io.nimbus.domain;

import java.util.List;
import java.util.Optional;

/** Where functions and every version of their code are kept. */
public interface FunctionStore {

    /**
     * Inserts a new function (version 1) and its code in one transaction.
     *
     * @throws DomainException of kind CONFLICT (field {@code name}) when the name is taken, or
     *                         (field {@code http_path}) when another function serves the route
     */
    void create(Function function, FunctionCode code);

    /**
     * Records {@code function} as the next version, with its code, in one transaction. The
     * stored function must be at {@code function.version() - 1}.
     *
     * @throws DomainException of kind NOT_FOUND when the function is gone, CONFLICT when another
     *                         update got there first or another function serves the route
     */
    void update(Function function, FunctionCode code);

    Optional<Function> findById(String id);

    Optional<Function> findByName(String name);

    /** Every function with an HTTP route, at its latest version. */
    List<Function> routed();

    /** Newest first by creation time, then by name. */
    List<Function> list(FunctionQuery query);

    /** Deletes the function, its versions, its invocations and its queued work. False when absent. */
    boolean delete(String id);

    Optional<FunctionCode> findCode(String functionId, int version);

    /**
     * Records how the build of one version ended: its status and build log. Applies only while
     * that version is the function's current one and still building, so that a late build of a
     * replaced version never overwrites its successor. False when it did not apply.
     */
    boolean finishBuild(String functionId, int version, FunctionStatus status, String buildLog);

    /** Every function whose current version is still building: builds a stopped server did not finish. */
    java.util.List<Function> building();

    /** One version as it was published: its configuration, code hash and build status. */
    Optional<Function> findVersion(String functionId, int version);

    /** The versions still kept, newest first. */
    List<Function> versions(String functionId);

    /**
     * Deletes the versions older than {@code lowestKept}, except those an alias points at, with
     * their code. Returns the versions deleted.
     */
    List<Integer> deleteVersionsBelow(String functionId, int lowestKept);
}
