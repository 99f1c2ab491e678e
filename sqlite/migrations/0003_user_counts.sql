-- How many users each workspace holds, kept in the same transaction as
-- every create and delete, so that an unfiltered list's totalResults (and
-- count=0) is one row read instead of a count over a million-row index.
CREATE TABLE user_counts (
	workspace_id INTEGER NOT NULL REFERENCES workspaces (id),
	shard        INTEGER NOT NULL,
	n            INTEGER NOT NULL,
	PRIMARY KEY (workspace_id, shard)
) WITHOUT ROWID, STRICT;

INSERT INTO user_counts (workspace_id, shard, n)
	SELECT workspace_id, 0, COUNT(*) FROM users GROUP BY workspace_id;
