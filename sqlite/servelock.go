package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// ServeLockSuffix names the lock file beside the database, e.g.
// birdie.db-serve.lock.
const ServeLockSuffix = "-serve.lock"

// ErrServed is returned by LockServe when another process serves the file.
var ErrServed = errors.New("another birdie serve process is serving this database")

// LockServe makes this process the only `birdie serve` of the SQLite
// database named by dsn, until release is called (or the process ends:
// the operating system drops the lock of a killed process). The server's
// user cache relies on it: it can only be trusted while no other process
// changes users in the file. Other commands (tokens, workspaces, logs)
// never take the lock and run beside the server as before.
//
// The lock is flock(2) on a file of its own, not on the database: closing
// any descriptor of the database file would drop SQLite's own POSIX locks
// on it. LockServe waits up to wait for a previous server that is still
// shutting down, then fails with ErrServed.
func LockServe(ctx context.Context, dsn string, wait time.Duration) (release func(), err error) {
	path, err := Path(dsn)
	if err != nil {
		return nil, err
	}
	name := path + ServeLockSuffix
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lock %s: %w", name, err)
	}
	deadline := time.Now().Add(wait)
	for {
		held, err := tryLock(f)
		if err == nil && held {
			return func() { f.Close() }, nil // closing the descriptor drops the lock
		}
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("sqlite: lock %s: %w", name, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("sqlite: %s (it holds %s): %w", path, name, ErrServed)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
