-- Request bodies kept by a workspace's debug switch hold personal data, and
-- are removed from their entries sooner than the entries themselves
-- (serve --log-body-retention; PruneLogBodies). This partial index finds
-- them: it holds only entries with a body, so the log's ordinary writes
-- never touch it.
CREATE INDEX provisioning_log_bodies ON provisioning_log (workspace_id, time) WHERE body <> '';
