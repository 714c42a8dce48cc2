-- Reliable async (see docs/decisions/0017): per-function retry and destination settings,
-- the failed attempts of retried invocations, dead letters and idempotency keys.

-- Lambda's "event invoke config": absent means max_retries 2, max_event_age_sec 21600, no destinations.
-- A destination is 'function:<function id>' or 'topic:<topic>'.
CREATE TABLE async_configs (
    function_id       TEXT    NOT NULL PRIMARY KEY REFERENCES functions (id) ON DELETE CASCADE,
    max_retries       INTEGER NOT NULL,
    max_event_age_sec INTEGER NOT NULL,
    on_success        TEXT,
    on_failure        TEXT,
    updated_at        BIGINT  NOT NULL
);

-- Every attempt of an async invocation that failed and was retried; the invocation's own row
-- holds the current (pending) or last attempt.
CREATE TABLE invocation_attempts (
    invocation_id TEXT    NOT NULL REFERENCES invocations (id) ON DELETE CASCADE,
    attempt       INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    error_code    TEXT,
    error_type    TEXT,
    error_message TEXT,
    logs          TEXT,
    duration_ms   BIGINT  NOT NULL,
    started_at    BIGINT,
    completed_at  BIGINT,
    PRIMARY KEY (invocation_id, attempt)
);

CREATE TABLE dead_letters (
    id                    TEXT    NOT NULL PRIMARY KEY,
    function_id           TEXT    NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    invocation_id         TEXT    NOT NULL,
    input                 TEXT    NOT NULL,
    reason                TEXT    NOT NULL, -- RetriesExhausted or EventAgeExceeded
    error_code            TEXT,
    error_type            TEXT,
    error_message         TEXT,
    attempts              INTEGER NOT NULL,
    created_at            BIGINT  NOT NULL,
    redriven_at           BIGINT,
    redrive_invocation_id TEXT
);

CREATE INDEX dead_letters_newest_first ON dead_letters (function_id, created_at DESC, id DESC);

-- An Idempotency-Key seen on an async submission, for 24 hours; an expired row is replaced.
CREATE TABLE idempotency_keys (
    function_id     TEXT   NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    idempotency_key TEXT   NOT NULL,
    request_hash    TEXT   NOT NULL,
    invocation_id   TEXT   NOT NULL,
    expires_at      BIGINT NOT NULL,
    PRIMARY KEY (function_id, idempotency_key)
);
