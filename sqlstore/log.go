package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"birdie"
)

// The provisioning log (table provisioning_log, see birdie.LogEntry).

const logCols = `id, workspace_id, time, token_id, method, path, operation, user_id, user_name, status, scim_type, detail, duration, client, body`

// logInsertCols are the columns AppendLog writes, logInsertArgs their
// number.
const (
	logInsertCols = `workspace_id, time, token_id, method, path, operation, user_id, user_name, user_name_key, status, scim_type, detail, duration, client, body`
	logInsertArgs = 15
)

// logRowsPerInsert is how many rows one INSERT writes: few statements per
// batch, and far below either database's limit on parameters.
const logRowsPerInsert = 100

// pruneChunk is how many entries one DELETE of PruneLogs removes: small
// enough that SQLite's single writer is never held for long.
const pruneChunk = 1000

var pruneLogStmt = writeStmt(`DELETE FROM provisioning_log WHERE id IN
	(SELECT id FROM provisioning_log WHERE workspace_id = ? AND time < ? LIMIT ` + strconv.Itoa(pruneChunk) + `)`)

// AppendLog adds entries in one transaction, bounded by
// birdie.LogEntry.Bounded. ENOTFOUND if an entry names an unknown
// workspace; nothing is written then.
func (s *Store) AppendLog(ctx context.Context, entries []birdie.LogEntry) error {
	if len(entries) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for rest := entries; len(rest) > 0; {
			n := min(len(rest), logRowsPerInsert)
			if err := s.insertLogRows(ctx, tx, rest[:n]); err != nil {
				return err
			}
			rest = rest[n:]
		}
		return nil
	})
	if s.d.ForeignKeyViolation(err) {
		return birdie.Errorf(birdie.ENOTFOUND, "a provisioning log entry names a workspace that does not exist")
	}
	return wrap("append log", err)
}

func (s *Store) insertLogRows(ctx context.Context, tx *sql.Tx, entries []birdie.LogEntry) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO provisioning_log (` + logInsertCols + `) VALUES `)
	row := "(?" + strings.Repeat(", ?", logInsertArgs-1) + ")"
	args := make([]any, 0, len(entries)*logInsertArgs)
	for i, e := range entries {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
		e = e.Bounded()
		args = append(args, e.WorkspaceID, micros(e.Time), e.TokenID, e.Method, e.Path, e.Operation,
			e.UserID, e.UserName, birdie.FoldKey(e.UserName), e.Status, e.ScimType, e.Detail,
			e.Duration.Microseconds(), e.Client, e.Body)
	}
	_, err := tx.ExecContext(ctx, s.d.rebind(q.String()), args...)
	return err
}

// Logs returns the entries of a workspace's log matching q, oldest first.
// The query uses the index the conditions select: (workspace_id, time),
// the failed entries' partial index, or the user id and userName indexes.
func (s *Store) Logs(ctx context.Context, workspaceID int64, q birdie.LogQuery) ([]birdie.LogEntry, error) {
	if err := s.workspaceExists(ctx, nil, workspaceID); err != nil {
		return nil, wrap("read log", err)
	}
	where := []string{"workspace_id = ?"}
	args := []any{workspaceID}
	if !q.Since.IsZero() {
		where = append(where, "time >= ?")
		args = append(args, micros(q.Since))
	}
	if q.FailedOnly {
		where = append(where, "status >= 400") // as written in the partial index
	}
	if q.User != "" {
		where = append(where, "(user_id = ? OR user_name_key = ?)")
		args = append(args, q.User, birdie.FoldKey(q.User))
	}
	// Without AfterID: the most recent entries, read newest first and
	// reversed. With it: the next entries in the order they were added.
	order := "time DESC, id DESC"
	if q.AfterID > 0 {
		where = append(where, "id > ?")
		args = append(args, q.AfterID)
		order = "id"
	}
	limit := q.Limit
	if limit <= 0 {
		limit = birdie.DefaultLogLimit
	}
	args = append(args, limit)
	query := `SELECT ` + logCols + ` FROM provisioning_log WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order + ` LIMIT ?`
	rows, err := s.r.QueryContext(ctx, s.d.rebind(query), args...)
	if err != nil {
		return nil, wrap("read log", err)
	}
	defer rows.Close()
	var list []birdie.LogEntry
	for rows.Next() {
		var e birdie.LogEntry
		var at, duration int64
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &at, &e.TokenID, &e.Method, &e.Path, &e.Operation,
			&e.UserID, &e.UserName, &e.Status, &e.ScimType, &e.Detail, &duration, &e.Client, &e.Body); err != nil {
			return nil, wrap("read log", err)
		}
		e.Time = fromMicros(at)
		e.Duration = time.Duration(duration) * time.Microsecond
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("read log", err)
	}
	if q.AfterID <= 0 {
		slices.Reverse(list)
	}
	return list, nil
}

// PruneLogs deletes the entries older than before, workspace by workspace
// (so that each DELETE walks the (workspace_id, time) index) and
// pruneChunk entries per statement, each its own transaction. Concurrent
// runs are harmless: a row deleted by one is skipped by the other.
func (s *Store) PruneLogs(ctx context.Context, before time.Time) (int64, error) {
	workspaces, err := s.Workspaces(ctx)
	if err != nil {
		return 0, wrap("prune log", err)
	}
	var total int64
	for _, ws := range workspaces {
		for {
			res, err := s.stmt(pruneLogStmt).ExecContext(ctx, ws.ID, micros(before))
			if err != nil {
				return total, wrap("prune log", err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return total, wrap("prune log", err)
			}
			total += n
			if n < pruneChunk {
				break
			}
		}
	}
	return total, nil
}
