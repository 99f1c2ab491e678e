-- How many users each workspace holds, kept in the same transaction as
-- every create and delete, so that an unfiltered list's totalResults (and
-- count=0) is a few rows read instead of a count over a million-row index.
-- The count is split over shards picked at random by each write, so that
-- concurrent creates in one workspace do not queue on one row lock.
CREATE TABLE user_counts (
	workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
	shard        INTEGER NOT NULL,
	n            BIGINT NOT NULL,
	PRIMARY KEY (workspace_id, shard)
);

INSERT INTO user_counts (workspace_id, shard, n)
	SELECT workspace_id, 0, COUNT(*) FROM users GROUP BY workspace_id;
