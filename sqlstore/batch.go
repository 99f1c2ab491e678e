package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit. SQLite has one writer, and most of a small write's cost is
// its commit (writing the changed pages to the WAL). When several writes
// arrive together, the batcher runs them one after another in ONE
// transaction, each inside its own SAVEPOINT, and commits once: a write
// that fails rolls back to its savepoint without touching the others, and
// every caller is answered only after the commit, so an acknowledged write
// is as durable as before. A write that finds the writer idle runs alone,
// exactly as without batching. Enabled by Dialect.BatchWrites (SQLite);
// PostgreSQL commits concurrent transactions in groups by itself.

// maxBatch bounds how many writes share one commit, so one batch never
// holds the writer for long.
const maxBatch = 64

// op states: queued, taken by the batcher, abandoned by its caller.
const (
	opQueued int32 = iota
	opRunning
	opAbandoned
)

type writeOp struct {
	ctx   context.Context
	fn    func(*sql.Tx) error
	state atomic.Int32
	done  chan opResult // buffered
}

type opResult struct {
	err      error
	panicked bool
	panicVal any
}

type batcher struct {
	ops     chan *writeOp
	quit    chan struct{}
	stopped chan struct{} // closed when runBatches has returned
	wg      sync.WaitGroup
	once    sync.Once
}

var errClosed = errors.New("store is closed")

func (s *Store) startBatcher() {
	s.batch = &batcher{ops: make(chan *writeOp, 4*maxBatch), quit: make(chan struct{}), stopped: make(chan struct{})}
	s.batch.wg.Add(1)
	go s.runBatches()
}

// stopBatcher runs the writes already queued and stops; later writes fail.
func (s *Store) stopBatcher() {
	if s.batch == nil {
		return
	}
	s.batch.once.Do(func() { close(s.batch.quit) })
	s.batch.wg.Wait()
}

// submit queues fn and waits for its result. A caller whose context ends
// while fn is still queued gets the context's error and fn never runs;
// once fn runs, the caller waits for the commit, so it never reports
// failure for a write that was in fact committed.
func (s *Store) submit(ctx context.Context, fn func(*sql.Tx) error) error {
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan opResult, 1)}
	select {
	case <-s.batch.quit: // checked first: select picks at random among ready cases
		return errClosed
	default:
	}
	select {
	case s.batch.ops <- op:
	case <-s.batch.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	var res opResult
	select {
	case res = <-op.done:
	case <-s.batch.stopped:
		// Queued as the store closed, after the batcher's last look at
		// the queue: nothing will run it.
		if op.state.CompareAndSwap(opQueued, opAbandoned) {
			return errClosed
		}
		res = <-op.done
	case <-ctx.Done():
		if op.state.CompareAndSwap(opQueued, opAbandoned) {
			return ctx.Err()
		}
		res = <-op.done
	}
	if res.panicked {
		panic(res.panicVal)
	}
	return res.err
}

// gatherWindow is how long the batcher may wait for more writes before
// starting a batch, and only when the previous batch had several and the
// next write arrived within the window (so a write that finds the writer
// idle for longer never waits). Without it, concurrent clients answered by
// one commit send their next writes a moment apart: the first found the
// writer idle and ran alone, paying a whole commit, while the others
// queued behind it. Measured under 32 clients: a third of the writer's
// time went to such single-write transactions.
const gatherWindow = 200 * time.Microsecond

func (s *Store) runBatches() {
	defer s.batch.wg.Done()
	defer close(s.batch.stopped)
	gather := time.NewTimer(time.Hour)
	gather.Stop()
	last := 1 // size of the previous batch
	for {
		var first *writeOp
		select {
		case first = <-s.batch.ops:
		default:
			idle := time.Now()
			select {
			case first = <-s.batch.ops:
			case <-s.batch.quit:
				s.failQueued()
				return
			}
			if time.Since(idle) > gatherWindow {
				// The writer was idle longer than the window: this write
				// is not one of the previous batch's writers coming
				// back, and waits for nobody.
				last = 1
			}
		}
		batch := []*writeOp{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case op := <-s.batch.ops:
				batch = append(batch, op)
			default:
				break drain
			}
		}
		if want := min(last, maxBatch); len(batch) < want {
			// The previous batch was larger: its writers are probably
			// sending their next writes now. Wait for them, briefly.
			gather.Reset(gatherWindow)
		wait:
			for len(batch) < want {
				select {
				case op := <-s.batch.ops:
					batch = append(batch, op)
				case <-gather.C:
					break wait
				case <-s.batch.quit:
					break wait
				}
			}
			gather.Stop()
		}
		last = len(batch)
		s.runBatch(batch)
	}
}

// failQueued answers the writes still queued at Close.
func (s *Store) failQueued() {
	for {
		select {
		case op := <-s.batch.ops:
			if op.state.CompareAndSwap(opQueued, opRunning) {
				op.done <- opResult{err: errClosed}
			}
		default:
			return
		}
	}
}

func (s *Store) runBatch(batch []*writeOp) {
	live := batch[:0]
	for _, op := range batch {
		if op.state.CompareAndSwap(opQueued, opRunning) {
			live = append(live, op)
		}
	}
	switch len(live) {
	case 0:
		return
	case 1:
		op := live[0]
		op.done <- runGuarded(func() error { return s.runTx(op.ctx, op.fn) })
		return
	}
	results := make([]opResult, len(live))
	err := s.runTx(context.Background(), func(tx *sql.Tx) error {
		for i, op := range live {
			if _, err := tx.ExecContext(op.ctx, "SAVEPOINT op"); err != nil {
				results[i] = opResult{err: err}
				continue
			}
			results[i] = runGuarded(func() error { return op.fn(tx) })
			if results[i].err != nil || results[i].panicked {
				if _, err := tx.Exec("ROLLBACK TO op"); err != nil {
					return err // the transaction is unusable: fail the batch
				}
			}
			if _, err := tx.Exec("RELEASE op"); err != nil {
				return err
			}
		}
		return nil
	})
	for i, op := range live {
		if err != nil && results[i].err == nil && !results[i].panicked {
			results[i] = opResult{err: err} // not committed
		}
		op.done <- results[i]
	}
}

// runGuarded calls fn, turning a panic into a result to re-raise in the
// caller's goroutine.
func runGuarded(fn func() error) (res opResult) {
	defer func() {
		if p := recover(); p != nil {
			res = opResult{panicked: true, panicVal: p}
		}
	}()
	return opResult{err: fn()}
}
