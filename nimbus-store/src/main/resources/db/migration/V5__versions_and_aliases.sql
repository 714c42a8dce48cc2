-- Every version keeps its whole configuration, not only its code: a rollback or a call to
-- name:3 must run version 3 as it was published. The columns mirror those of functions;
-- they are nullable only because ALTER TABLE cannot add NOT NULL columns without a default,
-- and the store always writes them. Versions published before this migration get the
-- function's current configuration, the best that is known about them.
ALTER TABLE function_versions ADD COLUMN description TEXT;
ALTER TABLE function_versions ADD COLUMN runtime TEXT;
ALTER TABLE function_versions ADD COLUMN handler TEXT;
ALTER TABLE function_versions ADD COLUMN memory_mb INTEGER;
ALTER TABLE function_versions ADD COLUMN timeout_sec INTEGER;
ALTER TABLE function_versions ADD COLUMN max_instances INTEGER;
ALTER TABLE function_versions ADD COLUMN env_vars TEXT;
ALTER TABLE function_versions ADD COLUMN tags TEXT;
ALTER TABLE function_versions ADD COLUMN status TEXT;
ALTER TABLE function_versions ADD COLUMN build_log TEXT;
ALTER TABLE function_versions ADD COLUMN isolation TEXT;
ALTER TABLE function_versions ADD COLUMN network TEXT;
ALTER TABLE function_versions ADD COLUMN ephemeral_storage_mb INTEGER;
ALTER TABLE function_versions ADD COLUMN cpus DOUBLE PRECISION;
ALTER TABLE function_versions ADD COLUMN min_instances INTEGER;
ALTER TABLE function_versions ADD COLUMN queue_timeout_ms INTEGER;
ALTER TABLE function_versions ADD COLUMN idle_ttl_sec INTEGER;
ALTER TABLE function_versions ADD COLUMN max_age_sec INTEGER;
ALTER TABLE function_versions ADD COLUMN max_invocations INTEGER;

UPDATE function_versions SET
    description          = (SELECT f.description FROM functions f WHERE f.id = function_versions.function_id),
    runtime              = (SELECT f.runtime FROM functions f WHERE f.id = function_versions.function_id),
    handler              = (SELECT f.handler FROM functions f WHERE f.id = function_versions.function_id),
    memory_mb            = (SELECT f.memory_mb FROM functions f WHERE f.id = function_versions.function_id),
    timeout_sec          = (SELECT f.timeout_sec FROM functions f WHERE f.id = function_versions.function_id),
    max_instances        = (SELECT f.max_instances FROM functions f WHERE f.id = function_versions.function_id),
    env_vars             = (SELECT f.env_vars FROM functions f WHERE f.id = function_versions.function_id),
    tags                 = (SELECT f.tags FROM functions f WHERE f.id = function_versions.function_id),
    status               = (SELECT f.status FROM functions f WHERE f.id = function_versions.function_id),
    build_log            = (SELECT f.build_log FROM functions f WHERE f.id = function_versions.function_id),
    isolation            = (SELECT f.isolation FROM functions f WHERE f.id = function_versions.function_id),
    network              = (SELECT f.network FROM functions f WHERE f.id = function_versions.function_id),
    ephemeral_storage_mb = (SELECT f.ephemeral_storage_mb FROM functions f WHERE f.id = function_versions.function_id),
    cpus                 = (SELECT f.cpus FROM functions f WHERE f.id = function_versions.function_id),
    min_instances        = (SELECT f.min_instances FROM functions f WHERE f.id = function_versions.function_id),
    queue_timeout_ms     = (SELECT f.queue_timeout_ms FROM functions f WHERE f.id = function_versions.function_id),
    idle_ttl_sec         = (SELECT f.idle_ttl_sec FROM functions f WHERE f.id = function_versions.function_id),
    max_age_sec          = (SELECT f.max_age_sec FROM functions f WHERE f.id = function_versions.function_id),
    max_invocations      = (SELECT f.max_invocations FROM functions f WHERE f.id = function_versions.function_id);

-- An alias names a version, and optionally a second one that takes a share (weight, 0..1) of
-- its calls: a canary. The foreign keys keep a version an alias points at from being deleted
-- (retention skips them; a race with a new alias fails instead of leaving it dangling).
CREATE TABLE function_aliases (
    function_id        TEXT             NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    name               TEXT             NOT NULL,
    version            INTEGER          NOT NULL,
    additional_version INTEGER,
    weight             DOUBLE PRECISION NOT NULL,
    created_at         BIGINT           NOT NULL,
    updated_at         BIGINT           NOT NULL,
    PRIMARY KEY (function_id, name),
    FOREIGN KEY (function_id, version) REFERENCES function_versions (function_id, version),
    FOREIGN KEY (function_id, additional_version) REFERENCES function_versions (function_id, version)
);
