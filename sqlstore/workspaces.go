package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"birdie"
)

const workspaceCols = `id, slug, name, created`

func scanWorkspace(row interface{ Scan(...any) error }) (birdie.Workspace, error) {
	var ws birdie.Workspace
	var created int64
	if err := row.Scan(&ws.ID, &ws.Slug, &ws.Name, &created); err != nil {
		return birdie.Workspace{}, err
	}
	ws.Created = fromMicros(created)
	return ws, nil
}

// CreateWorkspace adds a workspace. ECONFLICT if the slug is taken.
func (s *Store) CreateWorkspace(ctx context.Context, slug, name string) (birdie.Workspace, error) {
	var ws birdie.Workspace
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		ws, err = s.insertWorkspace(ctx, tx, slug, name)
		return err
	})
	return ws, wrap("create workspace", err)
}

func (s *Store) insertWorkspace(ctx context.Context, tx *sql.Tx, slug, name string) (birdie.Workspace, error) {
	ws := birdie.Workspace{Slug: slug, Name: name, Created: fromMicros(micros(s.now()))}
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO workspaces (slug, name, created) VALUES (?, ?, ?) RETURNING id`),
		slug, name, micros(ws.Created)).Scan(&ws.ID)
	if _, ok := s.d.UniqueViolation(err); ok {
		return birdie.Workspace{}, birdie.Errorf(birdie.ECONFLICT, "workspace slug %q is already taken; choose another slug", slug)
	}
	return ws, err
}

// CreateFirstWorkspace adds a workspace only if the store holds none. The
// check and the insert happen in one write transaction, which SQLite
// serialises (IMMEDIATE) and PostgreSQL serialises with the dialect's
// LockFirstWorkspace; should a racer still slip through on the slug's
// unique index, it reports the existing workspace with created == false.
// When the store is not empty, the oldest workspace is returned.
func (s *Store) CreateFirstWorkspace(ctx context.Context, slug, name string) (birdie.Workspace, bool, error) {
	var ws birdie.Workspace
	created := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.d.LockFirstWorkspace != "" {
			if _, err := tx.ExecContext(ctx, s.d.LockFirstWorkspace); err != nil {
				return err
			}
		}
		var err error
		ws, err = scanWorkspace(tx.QueryRowContext(ctx, `SELECT `+workspaceCols+` FROM workspaces ORDER BY id LIMIT 1`))
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		ws, err = s.insertWorkspace(ctx, tx, slug, name)
		created = err == nil
		return err
	})
	if birdie.ErrorCode(err) == birdie.ECONFLICT {
		// Lost a race on the slug: the winner's workspace exists now.
		ws, err = s.Workspace(ctx, slug)
		return ws, false, err
	}
	if err != nil {
		return birdie.Workspace{}, false, wrap("create first workspace", err)
	}
	return ws, created, nil
}

// Workspace returns the workspace with the slug. ENOTFOUND if none.
func (s *Store) Workspace(ctx context.Context, slug string) (birdie.Workspace, error) {
	ws, err := scanWorkspace(s.r.QueryRowContext(ctx, s.q(`SELECT `+workspaceCols+` FROM workspaces WHERE slug = ?`), slug))
	if errors.Is(err, sql.ErrNoRows) {
		return birdie.Workspace{}, birdie.Errorf(birdie.ENOTFOUND, "workspace %q not found", slug)
	}
	return ws, wrap("get workspace", err)
}

// Workspaces lists every workspace, ordered by slug.
func (s *Store) Workspaces(ctx context.Context) ([]birdie.Workspace, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+workspaceCols+` FROM workspaces ORDER BY slug`)
	if err != nil {
		return nil, wrap("list workspaces", err)
	}
	defer rows.Close()
	var list []birdie.Workspace
	for rows.Next() {
		ws, err := scanWorkspace(rows)
		if err != nil {
			return nil, wrap("list workspaces", err)
		}
		list = append(list, ws)
	}
	return list, wrap("list workspaces", rows.Err())
}

// workspaceExists reports whether a workspace with the id exists, using q
// (a *sql.DB or *sql.Tx).
func (s *Store) workspaceExists(ctx context.Context, q queryer, id int64) error {
	var one int
	err := q.QueryRowContext(ctx, s.q(`SELECT 1 FROM workspaces WHERE id = ?`), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errWorkspaceNotFound(id)
	}
	return err
}

func errWorkspaceNotFound(id int64) error {
	return birdie.Errorf(birdie.ENOTFOUND, "workspace %d not found", id)
}

// queryer is what *sql.DB and *sql.Tx have in common.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}
