package io.nimbus.domain;

import java.util.Optional;

/** Where the webhooks of functions are kept, found by the hash of their key. */
public interface WebhookStore {

    /** Saves the function's webhook, replacing the one it had: its old key stops working. */
    void save(Webhook webhook);

    Optional<Webhook> findByKeyHash(String keyHash);

    /** False when the function had none. */
    boolean delete(String functionId);
}
