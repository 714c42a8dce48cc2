package io.nimbus.domain;

import io.nimbus.domain.async.Aftermath;
import io.nimbus.domain.async.Attempt;
import io.nimbus.domain.async.IdempotencyKey;
import io.nimbus.domain.async.Submission;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The durable queue of asynchronous invocations. An entry is leased to the node that
 * claims it; a lease that runs out (its node died) makes the entry claimable again, so
 * delivery is at least once.
 */
public interface AsyncQueue {

    /**
     * Durably records {@code pending} and queues it, in one transaction: it survives a crash
     * of the server once this returns.
     *
     * @throws DomainException NOT_FOUND when the function is gone
     */
    void enqueue(Invocation pending);

    /**
     * Like {@link #enqueue(Invocation)}, unless the function already has an unexpired
     * invocation under the same key: then nothing is queued. The key is kept in the same
     * transaction as the entry.
     */
    Submission enqueue(Invocation pending, IdempotencyKey key);

    /**
     * Claims up to {@code max} entries that are due and not leased (or whose lease expired),
     * oldest first, marks their invocations running and leases them until {@code now + lease}.
     *
     * @return the claimed invocations, with their input, in status running
     */
    List<Invocation> claim(int max, Duration lease, Instant now);

    /**
     * Writes the final record of a claimed invocation and removes its entry, in one
     * transaction. For a function deleted in the meantime it writes nothing.
     */
    void complete(Invocation finalRecord);

    /**
     * Like {@link #complete}, and writes what the invocation leaves behind (destination
     * invocations and events, a dead letter) in the same transaction.
     */
    void finish(Invocation finalRecord, Aftermath aftermath);

    /**
     * Keeps a failed attempt of a claimed invocation and queues the invocation again, due at
     * {@code notBefore}, in one transaction: a crash before or after loses nothing.
     */
    void retry(Invocation failedAttempt, Instant notBefore);

    /** The failed attempts before the current one, oldest first. */
    List<Attempt> attempts(String invocationId);

    /**
     * Clears every lease and puts the invocations back to pending. Only for a node that owns
     * its store alone (the embedded store): leases it finds at start-up belonged to its
     * previous life, and those invocations did not finish.
     *
     * @return how many entries were released
     */
    int releaseAllLeases();

    /** Entries waiting or leased. */
    long depth();
}
