package postgres_test

import (
	"errors"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"birdie"
	"birdie/internal/testbackend"
	"birdie/postgres"
	"birdie/sqlstore"
	"birdie/storetest"
)

// testURL returns the server the tests use, or skips them.
func testURL(t *testing.T) string { return testbackend.PostgresURL(t) }

func freshSchema(t *testing.T) string { return testbackend.FreshSchema(t, testURL(t)) }

func openFresh(t *testing.T) *sqlstore.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // runs before the schema is dropped
	return s
}

func TestConformance(t *testing.T) {
	testURL(t)
	storetest.RunTests(t, func(t *testing.T) birdie.Store { return openFresh(t) })
}

func TestMigrate(t *testing.T) {
	dsn := freshSchema(t)
	ctx := t.Context()
	applied, err := postgres.Migrate(ctx, dsn)
	if err != nil || len(applied) == 0 || applied[0] != "0001_init.sql" {
		t.Fatalf("Migrate on an empty schema applied %v, %v", applied, err)
	}
	applied, err = postgres.Migrate(ctx, dsn)
	if err != nil || len(applied) != 0 {
		t.Fatalf("Migrate on a current schema applied %v, %v", applied, err)
	}

	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Writer().Exec(`INSERT INTO schema_migrations (version, name, applied) VALUES (999, '0999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = postgres.Open(ctx, dsn)
	if !errors.Is(err, sqlstore.ErrSchemaTooNew) || !strings.Contains(err.Error(), "database schema version 999 is newer than this birdie binary supports") {
		t.Errorf("Open of a newer schema: %v", err)
	}
}

// TestConcurrentOpen starts several "replicas" on one empty schema at once:
// the advisory lock must let exactly one of them migrate.
func TestConcurrentOpen(t *testing.T) {
	dsn := freshSchema(t)
	const n = 5
	errs := make(chan error, n)
	for range n {
		go func() {
			s, err := postgres.Open(t.Context(), dsn)
			if err == nil {
				s.Close()
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestBadDSN(t *testing.T) {
	if _, err := postgres.Open(t.Context(), "postgres://nobody@127.0.0.1:1/x?sslmode=disable&connect_timeout=1"); err == nil {
		t.Error("Open of an unreachable server succeeded")
	}
}
