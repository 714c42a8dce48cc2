-- A function's HTTP route. It belongs to the function, not to a version (only the latest
-- version serves it), so it is kept in functions alone.
ALTER TABLE functions ADD COLUMN http_path TEXT;
ALTER TABLE functions ADD COLUMN http_methods TEXT;

-- One row per method of each route, keyed by the route's shape (its path with parameter
-- names erased): the key refuses a second function that would serve the same requests,
-- even when two creates race.
CREATE TABLE function_routes (
    method      TEXT NOT NULL,
    shape       TEXT NOT NULL,
    function_id TEXT NOT NULL REFERENCES functions (id) ON DELETE CASCADE,
    PRIMARY KEY (method, shape)
);
CREATE INDEX function_routes_function ON function_routes (function_id);
