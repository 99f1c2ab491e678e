package sqlstore

import (
	"sync"
	"time"

	"birdie"
)

// provisioning_log_users says which minutes of a workspace's provisioning
// log mention which user, so that a query for one user's entries need not
// read the whole log, and writing an entry need not update a per-user
// index (see sqlite/migrations/0005_provisioning_log_users.sql). Each
// user is keyed twice: by id and by userName.

const microsPerMinute = int64(time.Minute / time.Microsecond)

// minuteOf is the minute column of an entry made at t.
func minuteOf(t time.Time) int64 { return floorDiv(micros(t), microsPerMinute) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func idKey(userID string) string     { return "i:" + userID }
func nameKey(userName string) string { return "n:" + birdie.FoldKey(userName) }

// logUserMinute is one row of provisioning_log_users: its user_key is
// kind ("i:" or "n:") followed by val. The two are kept apart so that
// checking an entry against the rows already written (every entry, every
// request) builds no string; key builds it for the rows inserted.
type logUserMinute struct {
	ws     int64
	kind   string // "i:" (by id) or "n:" (by folded userName)
	val    string
	minute int64
}

func (r logUserMinute) key() string { return r.kind + r.val }

// logUsersSeen remembers the rows this store has written, so that in a
// busy minute each is written once rather than once per entry. Forgetting
// costs only a redundant INSERT … ON CONFLICT DO NOTHING, so the set is
// simply emptied when it reaches logUsersSeenMax rows (a few MB).
type logUsersSeen struct {
	mu   sync.Mutex
	rows map[logUserMinute]struct{}
}

const logUsersSeenMax = 50_000

// unseen returns the distinct rows entries need that are not known to be
// written.
func (l *logUsersSeen) unseen(entries []birdie.LogEntry) []logUserMinute {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []logUserMinute
	batch := make(map[logUserMinute]struct{})
	need := func(r logUserMinute) {
		if _, ok := l.rows[r]; ok {
			return
		}
		if _, ok := batch[r]; ok {
			return
		}
		batch[r] = struct{}{}
		out = append(out, r)
	}
	for _, e := range entries {
		m := minuteOf(e.Time)
		if e.UserID != "" {
			need(logUserMinute{e.WorkspaceID, "i:", e.UserID, m})
		}
		if e.UserName != "" {
			need(logUserMinute{e.WorkspaceID, "n:", birdie.FoldKey(e.UserName), m})
		}
	}
	return out
}

// add records rows as written (their transaction committed).
func (l *logUsersSeen) add(rows []logUserMinute) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.rows == nil || len(l.rows)+len(rows) > logUsersSeenMax {
		l.rows = make(map[logUserMinute]struct{})
	}
	for _, r := range rows {
		l.rows[r] = struct{}{}
	}
}

// forget empties the set, after pruning deleted rows it may hold.
func (l *logUsersSeen) forget() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rows = nil
}
