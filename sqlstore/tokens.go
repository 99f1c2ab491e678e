package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"birdie"
)

const tokenCols = `id, workspace_id, prefix, hash, created, last_used, revoked`

// tokenSelect reads the columns scanToken scans: a token and its
// workspace's debug switch.
const tokenSelect = `SELECT t.id, t.workspace_id, t.prefix, t.hash, t.created, t.last_used, t.revoked, w.debug_until
	FROM tokens t JOIN workspaces w ON w.id = t.workspace_id`

var (
	insertTokenStmt = writeStmt(`INSERT INTO tokens (` + tokenCols + `) VALUES (?, ?, ?, ?, ?, ?, ?)`)
	tokenByHashStmt = readStmt(tokenSelect + ` WHERE t.hash = ?`)
	tokensStmt      = readStmt(tokenSelect + ` WHERE t.workspace_id = ? ORDER BY t.created, t.id`)
	revokeTokenStmt = writeStmt(`UPDATE tokens SET revoked = COALESCE(revoked, ?) WHERE id = ?`)
	touchTokenStmt  = writeStmt(`UPDATE tokens SET last_used = CASE WHEN last_used IS NULL OR last_used < ? THEN ? ELSE last_used END WHERE id = ?`)
)

func scanToken(row interface{ Scan(...any) error }) (birdie.Token, error) {
	var t birdie.Token
	var created int64
	var lastUsed, revoked, debugUntil sql.NullInt64
	if err := row.Scan(&t.ID, &t.WorkspaceID, &t.Prefix, &t.Hash, &created, &lastUsed, &revoked, &debugUntil); err != nil {
		return birdie.Token{}, err
	}
	t.Created = fromMicros(created)
	t.LastUsed = fromNullMicros(lastUsed)
	t.Revoked = fromNullMicros(revoked)
	t.WorkspaceDebugUntil = fromNullMicros(debugUntil)
	return t, nil
}

// CreateToken stores a token record. ENOTFOUND if the workspace does not
// exist; ECONFLICT if the id or hash is already stored.
func (s *Store) CreateToken(ctx context.Context, t birdie.Token) error {
	_, err := s.stmt(insertTokenStmt).ExecContext(ctx,
		t.ID, t.WorkspaceID, t.Prefix, t.Hash, micros(t.Created), nullMicros(t.LastUsed), nullMicros(t.Revoked))
	if what, ok := s.d.UniqueViolation(err); ok {
		if strings.Contains(what, "hash") {
			return birdie.Errorf(birdie.ECONFLICT, "a token with this hash is already stored; generate a new token")
		}
		return birdie.Errorf(birdie.ECONFLICT, "token id %q is already taken; generate a new token", t.ID)
	}
	if s.d.ForeignKeyViolation(err) {
		return errWorkspaceNotFound(t.WorkspaceID)
	}
	return wrap("create token", err)
}

// TokenByHash returns the token whose hash is given, revoked or not, with
// its workspace's debug switch.
func (s *Store) TokenByHash(ctx context.Context, hash string) (birdie.Token, error) {
	t, err := scanToken(s.stmt(tokenByHashStmt).QueryRowContext(ctx, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return birdie.Token{}, birdie.Errorf(birdie.ENOTFOUND, "no token with this hash")
	}
	return t, wrap("get token by hash", err)
}

// Tokens lists a workspace's tokens, oldest first. An unknown workspace has
// no tokens.
func (s *Store) Tokens(ctx context.Context, workspaceID int64) ([]birdie.Token, error) {
	rows, err := s.stmt(tokensStmt).QueryContext(ctx, workspaceID)
	if err != nil {
		return nil, wrap("list tokens", err)
	}
	defer rows.Close()
	var list []birdie.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, wrap("list tokens", err)
		}
		list = append(list, t)
	}
	return list, wrap("list tokens", rows.Err())
}

// RevokeToken marks a token revoked at the given time. A token already
// revoked keeps its first revocation time.
func (s *Store) RevokeToken(ctx context.Context, id string, at time.Time) error {
	res, err := s.stmt(revokeTokenStmt).ExecContext(ctx, micros(at), id)
	return s.tokenUpdated("revoke token", id, res, err)
}

// TouchToken records that the token was used at the given time. The
// recorded time never moves backwards. ENOTFOUND if no such token.
func (s *Store) TouchToken(ctx context.Context, id string, at time.Time) error {
	at2 := micros(at)
	res, err := s.stmt(touchTokenStmt).ExecContext(ctx, at2, at2, id)
	return s.tokenUpdated("touch token", id, res, err)
}

func (s *Store) tokenUpdated(op, id string, res sql.Result, err error) error {
	if err != nil {
		return wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return birdie.Errorf(birdie.ENOTFOUND, "token %q not found", id)
	}
	return nil
}
