// Package postgres stores Birdie's data in PostgreSQL, for deployments
// that need more than one Birdie process or SQLite's durability trade-off
// is not acceptable. It connects through pgx's database/sql adapter,
// applies the embedded migrations (serialised across processes with an
// advisory lock) and hands the pool to package sqlstore, which implements
// birdie.Store for every SQL database.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"birdie/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations are the numbered .sql files applied by Migrate.
var migrations, _ = fs.Sub(migrationFiles, "migrations")

// Advisory lock keys (any fixed numbers; they only need to be Birdie's).
const (
	migrationLockKey      = 0x626972646965_01 // "birdie" 1
	firstWorkspaceLockKey = 0x626972646965_02 // "birdie" 2
)

// MaxOpenConns is the size of the connection pool Open makes.
const MaxOpenConns = 20

// Dialect is PostgreSQL's sqlstore.Dialect.
var Dialect = sqlstore.Dialect{
	Name:                "postgres",
	NumberedParams:      true,
	ForUpdate:           " FOR UPDATE",
	LockFirstWorkspace:  fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", firstWorkspaceLockKey),
	LockMigrations:      fmt.Sprintf("SELECT pg_advisory_lock(%d)", migrationLockKey),
	UnlockMigrations:    fmt.Sprintf("SELECT pg_advisory_unlock(%d)", migrationLockKey),
	ReadTx:              sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	UniqueViolation:     uniqueViolation,
	ForeignKeyViolation: foreignKeyViolation,
	CountShards:         16,
	StatementWrites:     true,
}

func uniqueViolation(err error) (string, bool) {
	var e *pgconn.PgError
	if errors.As(err, &e) && e.Code == "23505" {
		return e.ConstraintName, true // e.g. "users_user_name_key"
	}
	return "", false
}

func foreignKeyViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23503"
}

// openDB opens a pool on dsn, which is anything pgx.ParseConfig accepts: a
// URL (postgres://user:pass@host:5432/db?sslmode=disable, or postgresql://)
// or key=value pairs (host=… dbname=… user=…); unknown URL parameters such
// as search_path are sent to the server as run-time parameters. The
// standard PG* environment variables fill in what the DSN leaves out.
func openDB(ctx context.Context, dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: bad connection string: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(MaxOpenConns)
	db.SetMaxIdleConns(MaxOpenConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect to %s:%d/%s: %w", cfg.Host, cfg.Port, cfg.Database, err)
	}
	return db, nil
}

// Open connects to the database named by dsn (see openDB for the forms
// accepted), applies any pending migrations and returns the store. A
// database migrated by a newer Birdie is refused.
func Open(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if _, err := sqlstore.Migrate(ctx, db, Dialect, migrations); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s, err := sqlstore.New(ctx, db, db, Dialect)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return s, nil
}

// Migrate applies the pending migrations to the database named by dsn and
// returns the names of those it applied, for a "birdie migrate" command.
// Open migrates too; Migrate lets an operator do it alone, e.g. before a
// rollout. Replicas starting together are safe: migration runs under a
// PostgreSQL advisory lock.
func Migrate(ctx context.Context, dsn string) ([]string, error) {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	applied, err := sqlstore.Migrate(ctx, db, Dialect, migrations)
	if err != nil {
		return applied, fmt.Errorf("postgres: %w", err)
	}
	return applied, nil
}
