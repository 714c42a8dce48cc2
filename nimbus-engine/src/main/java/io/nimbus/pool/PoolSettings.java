package io.nimbus.pool;

import java.time.Duration;

/**
 * Server-wide pool settings; the concurrency cap comes from each function's {@code max_instances}.
 *
 * @param queueTimeout   how long a request waits for a free instance before 429
 * @param idleTtl        an idle instance older than this is stopped
 * @param maxAge         an instance is recycled (after its invocation) once this old
 * @param maxInvocations an instance is recycled after this many invocations
 * @param initTimeout    the most an instance may take to load its function, at least
 */
public record PoolSettings(Duration queueTimeout, Duration idleTtl, Duration maxAge, int maxInvocations,
                           Duration initTimeout) {

    public static PoolSettings defaults() {
        return new PoolSettings(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofHours(1), 10_000,
                Duration.ofSeconds(10));
    }
}
