package io.nimbus.domain.async;

import java.time.Instant;

/**
 * An Idempotency-Key of an async submission.
 *
 * @param requestHash a digest of the event, to tell a replay from a different request under the same key
 */
public record IdempotencyKey(String key, String requestHash, Instant expiresAt) {
}
