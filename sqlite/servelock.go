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

// ErrServed is returned by LockServe when other processes serve the file
// in a way this one cannot share.
var ErrServed = errors.New("another birdie serve process is serving this database")

// LockServe registers this process as a `birdie serve` of the SQLite
// database named by dsn, until release is called (or the process ends:
// the operating system drops the lock of a killed process). A server with
// a user cache asks for the file alone (exclusive): its cache can only be
// trusted while no other process changes users in the file. A server
// without one shares the lock with others like it, and so is refused
// beside a server with a cache, and the other way round. Other commands
// (tokens, workspaces, logs) never take the lock and run beside any
// server.
//
// The lock is flock(2) on a file of its own, not on the database: closing
// any descriptor of the database file would drop SQLite's own POSIX locks
// on it. LockServe calls waiting once if the lock is held, then waits up
// to wait (a restart that overlaps the previous process's shutdown) and
// fails with ErrServed.
func LockServe(ctx context.Context, dsn string, exclusive bool, wait time.Duration, waiting func()) (release func(), err error) {
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
	for first := true; ; first = false {
		held, err := tryLock(f, exclusive)
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
		if first && waiting != nil {
			waiting()
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
