package io.nimbus.pool;

import io.nimbus.domain.Function;
import io.nimbus.domain.PoolSpec;

import java.time.Duration;

/**
 * Pool settings: the server's defaults, or one function's with its overrides applied
 * ({@link #forFunction}); the concurrency cap comes from each function's {@code max_instances}.
 *
 * @param queueTimeout   how long a request waits for a free instance before 429
 * @param idleTtl        an idle instance older than this is stopped
 * @param maxAge         an instance is recycled (after its invocation) once this old
 * @param maxInvocations an instance is recycled after this many invocations
 * @param initTimeout    the most an instance may take to load its function, at least
 * @param forkAfterInitMs a function whose first instance took at least this long to load
 *                        gets a template, and its later instances are forked from it
 *                        (runtimes that can fork); negative: never
 */
public record PoolSettings(Duration queueTimeout, Duration idleTtl, Duration maxAge, int maxInvocations,
                           Duration initTimeout, long forkAfterInitMs) {

    /** These settings with the function's own overrides applied. */
    public PoolSettings forFunction(Function function) {
        PoolSpec spec = function.pool();
        return new PoolSettings(
                spec.queueTimeoutMs() == null ? queueTimeout : Duration.ofMillis(spec.queueTimeoutMs()),
                spec.idleTtlSec() == null ? idleTtl : Duration.ofSeconds(spec.idleTtlSec()),
                spec.maxAgeSec() == null ? maxAge : Duration.ofSeconds(spec.maxAgeSec()),
                spec.maxInvocations() == null ? maxInvocations : spec.maxInvocations(),
                initTimeout, forkAfterInitMs);
    }
}
