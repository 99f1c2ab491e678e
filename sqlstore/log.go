package sqlstore

import (
	"context"
	"database/sql"
	"math"
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

// pruneChunk is how many entries one DELETE of PruneLogs removes: small
// enough that SQLite's single writer is never held for long.
const pruneChunk = 1000

var pruneLogStmt = writeStmt(`DELETE FROM provisioning_log WHERE id IN
	(SELECT id FROM provisioning_log WHERE workspace_id = ? AND time < ? LIMIT ` + strconv.Itoa(pruneChunk) + `)`)

// pruneLogBodiesStmt blanks the bodies of entries before a time,
// pruneChunk at a time, found through the partial index of entries with
// a body (provisioning_log_bodies).
var pruneLogBodiesStmt = writeStmt(`UPDATE provisioning_log SET body = '' WHERE id IN
	(SELECT id FROM provisioning_log WHERE workspace_id = ? AND time < ? AND body <> '' LIMIT ` + strconv.Itoa(pruneChunk) + `)`)

// pruneLogUsersStmt deletes the provisioning_log_users rows of minutes
// wholly before the cutoff minute, pruneChunk at a time.
var pruneLogUsersStmt = writeStmt(`DELETE FROM provisioning_log_users WHERE (workspace_id, user_key, minute) IN
	(SELECT workspace_id, user_key, minute FROM provisioning_log_users WHERE workspace_id = ? AND minute < ? LIMIT ` + strconv.Itoa(pruneChunk) + `)`)

// AppendLog adds entries in one transaction, bounded by
// birdie.LogEntry.Bounded, with the provisioning_log_users rows they need
// and this store has not written yet. ENOTFOUND if an entry names an
// unknown workspace; nothing is written then.
func (s *Store) AppendLog(ctx context.Context, entries []birdie.LogEntry) error {
	if len(entries) == 0 {
		return nil
	}
	bounded := make([]birdie.LogEntry, len(entries))
	for i, e := range entries {
		bounded[i] = e.Bounded()
	}
	minutes := s.logUsers.unseen(bounded)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := s.insertRows(ctx, tx, logInsertStmts, len(bounded), func(i int, a []any) []any {
			e := &bounded[i]
			return append(a, e.WorkspaceID, micros(e.Time), e.TokenID, e.Method, e.Path, e.Operation,
				e.UserID, e.UserName, birdie.FoldKey(e.UserName), e.Status, e.ScimType, e.Detail,
				e.Duration.Microseconds(), e.Client, e.Body)
		})
		if err != nil {
			return err
		}
		return s.insertRows(ctx, tx, logUsersInsertStmts, len(minutes), func(i int, a []any) []any {
			return append(a, minutes[i].ws, minutes[i].key(), minutes[i].minute)
		})
	})
	if s.d.ForeignKeyViolation(err) {
		return birdie.Errorf(birdie.ENOTFOUND, "a provisioning log entry names a workspace that does not exist")
	}
	if err != nil {
		return wrap("append log", err)
	}
	s.logUsers.add(minutes)
	return nil
}

// The provisioning log is written with prepared multi-row INSERTs of
// logRowsPerInsert rows: parsing a 100-row INSERT anew for every batch cost
// SQLite more than executing it.
var (
	logInsertStmts      = insertStmts(`INSERT INTO provisioning_log (`+logInsertCols+`) VALUES `, logInsertArgs, ``, logRowsPerInsert)
	logUsersInsertStmts = insertStmts(`INSERT INTO provisioning_log_users (workspace_id, user_key, minute) VALUES `, 3,
		` ON CONFLICT DO NOTHING`, logRowsPerInsert) // another replica, or this one after forgetting, wrote it
)

// Logs returns the entries of a workspace's log matching q, oldest first.
// The query uses the index the conditions select: (workspace_id, time),
// the failed entries' partial index, the primary key after AfterID, or,
// for one user's entries, provisioning_log_users (see userLogs).
func (s *Store) Logs(ctx context.Context, workspaceID int64, q birdie.LogQuery) ([]birdie.LogEntry, error) {
	if err := s.workspaceExists(ctx, nil, workspaceID); err != nil {
		return nil, wrap("read log", err)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = birdie.DefaultLogLimit
	}
	if q.User != "" && !validKey(q.User) {
		return nil, nil // no entry names such a user (and PostgreSQL refuses NUL)
	}
	if q.User != "" && !q.FailedOnly && q.AfterID <= 0 {
		list, err := s.userLogs(ctx, workspaceID, q, limit)
		return list, wrap("read log", err)
	}
	where, args := logConditions(workspaceID, q)
	// Without AfterID: the most recent entries, read newest first and
	// reversed. With it: the next entries in the order they were added.
	order := "time DESC, id DESC"
	if q.AfterID > 0 {
		where = append(where, "id > ?")
		args = append(args, q.AfterID)
		order = "id"
	}
	list, err := s.queryLog(ctx, where, args, order, limit, nil)
	if err != nil {
		return nil, wrap("read log", err)
	}
	if q.AfterID <= 0 {
		slices.Reverse(list)
	}
	return list, nil
}

// logConditions returns the WHERE conditions of q but AfterID.
func logConditions(workspaceID int64, q birdie.LogQuery) (where []string, args []any) {
	where = []string{"workspace_id = ?"}
	args = []any{workspaceID}
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
	return where, args
}

