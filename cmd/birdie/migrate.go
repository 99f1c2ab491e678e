package main

import (
	"birdie/internal/opendb"
	"fmt"

	"birdie/postgres"
	"birdie/sqlite"
)

// migrate applies pending migrations and exits; serve applies them too, so
// this is for operators who prefer to migrate before rolling out replicas.
func (c *cli) migrate(args []string) error {
	if _, err := parse(c.flags("migrate"), args); err != nil {
		return err
	}
	migrate := sqlite.Migrate
	if opendb.IsPostgres(c.db) {
		migrate = postgres.Migrate
	}
	applied, err := migrate(c.ctx, c.db)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(applied) == 0 {
		fmt.Fprintln(c.stdout, "database schema is up to date")
	}
	for _, name := range applied {
		fmt.Fprintf(c.stdout, "applied %s\n", name)
	}
	return nil
}
