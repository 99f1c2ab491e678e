package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"birdie"
)

// The provisioning log: every request of a known workspace is recorded
// (birdie.LogEntry) so that support can see what an IdP sent and why it
// failed. Recording must never slow or fail the request it records, so a
// request only queues its entry, without blocking, and one goroutine
// writes the queue in batches. When the queue is full or a write fails,
// entries are dropped and counted (Observer.ObserveLogDropped), never
// retried: the request they describe has been answered already.

// DefaultLogQueueSize is how many entries may wait to be written: seconds
// of traffic at the highest rates Birdie sees, and a few tens of MB at
// most (entries are bounded, birdie.LogEntry.Bounded).
const DefaultLogQueueSize = 10000

const (
	logBatchSize    = 500                    // entries per AppendLog
	logFlushEvery   = 200 * time.Millisecond // longest an entry waits for a batch to fill
	logWriteTimeout = 10 * time.Second
)

// Reasons for dropping entries, reported to Observer.ObserveLogDropped.
const (
	LogDropQueueFull   = "queue_full"   // the writer fell behind
	LogDropWriteFailed = "write_failed" // the store refused a batch
	LogDropClosed      = "closed"       // recorded after Close
)

// record queues the entry of a finished request. Requests of no known
// workspace are not recorded, since the log is per workspace: failed
// authentications, and discovery, which takes no token.
func (s *Server) record(r *http.Request, ri *requestInfo, at time.Time, status int, d time.Duration) {
	if ri.workspaceID == 0 {
		return
	}
	e := birdie.LogEntry{
		WorkspaceID: ri.workspaceID, Time: at, TokenID: ri.tokenID,
		Method: r.Method, Path: r.URL.Path, Operation: ri.op,
		UserID: ri.userID, UserName: ri.userName,
		Status: status, ScimType: ri.scimType, Detail: ri.detail,
		Duration: d, Client: r.UserAgent(),
	}
	if len(ri.body) > 0 && at.Before(ri.debugUntil) {
		e.Body = redactBody(ri.body)
	}
	s.provlog.add(e.Bounded()) // bounded now, so the queue's memory is too
}

// provLog is the queue and its writer.
type provLog struct {
	store birdie.Store
	obs   Observer
	log   *slog.Logger

	mu     sync.RWMutex // held for reading by add, for writing by close
	closed bool
	queue  chan birdie.LogEntry
	quit   chan struct{} // closed by close: write what is queued and stop
	done   chan struct{} // closed when the writer has stopped
}

func newProvLog(store birdie.Store, obs Observer, log *slog.Logger, size int) *provLog {
	l := &provLog{store: store, obs: obs, log: log,
		queue: make(chan birdie.LogEntry, size), quit: make(chan struct{}), done: make(chan struct{})}
	go l.run()
	return l
}

// add queues e, or drops and counts it if the queue is full.
func (l *provLog) add(e birdie.LogEntry) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		l.obs.ObserveLogDropped(LogDropClosed, 1)
		return
	}
	select {
	case l.queue <- e:
	default:
		l.obs.ObserveLogDropped(LogDropQueueFull, 1)
	}
}

// run writes the queue in batches: a batch is written when it holds
// logBatchSize entries or its first entry has waited logFlushEvery.
func (l *provLog) run() {
	defer close(l.done)
	for {
		var first birdie.LogEntry
		select {
		case first = <-l.queue:
		case <-l.quit:
			l.drain()
			return
		}
		batch := append(make([]birdie.LogEntry, 0, logBatchSize), first)
		timer := time.NewTimer(logFlushEvery)
	fill:
		for len(batch) < logBatchSize {
			select {
			case e := <-l.queue:
				batch = append(batch, e)
			case <-timer.C:
				break fill
			case <-l.quit:
				break fill
			}
		}
		timer.Stop()
		l.write(batch)
	}
}

// drain writes whatever is queued; nothing is added once quit is closed.
func (l *provLog) drain() {
	for {
		batch := make([]birdie.LogEntry, 0, logBatchSize)
	fill:
		for len(batch) < logBatchSize {
			select {
			case e := <-l.queue:
				batch = append(batch, e)
			default:
				break fill
			}
		}
		if len(batch) == 0 {
			return
		}
		l.write(batch)
	}
}

func (l *provLog) write(batch []birdie.LogEntry) {
	ctx, cancel := context.WithTimeout(context.Background(), logWriteTimeout)
	defer cancel()
	if err := l.store.AppendLog(ctx, batch); err != nil {
		l.obs.ObserveLogDropped(LogDropWriteFailed, len(batch))
		l.log.Warn("provisioning log: entries not written", "entries", len(batch), "error", err.Error())
	}
}

// close stops accepting entries, writes those queued and waits for the
// writer, or for ctx.
func (l *provLog) close(ctx context.Context) error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.quit)
	}
	l.mu.Unlock()
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("provisioning log: %d entries still queued: %w", len(l.queue), ctx.Err())
	}
}