// queryLog runs one SELECT of entries and appends them to list.
func (s *Store) queryLog(ctx context.Context, where []string, args []any, order string, limit int, list []birdie.LogEntry) ([]birdie.LogEntry, error) {
	args = append(args, limit)
	query := `SELECT ` + logCols + ` FROM provisioning_log WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order + ` LIMIT ?`
	rows, err := s.query(ctx, nil, query, args...)
	if err != nil {
		return list, err
	}
	defer rows.Close()
	for rows.Next() {
		var e birdie.LogEntry
		var at, duration int64
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &at, &e.TokenID, &e.Method, &e.Path, &e.Operation,
			&e.UserID, &e.UserName, &e.Status, &e.ScimType, &e.Detail, &duration, &e.Client, &e.Body); err != nil {
			return list, err
		}
		e.Time = fromMicros(at)
		e.Duration = time.Duration(duration) * time.Microsecond
		list = append(list, e)
	}
	return list, rows.Err()
}

// userMinutesPerQuery is how many of a user's minutes userLogs reads at a
// time.
const userMinutesPerQuery = 64

// userLogs answers a query for one user's most recent entries (by id or
// userName): the minutes that mention the user, newest first, from
// provisioning_log_users, then each minute's entries about the user
// through the (workspace_id, time) index, until limit entries are found.
// Its cost is the number of entries in those minutes, whatever the size
// of the log.
func (s *Store) userLogs(ctx context.Context, workspaceID int64, q birdie.LogQuery, limit int) ([]birdie.LogEntry, error) {
	where, args := logConditions(workspaceID, q)
	sinceMinute := int64(math.MinInt64)
	if !q.Since.IsZero() {
		sinceMinute = minuteOf(q.Since)
	}
	before := int64(math.MaxInt64) // minutes read so far are >= before
	var list []birdie.LogEntry
	for len(list) < limit {
		minutes, err := s.userMinutes(ctx, workspaceID, q.User, sinceMinute, before)
		if err != nil || len(minutes) == 0 {
			return reversed(list), err
		}
		for _, m := range minutes {
			w := append(slices.Clip(where), "time >= ?", "time < ?")
			a := append(slices.Clip(args), m*microsPerMinute, (m+1)*microsPerMinute)
			if list, err = s.queryLog(ctx, w, a, "time DESC, id DESC", limit-len(list), list); err != nil {
				return nil, err
			}
			if len(list) >= limit {
				break
			}
		}
		before = minutes[len(minutes)-1]
	}
	return reversed(list), nil
}

// userMinutes returns, newest first, up to userMinutesPerQuery minutes in
// [since, before) whose entries mention user as an id or a userName.
func (s *Store) userMinutes(ctx context.Context, workspaceID int64, user string, since, before int64) ([]int64, error) {
	rows, err := s.query(ctx, nil, `SELECT DISTINCT minute FROM provisioning_log_users
		WHERE workspace_id = ? AND user_key IN (?, ?) AND minute >= ? AND minute < ?
		ORDER BY minute DESC LIMIT ?`, workspaceID, idKey(user), nameKey(user), since, before, userMinutesPerQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var m int64
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func reversed(list []birdie.LogEntry) []birdie.LogEntry {
	slices.Reverse(list)
	return list
}

// PruneLogs deletes the entries older than before (and the
// provisioning_log_users rows of the minutes before it), workspace by workspace
// (so that each DELETE walks the (workspace_id, time) index) and
// pruneChunk entries per statement, each its own transaction. Concurrent
// runs are harmless: a row deleted by one is skipped by the other.
func (s *Store) PruneLogs(ctx context.Context, before time.Time) (int64, error) {
	total, err := s.eachWorkspace(ctx, "prune log", func(ws int64) (int64, error) {
		n, err := s.pruneChunks(ctx, pruneLogStmt, ws, micros(before))
		if err != nil {
			return n, err
		}
		_, err = s.pruneChunks(ctx, pruneLogUsersStmt, ws, minuteOf(before))
		return n, err
	})
	// The rows pruned may be in the set of rows known to be written: a
	// later entry in such a minute must write its row again.
	s.logUsers.forget()
	return total, err
}

// PruneLogBodies removes the bodies of the entries older than before, in
// chunks, workspace by workspace.
func (s *Store) PruneLogBodies(ctx context.Context, before time.Time) (int64, error) {
	return s.eachWorkspace(ctx, "prune log bodies", func(ws int64) (int64, error) {
		return s.pruneChunks(ctx, pruneLogBodiesStmt, ws, micros(before))
	})
}

// eachWorkspace runs prune for every workspace in turn, until one fails,
// and adds up the rows it changed.
func (s *Store) eachWorkspace(ctx context.Context, op string, prune func(workspaceID int64) (int64, error)) (int64, error) {
	workspaces, err := s.Workspaces(ctx)
	if err != nil {
		return 0, wrap(op, err)
	}
	var total int64
	for _, ws := range workspaces {
		n, err := prune(ws.ID)
		total += n
		if err != nil {
			return total, wrap(op, err)
		}
	}
	return total, nil
}

// pruneChunks runs a DELETE (or UPDATE) of at most pruneChunk rows until
// it changes fewer, and returns how many rows it changed.
func (s *Store) pruneChunks(ctx context.Context, st *stmt, args ...any) (int64, error) {
	var total int64
	for {
		res, err := s.stmt(st).ExecContext(ctx, args...)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += n
		if n < pruneChunk {
			return total, nil
		}
	}
}
