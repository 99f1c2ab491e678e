-- The provisioning log: one row per authenticated request to /scim/v2 (see
-- birdie.LogEntry). Texts are bounded by the writer (birdie.LogEntry.Bounded:
-- 1 KiB each, 16 KiB of body), so a row stays small. AUTOINCREMENT keeps ids
-- increasing even after every row was pruned: a follower asking for rows
-- after an id never misses new ones.
CREATE TABLE provisioning_log (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
	time          INTEGER NOT NULL, -- when the request arrived
	token_id      TEXT NOT NULL,    -- tokens.id, never the secret
	method        TEXT NOT NULL,
	path          TEXT NOT NULL,
	operation     TEXT NOT NULL,    -- create, replace, patch, delete, read, list, groups
	user_id       TEXT NOT NULL,    -- '' when none
	user_name     TEXT NOT NULL,    -- '' when unknown
	user_name_key TEXT NOT NULL,
	status        INTEGER NOT NULL,
	scim_type     TEXT NOT NULL,
	detail        TEXT NOT NULL,
	duration      INTEGER NOT NULL, -- microseconds
	client        TEXT NOT NULL,    -- User-Agent
	body          TEXT NOT NULL     -- '' unless the workspace's debug switch was on
) STRICT;
CREATE INDEX provisioning_log_time      ON provisioning_log (workspace_id, time);
CREATE INDEX provisioning_log_user_id   ON provisioning_log (workspace_id, user_id, time);
CREATE INDEX provisioning_log_user_name ON provisioning_log (workspace_id, user_name_key, time);
CREATE INDEX provisioning_log_failed    ON provisioning_log (workspace_id, time) WHERE status >= 400;

-- The debug switch: request bodies are logged until this time. NULL: off.
ALTER TABLE workspaces ADD COLUMN debug_until INTEGER;

-- Planner statistics for a large log (see 0002_planner_stats.sql): without
-- them SQLite answers "entries about this user" by walking the workspace's
-- whole log in time order instead of looking the user up.
ANALYZE sqlite_schema;
DELETE FROM sqlite_stat1 WHERE tbl = 'provisioning_log';
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('provisioning_log', 'provisioning_log_time',      '10000000 1000000 2'),
	('provisioning_log', 'provisioning_log_user_id',   '10000000 1000000 20 2'),
	('provisioning_log', 'provisioning_log_user_name', '10000000 1000000 20 2'),
	('provisioning_log', 'provisioning_log_failed',    '100000 10000 2');
ANALYZE sqlite_schema;
