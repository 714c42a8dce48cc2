-- The event bus (see docs/decisions/0017): rules bind a topic, with an optional filter, to a
-- function; a published event is kept with the number of invocations it started.
CREATE TABLE rules (
    id          TEXT   NOT NULL PRIMARY KEY,
    name        TEXT   NOT NULL UNIQUE,
    topic       TEXT   NOT NULL,
    filter      TEXT,  -- JSON object of field path to condition, NULL for every event
    function_id TEXT   NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL
);

CREATE INDEX rules_by_topic ON rules (topic, name);

CREATE TABLE events (
    id           TEXT    NOT NULL PRIMARY KEY,
    topic        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    deliveries   INTEGER NOT NULL,
    published_at BIGINT  NOT NULL
);

CREATE INDEX events_by_topic ON events (topic, published_at DESC, id DESC);
