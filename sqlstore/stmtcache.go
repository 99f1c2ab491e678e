package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// Queries built per call (list pages, counts, log reads) have few
// distinct texts: one per shape of filter and sort, the values being
// arguments. Preparing such a text on every request made SQLite parse and
// plan it every time, which cost more than running it (a userName lookup
// spent a third of its time in SQLite's parser). The store keeps each
// text's prepared statement, on the reader pool, for its lifetime.
//
// The cache is never evicted (a statement may be in use by another
// request at any time): once it holds stmtCacheMax texts, new ones run
// unprepared as before. IdPs use a handful of shapes; a client inventing
// new ones gains nothing but their parse.
const stmtCacheMax = 256

type stmtCache struct {
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

// cached returns the prepared form of query (already rebound) on the
// reader pool, or nil when the cache is full or preparing fails (the
// caller then runs the text itself and gets the error, if any, there).
func (s *Store) cached(ctx context.Context, query string) *sql.Stmt {
	c := &s.queries
	c.mu.RLock()
	st := c.m[query]
	n := len(c.m)
	c.mu.RUnlock()
	if st != nil || n >= stmtCacheMax {
		return st
	}
	p, err := s.r.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.m[query]; st != nil { // prepared meanwhile by another request
		p.Close()
		return st
	}
	if len(c.m) >= stmtCacheMax {
		p.Close()
		return nil
	}
	if c.m == nil {
		c.m = make(map[string]*sql.Stmt)
	}
	c.m[query] = p
	return p
}

// query runs a per-call query text on the reader pool, or in tx if tx is
// not nil, through the cache. tx must be a reader-pool transaction: the
// cached statements belong to the reader pool, and SQLite refuses one in a
// transaction of another connection pool.
func (s *Store) query(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	query = s.d.rebind(query)
	st := s.cached(ctx, query)
	switch {
	case st != nil && tx != nil:
		return tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	case st != nil:
		return st.QueryContext(ctx, args...)
	case tx != nil:
		return tx.QueryContext(ctx, query, args...)
	}
	return s.r.QueryContext(ctx, query, args...)
}

// closeCached closes the cached statements, at Close.
func (s *Store) closeCached() error {
	s.queries.mu.Lock()
	defer s.queries.mu.Unlock()
	var errs []error
	for _, st := range s.queries.m {
		errs = append(errs, st.Close())
	}
	s.queries.m = nil
	return errors.Join(errs...)
}
