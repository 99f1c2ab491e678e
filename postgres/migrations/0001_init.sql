-- Birdie's first schema, the PostgreSQL twin of sqlite/migrations/0001_init.sql.
-- Times are int64 microseconds since the Unix epoch (UTC); *_key columns hold
-- birdie.FoldKey of the value next to them and are the ones indexed and
-- compared. Columns that order results use COLLATE "C" (byte order), so
-- that sorting is the same as in SQLite whatever the database's locale.

CREATE TABLE workspaces (
	id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug    TEXT COLLATE "C" NOT NULL UNIQUE,
	name    TEXT NOT NULL,
	created BIGINT NOT NULL
);

CREATE TABLE tokens (
	id           TEXT PRIMARY KEY,
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
	prefix       TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	created      BIGINT NOT NULL,
	last_used    BIGINT,          -- NULL: never used
	revoked      BIGINT           -- NULL: not revoked
);
CREATE INDEX tokens_workspace ON tokens (workspace_id, created);

-- pk is internal: it breaks ties between equal sort keys. id is the public
-- SCIM id (a UUID).
CREATE TABLE users (
	pk            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	workspace_id  BIGINT NOT NULL REFERENCES workspaces (id),
	id            TEXT COLLATE "C" NOT NULL UNIQUE,
	user_name     TEXT NOT NULL,
	user_name_key TEXT COLLATE "C" NOT NULL,
	external_id   TEXT COLLATE "C" NOT NULL,  -- '' when absent
	display_name  TEXT COLLATE "C" NOT NULL,
	display_name_key TEXT COLLATE "C" NOT NULL,
	active        BOOLEAN NOT NULL,
	email         TEXT NOT NULL,              -- the account email
	email_key     TEXT COLLATE "C" NOT NULL,
	email_values  TEXT NOT NULL,              -- JSON array of every emails[].value
	attributes    TEXT NOT NULL,              -- JSON of the canonical attribute document
	created       BIGINT NOT NULL,
	last_modified BIGINT NOT NULL,
	version       BIGINT NOT NULL
);
-- Enforces userName uniqueness per workspace (case-insensitively), and
-- serves userName lookups and sorting.
CREATE UNIQUE INDEX users_user_name_key ON users (workspace_id, user_name_key);
CREATE INDEX users_id            ON users (workspace_id, id); -- ids are time-ordered (UUIDv7): appends
CREATE INDEX users_external_id   ON users (workspace_id, external_id, pk);
CREATE INDEX users_display_name  ON users (workspace_id, display_name_key, pk);
CREATE INDEX users_email_key     ON users (workspace_id, email_key, pk);
CREATE INDEX users_created       ON users (workspace_id, created, pk);
CREATE INDEX users_last_modified ON users (workspace_id, last_modified, pk);
-- No index for sorting by active: two values, rarely sorted on, and one
-- index fewer for every create to write. sortBy=active sorts in memory.

-- One row per distinct FoldKey of a user's emails[].value, for emails.value
-- filters. workspace_id is always the user's.
CREATE TABLE user_emails (
	user_pk      BIGINT NOT NULL REFERENCES users (pk) ON DELETE CASCADE,
	workspace_id BIGINT NOT NULL,
	value_key    TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (user_pk, value_key)
);
CREATE INDEX user_emails_value ON user_emails (workspace_id, value_key, user_pk);
