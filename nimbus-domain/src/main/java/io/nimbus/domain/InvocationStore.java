package io.nimbus.domain;

import java.util.List;
import java.util.Optional;

/** Where invocation records are kept. */
public interface InvocationStore {

    /**
     * Inserts or replaces (by id) every record, in one transaction. Records of functions
     * deleted in the meantime are dropped, never failing the batch.
     */
    void saveAll(List<Invocation> invocations);

    Optional<Invocation> findById(String id);

    /** Newest first (by creation time, then id). */
    List<Invocation> list(InvocationQuery query);
}
