-- One migration set for SQLite and PostgreSQL alike: only types both accept (TEXT, INTEGER,
-- BIGINT, BOOLEAN). Code files are kept as a JSON object of path to base64 content in a TEXT
-- column, because the binary types differ (BLOB against BYTEA) and a second, vendor-specific
-- set of migrations would drift. Times are BIGINT milliseconds since the epoch (UTC).
-- SQLite lets a TEXT PRIMARY KEY hold NULL, hence the explicit NOT NULL on every key.

CREATE TABLE functions (
    id            TEXT    NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    description   TEXT    NOT NULL,
    runtime       TEXT    NOT NULL,
    handler       TEXT    NOT NULL,
    memory_mb     INTEGER NOT NULL,
    timeout_sec   INTEGER NOT NULL,
    max_instances INTEGER NOT NULL,
    env_vars      TEXT    NOT NULL, -- JSON object of name to value
    tags          TEXT    NOT NULL, -- JSON array, in the order given
    status        TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    code_hash     TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

CREATE INDEX functions_newest_first ON functions (created_at DESC, name);

-- The tags again, one row each, so that listing by tag is an indexed lookup that reads the
-- same on both databases (JSON operators do not).
CREATE TABLE function_tags (
    function_id TEXT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (function_id, tag)
);

CREATE INDEX function_tags_by_tag ON function_tags (tag, function_id);

CREATE TABLE function_versions (
    function_id TEXT    NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    code_hash   TEXT    NOT NULL,
    code        TEXT    NOT NULL, -- JSON object of relative path to base64 content
    created_at  BIGINT  NOT NULL,
    PRIMARY KEY (function_id, version)
);

CREATE TABLE invocations (
    id               TEXT    NOT NULL PRIMARY KEY,
    function_id      TEXT    NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    function_name    TEXT    NOT NULL,
    function_version INTEGER NOT NULL,
    trigger_type     TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    input            TEXT,
    output           TEXT,
    error_code       TEXT,
    error_type       TEXT,
    error_message    TEXT,
    error_stack      TEXT,
    logs             TEXT,
    cold_start       BOOLEAN NOT NULL,
    instance_id      TEXT,
    duration_ms      BIGINT  NOT NULL,
    created_at       BIGINT  NOT NULL,
    started_at       BIGINT,
    completed_at     BIGINT
);

CREATE INDEX invocations_newest_first ON invocations (created_at DESC, id DESC);
CREATE INDEX invocations_by_function ON invocations (function_id, created_at DESC, id DESC);
CREATE INDEX invocations_by_status ON invocations (status, created_at DESC, id DESC);

-- One row per queued async invocation; the invocation itself (with its input) is in invocations.
CREATE TABLE async_queue (
    invocation_id TEXT    NOT NULL PRIMARY KEY REFERENCES invocations (id) ON DELETE CASCADE,
    available_at  BIGINT  NOT NULL,
    lease_until   BIGINT,
    attempts      INTEGER NOT NULL, -- claims so far: a high count marks an invocation that keeps killing its node
    created_at    BIGINT  NOT NULL
);

CREATE INDEX async_queue_oldest_first ON async_queue (created_at, invocation_id);
