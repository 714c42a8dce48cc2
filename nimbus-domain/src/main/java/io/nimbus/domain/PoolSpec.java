package io.nimbus.domain;

/**
 * How a function's instances are pooled. Null fields take the server's defaults.
 *
 * @param minInstances   instances kept warm at all times, never reaped (provisioned concurrency)
 * @param queueTimeoutMs how long a request waits for a free instance before 429
 * @param idleTtlSec     an idle instance older than this is stopped
 * @param maxAgeSec      an instance is recycled once this old
 * @param maxInvocations an instance is recycled after this many invocations
 */
public record PoolSpec(int minInstances, Integer queueTimeoutMs, Integer idleTtlSec, Integer maxAgeSec,
                       Integer maxInvocations) {
    public static final PoolSpec DEFAULT = new PoolSpec(0, null, null, null, null);
}
