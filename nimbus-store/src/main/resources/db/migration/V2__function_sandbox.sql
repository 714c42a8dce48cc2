-- How a function's instances are confined (see SandboxSpec). NULL isolation means the
-- server's default backend; NULL cpus the share that goes with memory_mb.
ALTER TABLE functions ADD COLUMN isolation TEXT;
ALTER TABLE functions ADD COLUMN network TEXT NOT NULL DEFAULT 'none';
ALTER TABLE functions ADD COLUMN ephemeral_storage_mb INTEGER NOT NULL DEFAULT 64;
ALTER TABLE functions ADD COLUMN cpus DOUBLE PRECISION;
