package io.nimbus.domain;

import java.util.List;
import java.util.Optional;

/** Where the aliases of functions are kept. */
public interface AliasStore {

    /**
     * @throws DomainException CONFLICT (field {@code name}) when the function has an alias of that name;
     *                         INVALID (field {@code version} or {@code additional_version}) when a version is gone
     */
    void create(Alias alias);

    /**
     * Replaces the alias's versions and weight.
     *
     * @throws DomainException NOT_FOUND when there is no such alias; INVALID as for create
     */
    void replace(Alias alias);

    Optional<Alias> find(String functionId, String name);

    /** By name. */
    List<Alias> list(String functionId);

    /** False when absent. */
    boolean delete(String functionId, String name);
}
