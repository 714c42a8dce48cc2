package io.nimbus.store;

import io.nimbus.domain.Webhook;
import io.nimbus.domain.WebhookStore;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** Webhooks in function_webhooks, one per function. */
public final class JdbcWebhookStore implements WebhookStore {
    private final Database database;

    public JdbcWebhookStore(Database database) {
        this.database = database;
    }

    /** Delete then insert in one transaction: the portable upsert. */
    @Override
    public void save(Webhook webhook) {
        String insert = "INSERT INTO function_webhooks (function_id, key_hash, hmac_secret, signature_header, created_at)"
                + " VALUES (?, ?, ?, ?, ?)";
        database.inTransaction("save the webhook of function " + webhook.functionId(), connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM function_webhooks WHERE function_id = ?")) {
                delete.setString(1, webhook.functionId());
                delete.executeUpdate();
            }
            try (PreparedStatement statement = connection.prepareStatement(insert)) {
                statement.setString(1, webhook.functionId());
                statement.setString(2, webhook.keyHash());
                statement.setString(3, webhook.hmacSecret());
                statement.setString(4, webhook.signatureHeader());
                EpochMillis.bind(statement, 5, webhook.createdAt());
                return statement.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Webhook> findByKeyHash(String keyHash) {
        String sql = "SELECT function_id, key_hash, hmac_secret, signature_header, created_at FROM function_webhooks"
                + " WHERE key_hash = ?";
        return database.withConnection("find a webhook", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, keyHash);
                try (ResultSet row = statement.executeQuery()) {
                    return row.next()
                            ? Optional.of(new Webhook(row.getString("function_id"), row.getString("key_hash"),
                                    row.getString("hmac_secret"), row.getString("signature_header"),
                                    EpochMillis.read(row, "created_at")))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public boolean delete(String functionId) {
        return database.withConnection("delete the webhook of function " + functionId, connection -> {
            try (PreparedStatement statement = connection.prepareStatement("DELETE FROM function_webhooks WHERE function_id = ?")) {
                statement.setString(1, functionId);
                return statement.executeUpdate() > 0;
            }
        });
    }
}
