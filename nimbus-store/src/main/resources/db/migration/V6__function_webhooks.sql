-- One webhook per function. The key is a bearer secret in a URL, so only its SHA-256 is kept
-- (a leaked database does not leak working URLs); the lookup is by that hash. The HMAC secret
-- must be kept as given: verifying a signature needs it.
CREATE TABLE function_webhooks (
    function_id      TEXT   NOT NULL PRIMARY KEY REFERENCES functions (id) ON DELETE CASCADE,
    key_hash         TEXT   NOT NULL UNIQUE,
    hmac_secret      TEXT,
    signature_header TEXT,
    created_at       BIGINT NOT NULL
);
