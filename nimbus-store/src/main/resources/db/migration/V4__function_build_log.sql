-- What the build of a compiled runtime's current version said: warnings when it succeeded,
-- the compiler's diagnostics when it failed; NULL while it runs and for interpreted runtimes.
ALTER TABLE functions ADD COLUMN build_log TEXT;
