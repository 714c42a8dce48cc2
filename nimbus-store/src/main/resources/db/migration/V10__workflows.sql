-- Workflows (docs/decisions/0019-workflows.md). Definitions are JSON text; an execution keeps
-- a copy of the definition it started with. Steps are keyed by their path in the definition,
-- which runs at most once per execution because definitions have no loops.

CREATE TABLE workflows (
    id          TEXT   NOT NULL PRIMARY KEY,
    name        TEXT   NOT NULL UNIQUE,
    description TEXT   NOT NULL,
    definition  TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE INDEX workflows_newest_first ON workflows (created_at DESC, id DESC);

CREATE TABLE workflow_executions (
    id            TEXT   NOT NULL PRIMARY KEY,
    workflow_id   TEXT   NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    workflow_name TEXT   NOT NULL,
    definition    TEXT   NOT NULL,
    status        TEXT   NOT NULL,
    input         TEXT   NOT NULL,
    output        TEXT,
    error         TEXT, -- JSON object: code, type, message
    lease_owner   TEXT,
    lease_until   BIGINT, -- the node in lease_owner drives the execution until then
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT
);

CREATE INDEX workflow_executions_by_workflow ON workflow_executions (workflow_id, created_at DESC, id DESC);
CREATE INDEX workflow_executions_by_status ON workflow_executions (status, created_at, id);

CREATE TABLE workflow_steps (
    execution_id  TEXT    NOT NULL REFERENCES workflow_executions (id) ON DELETE CASCADE,
    path          TEXT    NOT NULL,
    name          TEXT,
    type          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    input         TEXT    NOT NULL,
    output        TEXT,
    error         TEXT, -- JSON object: code, type, message
    attempts      INTEGER NOT NULL,
    invocation_id TEXT,
    wake_at       BIGINT,
    started_at    BIGINT  NOT NULL,
    finished_at   BIGINT,
    PRIMARY KEY (execution_id, path)
);
