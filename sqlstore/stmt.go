package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// A stmt is a static query of the store. New prepares every stmt once, on
// the pool it runs on, so that hot paths (a user by id, a token by hash,
// the statements of a write transaction) skip parsing and planning.
// Queries built per call (ListUsers) are not stmts.
type stmt struct {
	id     int
	text   string // with "?" placeholders
	writer bool   // prepared on the writer pool (run by writes)
	lock   bool   // the dialect's ForUpdate is appended
	cte    bool   // needs Dialect.StatementWrites; not prepared without it
}

// stmts lists every stmt, in declaration order.
var stmts []*stmt

func newStmt(text string, writer, lock bool) *stmt {
	st := &stmt{id: len(stmts), text: text, writer: writer, lock: lock}
	stmts = append(stmts, st)
	return st
}

// readStmt declares a query run on the reader pool.
func readStmt(text string) *stmt { return newStmt(text, false, false) }

// writeStmt declares a statement run on the writer pool, alone or in a
// write transaction.
func writeStmt(text string) *stmt { return newStmt(text, true, false) }

// lockStmt declares a SELECT run in a write transaction that locks the
// rows it reads until commit (see Dialect.ForUpdate).
func lockStmt(text string) *stmt { return newStmt(text, true, true) }

// cteStmt declares a write statement that only dialects with StatementWrites
// run.
func cteStmt(text string) *stmt {
	st := writeStmt(text)
	st.cte = true
	return st
}

// prepare prepares every stmt the dialect runs.
func (s *Store) prepare(ctx context.Context) error {
	s.prepared = make([]*sql.Stmt, len(stmts))
	for _, st := range stmts {
		if st.cte && !s.d.StatementWrites {
			continue
		}
		db, text := s.r, st.text
		if st.writer {
			db = s.w
		}
		if st.lock {
			text += s.d.ForUpdate
		}
		p, err := db.PrepareContext(ctx, s.d.rebind(text))
		if err != nil {
			return fmt.Errorf("sqlstore: prepare %q: %w", text, err)
		}
		s.prepared[st.id] = p
	}
	return nil
}

// closeStmts closes the prepared statements.
func (s *Store) closeStmts() error {
	var errs []error
	for _, p := range s.prepared {
		if p != nil {
			errs = append(errs, p.Close())
		}
	}
	return errors.Join(errs...)
}

// stmt returns the prepared form of st, for use outside a transaction.
func (s *Store) stmt(st *stmt) *sql.Stmt { return s.prepared[st.id] }

// txStmt returns the prepared form of st bound to tx.
func (s *Store) txStmt(ctx context.Context, tx *sql.Tx, st *stmt) *sql.Stmt {
	return tx.StmtContext(ctx, s.prepared[st.id])
}
