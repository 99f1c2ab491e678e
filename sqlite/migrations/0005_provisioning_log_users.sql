-- Which minutes of the provisioning log mention which user, in place of
-- the two per-user indexes of 0004. Those indexes put every entry at a
-- random place in two B-trees: under load, each log entry dirtied two
-- pages that SQLite then wrote whole to the WAL, and the log cost more than
-- the request it recorded. A row here is written once per user, workspace
-- and minute (the writer skips the ones it wrote already), and a query for
-- one user's entries reads that user's minutes, then each minute's
-- entries through provisioning_log_time. See sqlstore/log.go.
CREATE TABLE provisioning_log_users (
	workspace_id INTEGER NOT NULL,
	user_key     TEXT NOT NULL,    -- 'i:' || user_id, or 'n:' || user_name_key
	minute       INTEGER NOT NULL, -- provisioning_log.time / 60000000
	PRIMARY KEY (workspace_id, user_key, minute)
) STRICT, WITHOUT ROWID;
-- For pruning, oldest minutes first.
CREATE INDEX provisioning_log_users_minute ON provisioning_log_users (workspace_id, minute);

INSERT INTO provisioning_log_users (workspace_id, user_key, minute)
	SELECT DISTINCT workspace_id, 'i:' || user_id, time / 60000000 FROM provisioning_log WHERE user_id <> ''
	UNION
	SELECT DISTINCT workspace_id, 'n:' || user_name_key, time / 60000000 FROM provisioning_log WHERE user_name_key <> '';

DROP INDEX provisioning_log_user_id;
DROP INDEX provisioning_log_user_name;
