package main

import (
	"context"
	"log/slog"
	"time"

	"birdie"
)

// DefaultLogRetention is how long provisioning log entries are kept.
const DefaultLogRetention = 30 * 24 * time.Hour

// DefaultLogBodyRetention is how long the request bodies a workspace's
// debug switch keeps stay in their entries. They hold personal data and
// serve one investigation, so they go well before the entries.
const DefaultLogBodyRetention = 7 * 24 * time.Hour

// pruneEvery is how often serve deletes expired log entries.
const pruneEvery = time.Hour

// startPruning deletes provisioning log entries older than retention, and
// removes the bodies of entries older than bodyRetention, now and every
// pruneEvery, in the background, until stop is called (a retention of 0
// does not prune). Every replica does it: pruning is idempotent, and
// cheap when there is nothing to delete.
func startPruning(store birdie.Store, retention, bodyRetention time.Duration, logger *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(pruneEvery)
		defer t.Stop()
		for {
			if !pruneOnce(ctx, logger, "expired entries", retention, store.PruneLogs) ||
				!pruneOnce(ctx, logger, "old request bodies", bodyRetention, store.PruneLogBodies) {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// pruneOnce runs prune with the cutoff retention ago (nothing if retention
// is 0) and logs what it did; false if ctx ended meanwhile.
func pruneOnce(ctx context.Context, logger *slog.Logger, what string, retention time.Duration, prune func(context.Context, time.Time) (int64, error)) bool {
	if retention <= 0 {
		return true
	}
	n, err := prune(ctx, time.Now().Add(-retention))
	switch {
	case ctx.Err() != nil:
		return false
	case err != nil:
		logger.Warn("provisioning log: pruning "+what+" failed; retrying in an hour", "pruned", n, "error", err.Error())
	case n > 0:
		logger.Info("provisioning log: pruned "+what, "pruned", n, "retention", retention.String())
	}
	return true
}
