// Package testbackend gives tests every storage backend configured on this
// machine, so that one end-to-end test runs unchanged against each: SQLite
// always, PostgreSQL when BIRDIE_TEST_POSTGRES_URL is set.
package testbackend

import (
	"context"
	"path/filepath"
	"testing"

	"birdie"
	"birdie/sqlite"
)

// Backend names one storage backend and opens fresh, empty stores of it.
type Backend struct {
	Name string
	// DSN returns the DSN of a fresh, empty database, dropped when the
	// test ends; it is what `birdie --db` takes.
	DSN func(t testing.TB) string
	// Open opens a fresh, empty store, closed when the test ends.
	Open func(t testing.TB) birdie.Store
}

// All returns the configured backends. PostgreSQL is included only when
// BIRDIE_TEST_POSTGRES_URL is set; tests log that it was skipped otherwise.
func All(t testing.TB) []Backend {
	list := []Backend{SQLite()}
	if pg, ok := Postgres(t); ok {
		list = append(list, pg)
	}
	return list
}

// SQLite is the embedded backend, on a file in the test's temp dir.
func SQLite() Backend {
	b := Backend{Name: "sqlite"}
	b.DSN = func(t testing.TB) string { return filepath.Join(t.TempDir(), "birdie.db") }
	b.Open = func(t testing.TB) birdie.Store {
		s, err := sqlite.Open(context.Background(), b.DSN(t))
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	return b
}
