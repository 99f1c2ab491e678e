package sqlstore

import (
	"context"
	"fmt"
)

// Ready reports whether the store can serve: the database answers and its
// schema is still the version this process opened it with. A replica
// whose database was migrated further by a newer release answers not
// ready, so a load balancer drains it instead of letting old code write
// to a schema it does not know.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.Ping(ctx); err != nil {
		return err
	}
	v, err := s.schemaVersion(ctx)
	if err != nil {
		return err
	}
	if v != s.schema {
		return fmt.Errorf("sqlstore: database schema version is %d, this process runs version %d: restart it with a birdie release that matches the database", v, s.schema)
	}
	return nil
}

func (s *Store) schemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlstore: read schema version: %w", err)
	}
	return v, nil
}
