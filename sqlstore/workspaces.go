package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"birdie"
)

const workspaceCols = `id, slug, name, created, debug_until`

var (
	insertWorkspaceStmt = writeStmt(`INSERT INTO workspaces (slug, name, created) VALUES (?, ?, ?) RETURNING id`)
	workspaceStmt       = readStmt(`SELECT ` + workspaceCols + ` FROM workspaces WHERE slug = ?`)
	workspacesStmt      = readStmt(`SELECT ` + workspaceCols + ` FROM workspaces ORDER BY slug`)
	workspaceExistsStmt = readStmt(`SELECT 1 FROM workspaces WHERE id = ?`)
	firstWorkspaceStmt  = writeStmt(`SELECT ` + workspaceCols + ` FROM workspaces ORDER BY id LIMIT 1`)
	setDebugStmt        = writeStmt(`UPDATE workspaces SET debug_until = ? WHERE slug = ? RETURNING ` + workspaceCols)
)

func scanWorkspace(row interface{ Scan(...any) error }) (birdie.Workspace, error) {
	var ws birdie.Workspace
	var created int64
	var debugUntil sql.NullInt64
	if err := row.Scan(&ws.ID, &ws.Slug, &ws.Name, &created, &debugUntil); err != nil {
		return birdie.Workspace{}, err
	}
	ws.Created = fromMicros(created)
	ws.DebugUntil = fromNullMicros(debugUntil)
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
	err := s.txStmt(ctx, tx, insertWorkspaceStmt).QueryRowContext(ctx, slug, name, micros(ws.Created)).Scan(&ws.ID)
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
		ws, err = scanWorkspace(s.txStmt(ctx, tx, firstWorkspaceStmt).QueryRowContext(ctx))
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
	ws, err := scanWorkspace(s.stmt(workspaceStmt).QueryRowContext(ctx, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return birdie.Workspace{}, birdie.Errorf(birdie.ENOTFOUND, "workspace %q not found", slug)
	}
	return ws, wrap("get workspace", err)
}

// Workspaces lists every workspace, ordered by slug.
func (s *Store) Workspaces(ctx context.Context) ([]birdie.Workspace, error) {
	rows, err := s.stmt(workspacesStmt).QueryContext(ctx)
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

// SetWorkspaceDebug sets the workspace's debug switch (a zero until turns
// it off) and returns the workspace as changed. ENOTFOUND if none has the
// slug.
func (s *Store) SetWorkspaceDebug(ctx context.Context, slug string, until time.Time) (birdie.Workspace, error) {
	ws, err := scanWorkspace(s.stmt(setDebugStmt).QueryRowContext(ctx, nullMicros(until), slug))
	if errors.Is(err, sql.ErrNoRows) {
		return birdie.Workspace{}, birdie.Errorf(birdie.ENOTFOUND, "workspace %q not found", slug)
	}
	return ws, wrap("set workspace debug", err)
}

// workspaceExists returns ENOTFOUND unless a workspace with the id exists,
// as seen by tx, or on the reader pool when tx is nil.
func (s *Store) workspaceExists(ctx context.Context, tx *sql.Tx, id int64) error {
	st := s.stmt(workspaceExistsStmt)
	if tx != nil {
		st = s.txStmt(ctx, tx, workspaceExistsStmt)
	}
	var one int
	err := st.QueryRowContext(ctx, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errWorkspaceNotFound(id)
	}
	return err
}

func errWorkspaceNotFound(id int64) error {
	return birdie.Errorf(birdie.ENOTFOUND, "workspace %d not found", id)
}
