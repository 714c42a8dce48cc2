package io.nimbus.domain.async;

import io.nimbus.domain.Invocation;

/** What became of an async submission that carried an idempotency key. */
public sealed interface Submission {

    /** The key was new (or expired): the invocation is queued. */
    record Accepted(Invocation invocation) implements Submission {
    }

    /** The same request under the same key: nothing new was queued. */
    record Replayed(String invocationId) implements Submission {
    }

    /** The key was used for a different event: refused. */
    record KeyReused(String invocationId) implements Submission {
    }
}
