-- The PostgreSQL twin of sqlite/migrations/0006_provisioning_log_bodies.sql,
-- which says why.
CREATE INDEX provisioning_log_bodies ON provisioning_log (workspace_id, time) WHERE body <> '';
