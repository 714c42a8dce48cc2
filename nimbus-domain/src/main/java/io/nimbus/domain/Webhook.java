package io.nimbus.domain;

import java.time.Instant;

/**
 * The webhook of a function: {@code POST /webhook/{key}} invokes it. Only the key's hash is
 * kept; the key itself is shown once, when issued.
 *
 * @param keyHash         hex SHA-256 of the key
 * @param hmacSecret      when set, a request must carry {@code sha256=<hex HMAC-SHA256 of the body>}
 *                        in {@code signatureHeader}; null for none
 */
public record Webhook(String functionId, String keyHash, String hmacSecret, String signatureHeader,
                      Instant createdAt) {
}
