-- Birdie's first schema. Times are int64 microseconds since the Unix epoch
-- (UTC); *_key columns hold birdie.FoldKey of the value next to them and are
-- the ones indexed and compared. See package sqlstore.

CREATE TABLE workspaces (
	id      INTEGER PRIMARY KEY,
	slug    TEXT NOT NULL UNIQUE,
	name    TEXT NOT NULL,
	created INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
	id           TEXT PRIMARY KEY,
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	prefix       TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE,
	created      INTEGER NOT NULL,
	last_used    INTEGER,          -- NULL: never used
	revoked      INTEGER           -- NULL: not revoked
) STRICT;
CREATE INDEX tokens_workspace ON tokens (workspace_id, created);

-- pk is internal: it orders users by creation and breaks ties between equal
-- sort keys. id is the public SCIM id (a UUID).
CREATE TABLE users (
	pk            INTEGER PRIMARY KEY,
	workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
	id            TEXT NOT NULL UNIQUE,
	user_name     TEXT NOT NULL,
	user_name_key TEXT NOT NULL,
	external_id   TEXT NOT NULL,    -- '' when absent
	display_name  TEXT NOT NULL,
	display_name_key TEXT NOT NULL,
	active        INTEGER NOT NULL, -- 0 or 1
	email         TEXT NOT NULL,    -- the account email
	email_key     TEXT NOT NULL,
	email_values  TEXT NOT NULL,    -- JSON array of every emails[].value
	attributes    TEXT NOT NULL,    -- JSON of the canonical attribute document
	created       INTEGER NOT NULL,
	last_modified INTEGER NOT NULL,
	version       INTEGER NOT NULL
) STRICT;
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
-- filters.
CREATE TABLE user_emails (
	user_pk      INTEGER NOT NULL REFERENCES users (pk) ON DELETE CASCADE,
	workspace_id INTEGER NOT NULL,
	value_key    TEXT NOT NULL,
	PRIMARY KEY (user_pk, value_key)
) WITHOUT ROWID, STRICT;
CREATE INDEX user_emails_value ON user_emails (workspace_id, value_key, user_pk);
