package io.nimbus.domain;

/**
 * What a client asks for when it issues a function's webhook.
 *
 * @param hmacSecret      optional: requests must then be signed with it
 * @param signatureHeader the header that carries the signature; {@code X-Hub-Signature-256} when null
 */
public record WebhookRequest(String hmacSecret, String signatureHeader) {
}
