// Package sqlite stores Birdie's data in one SQLite file, through
// modernc.org/sqlite (pure Go, no cgo, so Birdie stays one static binary).
// It opens the file with the right pragmas, applies the embedded migrations
// and hands the connections to package sqlstore, which implements
// birdie.Store for every SQL database.
//
// # Durability
//
// The database runs in WAL mode with synchronous=NORMAL: a committed
// transaction survives the Birdie process being killed, but an operating
// system crash or power loss can lose the last few transactions committed
// before it (the database itself stays consistent). Use PostgreSQL where
// that is not acceptable.
//
// # Concurrency
//
// SQLite allows one writer at a time. Open therefore makes two pools on the
// file: a writer with a single connection whose transactions begin
// IMMEDIATE (taking the write lock up front, so a read-modify-write cannot
// fail half-way with SQLITE_BUSY), and a pool of read-only connections that
// WAL lets read while the writer writes. Concurrent writes in one process
// queue for the writer connection; across processes they wait up to the
// busy timeout.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strings"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"birdie/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations are the numbered .sql files applied by Migrate.
var migrations, _ = fs.Sub(migrationFiles, "migrations")

// BusyTimeoutMillis is how long a connection waits for another process's
// lock on the file before failing with SQLITE_BUSY.
const BusyTimeoutMillis = 10_000

// Dialect is SQLite's sqlstore.Dialect.
var Dialect = sqlstore.Dialect{
	Name: "sqlite",
	// Write transactions begin IMMEDIATE (see writerDSN), so the row
	// UpdateUser and DeleteUser read cannot change before they write.
	ForUpdate:           "",
	ReadTx:              sql.TxOptions{ReadOnly: true},
	UniqueViolation:     uniqueViolation,
	ForeignKeyViolation: foreignKeyViolation,
	BatchWrites:         true,
	SortMatches:         true,
}

func uniqueViolation(err error) (string, bool) {
	var e *sqlite.Error
	if errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		// "UNIQUE constraint failed: users.workspace_id, users.user_name_key"
		return e.Error(), true
	}
	return "", false
}

func foreignKeyViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// Path returns the file path named by dsn, which may be
//
//   - a plain path: "birdie.db", "/var/lib/birdie/birdie.db";
//   - "sqlite:" followed by a path: "sqlite:birdie.db", "sqlite:/var/lib/birdie.db";
//   - "sqlite://" followed by a path: "sqlite://birdie.db" (relative),
//     "sqlite:///var/lib/birdie.db" (absolute).
//
// Everything after the prefix is the path, taken literally: there are no
// query parameters (Birdie sets the pragmas itself). In-memory databases
// are refused, since the writer and reader pools must share one file.
func Path(dsn string) (string, error) {
	p := dsn
	switch {
	case strings.HasPrefix(p, "sqlite://"):
		p = strings.TrimPrefix(p, "sqlite://")
	case strings.HasPrefix(p, "sqlite:"):
		p = strings.TrimPrefix(p, "sqlite:")
	}
	switch {
	case p == "":
		return "", fmt.Errorf("sqlite: no database path in %q; give a file path such as sqlite:///var/lib/birdie/birdie.db", dsn)
	case p == ":memory:" || strings.HasPrefix(p, "file:"):
		return "", fmt.Errorf("sqlite: %q is not supported: give a plain file path (Birdie opens separate reader and writer connections, which an in-memory or URI database cannot share)", dsn)
	}
	return p, nil
}

// fileURI builds the modernc DSN for path with the given query.
func fileURI(path string, q url.Values) string {
	u := url.URL{Path: path}
	return "file:" + u.EscapedPath() + "?" + q.Encode()
}

func writerDSN(path string) string {
	return fileURI(path, url.Values{
		"_txlock": {"immediate"},
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", BusyTimeoutMillis),
			"journal_mode(WAL)",
			"synchronous(NORMAL)",
			"foreign_keys(ON)",
			// A batch of creates touches pages of ten indexes; with the
			// default 2 MB cache the writer spills them to the WAL
			// before commit, writing pages twice.
			fmt.Sprintf("cache_size(-%d)", WriterCacheKiB),
			// Group commit (sqlstore/batch.go) runs each write in a
			// savepoint, and SQLite copies every page a savepoint first
			// changes to a sub-journal: a temporary file by default,
			// one write system call per page. In memory it costs a
			// copy; it only ever serves rolling back a savepoint, never
			// recovery, which the WAL does.
			"temp_store(MEMORY)",
			fmt.Sprintf("wal_autocheckpoint(%d)", autoCheckpointPages),
		},
	})
}

// WriterCacheKiB is the writer connection's page cache. It holds the
// upper levels of every index for writes, which at a million users take a
// few hundred pages; leaves are random and missed either way. 16 MiB
// made no measurable difference to writes at 200,000 users and cost the
// server 15 MB more at its peak (SQLite's allocator fragments).
const WriterCacheKiB = 8 << 10

// ReaderCacheKiB is each reader connection's page cache, half SQLite's
// default. A reader's cache only lives until the next commit by anyone
// (in WAL mode a read transaction that finds the database changed starts
// with an empty cache), and the provisioning log commits several times a
// second under load: a larger cache would hold memory, not hits. Misses
// are served by the operating system's file cache.
const ReaderCacheKiB = 1 << 10

func readerDSN(path string) string {
	return fileURI(path, url.Values{
		"_pragma": {
			fmt.Sprintf("busy_timeout(%d)", BusyTimeoutMillis),
			"foreign_keys(ON)",
			"query_only(1)",
			fmt.Sprintf("cache_size(-%d)", ReaderCacheKiB),
		},
	})
}

// openWriter opens the single-connection writer pool and checks that WAL
// mode took effect.
func openWriter(ctx context.Context, path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", writerDSN(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	var mode string
	if err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: journal mode is %q, not WAL (is the file on a filesystem without shared-memory support?)", path, mode)
	}
	return db, nil
}

// Open opens (creating if needed) the SQLite database named by dsn (see
// Path for the forms accepted), applies any pending migrations and returns
// the store. A database migrated by a newer Birdie is refused.
func Open(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	path, err := Path(dsn)
	if err != nil {
		return nil, err
	}
	w, err := openWriter(ctx, path)
	if err != nil {
		return nil, err
	}
	if _, err := sqlstore.Migrate(ctx, w, Dialect, migrations); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", readerDSN(path))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s, err := sqlstore.New(ctx, w, r, Dialect)
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	stop, err := startCheckpointer(path)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.OnClose(stop)
	return s, nil
}

// Migrate applies the pending migrations to the database named by dsn
// (creating the file if needed) and returns the names of those it applied,
// for a "birdie migrate" command. Open migrates too; Migrate lets an
// operator do it alone, e.g. before a rollout.
func Migrate(ctx context.Context, dsn string) ([]string, error) {
	path, err := Path(dsn)
	if err != nil {
		return nil, err
	}
	w, err := openWriter(ctx, path)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	applied, err := sqlstore.Migrate(ctx, w, Dialect, migrations)
	if err != nil {
		return applied, fmt.Errorf("sqlite: %s: %w", path, err)
	}
	return applied, nil
}
