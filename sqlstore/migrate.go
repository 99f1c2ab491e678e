package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrSchemaTooNew is wrapped by the error Migrate returns when the database
// was migrated by a newer Birdie than this one.
var ErrSchemaTooNew = errors.New("database schema is newer than this binary")

// Migration is one numbered schema change.
type Migration struct {
	Version int    // from the file name: 0001_init.sql is version 1
	Name    string // the file name
	SQL     string
}

// Migrations reads the migrations at the root of fsys: files named
// NNNN_description.sql, numbered 1, 2, 3, … without gaps. Other files are
// ignored.
func Migrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("sqlstore: migration file %q is not named NNNN_description.sql", name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: read migration %s: %w", name, err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("sqlstore: migrations must be numbered 1, 2, 3, … without gaps or duplicates; found %s where version %d was expected", m.Name, i+1)
		}
	}
	return ms, nil
}

// Migrate brings db's schema up to date with the migrations in fsys (see
// Migrations), applying each pending one in its own transaction and
// recording it in the schema_migrations table. It returns the names of the
// migrations it applied, in order; none if the schema was current.
//
// A database whose recorded version is newer than the newest migration in
// fsys is refused with an error wrapping ErrSchemaTooNew: an older binary
// must not run against a schema it does not know.
//
// Processes migrating one database at the same time are safe: the whole
// run holds d.LockMigrations (if any), and each transaction re-reads the
// version before applying its migration.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, fsys fs.FS) ([]string, error) {
	ms, err := Migrations(fsys)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer conn.Close()

	if d.LockMigrations != "" {
		if _, err := conn.ExecContext(ctx, d.LockMigrations); err != nil {
			return nil, fmt.Errorf("sqlstore: migrate: take migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), d.UnlockMigrations)
	}

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied BIGINT NOT NULL
	)`); err != nil {
		return nil, fmt.Errorf("sqlstore: migrate: create schema_migrations: %w", err)
	}
	cur, err := schemaVersion(ctx, conn)
	if err != nil {
		return nil, err
	}
	if latest := len(ms); cur > latest {
		return nil, fmt.Errorf("%w: database schema version %d is newer than this birdie binary supports (%d); upgrade birdie", ErrSchemaTooNew, cur, latest)
	}

	var applied []string
	for _, m := range ms[cur:] {
		done, err := applyMigration(ctx, conn, d, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m.Name)
		}
	}
	return applied, nil
}

// applyMigration applies m in one transaction unless the database already
// has it (another process may have got there first).
func applyMigration(ctx context.Context, conn *sql.Conn, d Dialect, m Migration) (bool, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("sqlstore: migrate %s: %w", m.Name, err)
	}
	defer tx.Rollback()
	var cur int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&cur); err != nil {
		return false, fmt.Errorf("sqlstore: migrate %s: read version: %w", m.Name, err)
	}
	if cur >= m.Version {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("sqlstore: migrate %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`),
		m.Version, m.Name, time.Now().UnixMicro()); err != nil {
		return false, fmt.Errorf("sqlstore: migrate %s: record version: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("sqlstore: migrate %s: commit: %w", m.Name, err)
	}
	return true, nil
}

func schemaVersion(ctx context.Context, conn *sql.Conn) (int, error) {
	var v int
	if err := conn.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlstore: migrate: read schema version: %w", err)
	}
	return v, nil
}
