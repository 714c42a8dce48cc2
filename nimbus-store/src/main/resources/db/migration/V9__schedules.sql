-- Cron schedules (see docs/decisions/0018). next_fire_at is also the lease: a scheduler fires
-- a tick only by moving it forward from the value it read (compare-and-set), in the same
-- transaction that queues the invocation, so a tick fires once however many nodes share the store.
CREATE TABLE schedules (
    function_id     TEXT    NOT NULL PRIMARY KEY REFERENCES functions (id) ON DELETE CASCADE,
    cron_expression TEXT    NOT NULL,
    timezone        TEXT    NOT NULL,
    catch_up        BOOLEAN NOT NULL,
    next_fire_at    BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);

CREATE INDEX schedules_due ON schedules (next_fire_at);
