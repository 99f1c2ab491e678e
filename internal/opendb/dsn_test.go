package opendb

import "testing"

func TestIsPostgresAndRedact(t *testing.T) {
	for _, c := range []struct {
		dsn      string
		postgres bool
		redacted string
	}{
		{"birdie.db", false, "birdie.db"},
		{"/var/lib/birdie/birdie.db", false, "/var/lib/birdie/birdie.db"},
		{"postgres://birdie:s3cret@db:5432/birdie", true, "postgres://birdie:xxxxx@db:5432/birdie"},
		{"postgresql://db/birdie?sslmode=require", true, "postgresql://db/birdie?sslmode=require"},
		{"host=db dbname=birdie", false, "host=db dbname=birdie"},
	} {
		if got := IsPostgres(c.dsn); got != c.postgres {
			t.Errorf("IsPostgres(%q) = %v, want %v", c.dsn, got, c.postgres)
		}
		if got := Redact(c.dsn); got != c.redacted {
			t.Errorf("Redact(%q) = %q, want %q", c.dsn, got, c.redacted)
		}
	}
}
