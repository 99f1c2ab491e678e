package testbackend

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"birdie"
	"birdie/postgres"
)

// PostgresURLEnv names the variable that points the tests at a PostgreSQL
// server; CI always sets it.
const PostgresURLEnv = "BIRDIE_TEST_POSTGRES_URL"

// Postgres returns the PostgreSQL backend if BIRDIE_TEST_POSTGRES_URL is
// set, and logs that PostgreSQL tests are skipped otherwise.
func Postgres(t testing.TB) (Backend, bool) {
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		t.Logf("PostgreSQL tests skipped: %s is unset (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresURLEnv)
		return Backend{}, false
	}
	b := Backend{Name: "postgres"}
	b.DSN = func(t testing.TB) string { return FreshSchema(t, base) }
	b.Open = func(t testing.TB) birdie.Store {
		s, err := postgres.Open(context.Background(), b.DSN(t))
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		t.Cleanup(func() { s.Close() }) // runs before the schema is dropped
		return s
	}
	return b, true
}

// FreshSchema creates a uniquely named schema on the server at base,
// dropped when the test ends, and returns a DSN whose search_path puts
// everything Birdie creates in it: each test gets an empty database
// without the cost of CREATE DATABASE.
func FreshSchema(t testing.TB, base string) string {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("connect to %s: %v", PostgresURLEnv, err)
	}
	t.Cleanup(func() { admin.Close() })
	b := make([]byte, 6)
	rand.Read(b)
	schema := "birdie_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v", schema, err)
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// PostgresURL returns the PostgreSQL server tests use, or skips the test
// with the reason when BIRDIE_TEST_POSTGRES_URL is unset.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(PostgresURLEnv)
	if u == "" {
		t.Skipf("PostgreSQL tests skipped: %s is unset (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresURLEnv)
	}
	return u
}
