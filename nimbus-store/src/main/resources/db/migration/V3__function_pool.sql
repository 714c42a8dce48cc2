-- How a function's instances are pooled (see PoolSpec). NULL means the server's default.
ALTER TABLE functions ADD COLUMN min_instances INTEGER NOT NULL DEFAULT 0;
ALTER TABLE functions ADD COLUMN queue_timeout_ms INTEGER;
ALTER TABLE functions ADD COLUMN idle_ttl_sec INTEGER;
ALTER TABLE functions ADD COLUMN max_age_sec INTEGER;
ALTER TABLE functions ADD COLUMN max_invocations INTEGER;
