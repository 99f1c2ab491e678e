-- Planner statistics describing the database Birdie is built for (about a
-- million users spread over a few workspaces) rather than the empty one
-- migrations create. Without statistics SQLite assumes "workspace_id = ?"
-- selects a handful of rows, and may answer "externalId eq x, sorted by
-- userName" by walking the whole workspace in userName order instead of
-- looking x up and sorting the few matches. With these, it prefers the
-- selective index. (SQLite documents this use of sqlite_stat1:
-- https://sqlite.org/optoverview.html#manctrl.) A later ANALYZE replaces
-- them with measured numbers, which is fine on a large database.
--
-- stat is "rows [rows per distinct value of the first column [of the first
-- two columns […]]]".

ANALYZE sqlite_schema; -- creates sqlite_stat1 if it does not exist
DELETE FROM sqlite_stat1 WHERE tbl IN ('workspaces', 'tokens', 'users', 'user_emails');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('workspaces',  'sqlite_autoindex_workspaces_1',  '10 1'),
	('tokens',      'sqlite_autoindex_tokens_1',      '100 1'),
	('tokens',      'sqlite_autoindex_tokens_2',      '100 1'),
	('tokens',      'tokens_workspace',               '100 10 1'),
	('users',       'sqlite_autoindex_users_1',       '1000000 1'),
	('users',       'users_user_name_key',            '1000000 100000 1'),
	('users',       'users_id',                       '1000000 100000 1'),
	('users',       'users_external_id',              '1000000 100000 2 1'),
	('users',       'users_display_name',             '1000000 100000 5 1'),
	('users',       'users_email_key',                '1000000 100000 2 1'),
	('users',       'users_created',                  '1000000 100000 2 1'),
	('users',       'users_last_modified',            '1000000 100000 2 1'),
	('user_emails', 'sqlite_autoindex_user_emails_1', '1200000 2 1'),
	('user_emails', 'user_emails_value',              '1200000 120000 1 1');
ANALYZE sqlite_schema; -- makes this connection load them
