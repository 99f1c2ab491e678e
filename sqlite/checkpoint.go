package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// In WAL mode, committed pages accumulate in the -wal file until a
// checkpoint copies them into the database. By default the connection that
// commits runs the checkpoint, inside its commit: on Birdie's single writer
// that stalls every queued write (a create's p99 of tens of milliseconds).
// Instead a checkpointer on its own connection runs PASSIVE checkpoints
// (which never block readers or the writer) a few times a second, on
// another core. The writer keeps SQLite's automatic checkpoint only as a
// safety net, at a threshold the checkpointer normally never lets the WAL
// reach.
const (
	checkpointEvery = 250 * time.Millisecond
	// autoCheckpointPages is the writer's safety-net threshold (4 KiB
	// pages: about 40 MB of WAL).
	autoCheckpointPages = 10000
)

// startCheckpointer runs PASSIVE checkpoints on db until stop is called.
func startCheckpointer(path string) (stop func(), err error) {
	db, err := sql.Open("sqlite", fileURI(path, nil))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open checkpointer for %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(fmt.Sprintf("PRAGMA busy_timeout = %d", BusyTimeoutMillis)); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: checkpointer for %s: %w", path, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				// Errors (SQLITE_BUSY when another checkpoint runs) are
				// harmless: the next tick tries again.
				db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
			}
		}
	}()
	return func() {
		cancel()
		<-done
		db.Close()
	}, nil
}
