package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"birdie/postgres"
	"birdie/sqlite"
	"birdie/sqlstore"
)

// openStore opens the store a DSN names: a postgres:// or postgresql://
// URL, or else a SQLite file (a plain path or a sqlite: DSN).
func openStore(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	var (
		s   *sqlstore.Store
		err error
	)
	if isPostgres(dsn) {
		s, err = postgres.Open(ctx, dsn)
	} else {
		s, err = sqlite.Open(ctx, dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactDSN(dsn), err)
	}
	return s, nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// redactDSN hides a password in a database URL, for messages and logs.
func redactDSN(dsn string) string {
	if !isPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}
