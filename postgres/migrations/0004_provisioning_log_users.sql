-- Which minutes of the provisioning log mention which user, in place of
-- the two per-user indexes of 0003: the PostgreSQL twin of
-- sqlite/migrations/0005_provisioning_log_users.sql, which says why.
CREATE TABLE provisioning_log_users (
	workspace_id BIGINT NOT NULL,
	user_key     TEXT COLLATE "C" NOT NULL, -- 'i:' || user_id, or 'n:' || user_name_key
	minute       BIGINT NOT NULL,           -- provisioning_log.time / 60000000
	PRIMARY KEY (workspace_id, user_key, minute)
);
CREATE INDEX provisioning_log_users_minute ON provisioning_log_users (workspace_id, minute);

INSERT INTO provisioning_log_users (workspace_id, user_key, minute)
	SELECT DISTINCT workspace_id, 'i:' || user_id, time / 60000000 FROM provisioning_log WHERE user_id <> ''
	UNION
	SELECT DISTINCT workspace_id, 'n:' || user_name_key, time / 60000000 FROM provisioning_log WHERE user_name_key <> '';

DROP INDEX provisioning_log_user_id;
DROP INDEX provisioning_log_user_name;
