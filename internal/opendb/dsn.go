// Package opendb turns the --db string every birdie command takes into an
// open store: a postgres:// or postgresql:// URL is PostgreSQL, anything
// else a SQLite file. The CLI and the benchmark share it, so that both
// read a DSN the same way.
package opendb

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"birdie/postgres"
	"birdie/sqlite"
	"birdie/sqlstore"
)

// Open opens (and migrates) the store dsn names.
func Open(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	var (
		s   *sqlstore.Store
		err error
	)
	if IsPostgres(dsn) {
		s, err = postgres.Open(ctx, dsn)
	} else {
		s, err = sqlite.Open(ctx, dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", Redact(dsn), err)
	}
	return s, nil
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Redact hides a password in a database URL, for messages and logs.
func Redact(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}
