package io.nimbus.domain.async;

import io.nimbus.domain.Invocation;
import java.util.List;
import java.util.Optional;

/** The dead-letter queue of each function. */
public interface DeadLetterStore {

    /** Newest first. */
    List<DeadLetter> list(String functionId, int limit, int offset);

    Optional<DeadLetter> find(String functionId, String id);

    /**
     * Queues {@code pending} and marks the dead letter redriven by it, in one transaction.
     *
     * @return false, queuing nothing, when the dead letter was already redriven
     */
    boolean redrive(DeadLetter deadLetter, Invocation pending);
}
