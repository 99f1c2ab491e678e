-- The provisioning log, the PostgreSQL twin of
-- sqlite/migrations/0004_provisioning_log.sql: one row per authenticated
-- request to /scim/v2 (see birdie.LogEntry). Texts are bounded by the writer
-- (birdie.LogEntry.Bounded: 1 KiB each, 16 KiB of body), so a row stays
-- small. An identity column never reuses ids, even after every row was
-- pruned.
CREATE TABLE provisioning_log (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	workspace_id  BIGINT NOT NULL REFERENCES workspaces (id),
	time          BIGINT NOT NULL,          -- when the request arrived
	token_id      TEXT NOT NULL,            -- tokens.id, never the secret
	method        TEXT NOT NULL,
	path          TEXT NOT NULL,
	operation     TEXT NOT NULL,            -- create, replace, patch, delete, read, list, groups
	user_id       TEXT COLLATE "C" NOT NULL, -- '' when none
	user_name     TEXT NOT NULL,            -- '' when unknown
	user_name_key TEXT COLLATE "C" NOT NULL,
	status        INTEGER NOT NULL,
	scim_type     TEXT NOT NULL,
	detail        TEXT NOT NULL,
	duration      BIGINT NOT NULL,          -- microseconds
	client        TEXT NOT NULL,            -- User-Agent
	body          TEXT NOT NULL             -- '' unless the workspace's debug switch was on
);
CREATE INDEX provisioning_log_time      ON provisioning_log (workspace_id, time);
CREATE INDEX provisioning_log_user_id   ON provisioning_log (workspace_id, user_id, time);
CREATE INDEX provisioning_log_user_name ON provisioning_log (workspace_id, user_name_key, time);
CREATE INDEX provisioning_log_failed    ON provisioning_log (workspace_id, time) WHERE status >= 400;

-- The debug switch: request bodies are logged until this time. NULL: off.
ALTER TABLE workspaces ADD COLUMN debug_until BIGINT;
