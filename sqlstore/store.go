package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"birdie"
)

// Store is a birdie.Store over database/sql.
//
// Writes go to the writer handle and reads to the reader handle. For
// SQLite these are two pools on one file: a single-connection writer whose
// transactions begin IMMEDIATE, so that concurrent writes queue in Go
// instead of failing with SQLITE_BUSY, and a pool of read-only connections
// that WAL lets run alongside it. For PostgreSQL both are the same pool.
type Store struct {
	w, r     *sql.DB
	d        Dialect
	now      func() time.Time
	prepared []*sql.Stmt  // by stmt.id
	schema   int          // schema version when the store was opened (see Ready)
	resume   resumeCache  // where recent pages ended (see listExact)
	batch    *batcher     // group commit, with Dialect.BatchWrites
	onClose  []func()     // see OnClose
	logUsers logUsersSeen // provisioning_log_users rows written (see AppendLog)
	queries  stmtCache    // prepared per-call query texts (see stmtcache.go)
}

var _ birdie.Store = (*Store)(nil)

// New returns a Store over already opened and migrated databases, and
// prepares its statements. writer and reader may be the same *sql.DB. The
// Store owns them: Close closes them.
func New(ctx context.Context, writer, reader *sql.DB, d Dialect) (*Store, error) {
	if d.UniqueViolation == nil {
		d.UniqueViolation = func(error) (string, bool) { return "", false }
	}
	if d.ForeignKeyViolation == nil {
		d.ForeignKeyViolation = func(error) bool { return false }
	}
	s := &Store{w: writer, r: reader, d: d, now: time.Now}
	v, err := s.schemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	s.schema = v
	if d.BatchWrites {
		s.startBatcher()
	}
	if err := s.prepare(ctx); err != nil {
		s.closeStmts()
		return nil, err
	}
	return s, nil
}

// Dialect returns the store's dialect.
func (s *Store) Dialect() Dialect { return s.d }

// Writer returns the handle writes go through (for tools and tests, e.g.
// EXPLAIN). Writing through it bypasses the store's invariants.
func (s *Store) Writer() *sql.DB { return s.w }

// Reader returns the handle reads go through.
func (s *Store) Reader() *sql.DB { return s.r }

// Ping checks that both handles reach the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping %s: %w", s.d.Name, err)
	}
	if s.r != s.w {
		if err := s.r.PingContext(ctx); err != nil {
			return fmt.Errorf("sqlstore: ping %s: %w", s.d.Name, err)
		}
	}
	return nil
}

// Close closes the prepared statements and the database handles.
func (s *Store) Close() error {
	s.stopBatcher()
	for _, f := range s.onClose {
		f()
	}
	err := errors.Join(s.closeStmts(), s.closeCached(), s.w.Close())
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// OnClose registers f to run when the store closes, before its databases
// do (a backend's background work, such as SQLite's checkpointer).
func (s *Store) OnClose(f func()) { s.onClose = append(s.onClose, f) }

// inTx runs fn in a write transaction and commits if fn returns nil. The
// transaction is rolled back if fn fails or panics (a caller's update
// function may): SQLite has one writer connection, and a transaction left
// open would stall every later write.
//
// With Dialect.BatchWrites, fn may share its transaction (and commit) with
// other writes, inside a savepoint of its own (see batch.go); its effects
// and its result are the same.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.batch != nil {
		return s.submit(ctx, fn)
	}
	return s.runTx(ctx, fn)
}

// runTx runs fn in a transaction of its own.
func (s *Store) runTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// wrap gives err the context of the operation, unless it is already a
// *birdie.Error meant for the caller.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var be *birdie.Error
	if errors.As(err, &be) {
		return err
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// micros is how times are stored: microseconds since the epoch, UTC.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros is the inverse of micros; the result is in UTC.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// nullMicros stores a zero time as NULL.
func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(t), Valid: true}
}

// fromNullMicros is the inverse of nullMicros.
func fromNullMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMicros(n.Int64)
}
