package testbackend

import "testing"

// Postgres returns the PostgreSQL backend if BIRDIE_TEST_POSTGRES_URL is
// set.
func Postgres(t testing.TB) (Backend, bool) {
	t.Log("PostgreSQL backend not built yet")
	return Backend{}, false
}
