package sqlstore

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"birdie"
)

// A position is a place in a sorted list of users: the sort column's value
// of a row and its pk. "After p" is a keyset condition the sort index
// answers directly, so a page that continues from a position costs the
// same whether it is the first page or the ten-thousandth: no OFFSET that
// walks every row before it.
type position struct {
	Val any   // int64, string or bool, as the sort column holds it
	PK  int64 // tie-breaker, unique
}

// sortValue returns u's value of the sort column, computed from the same
// fields the store wrote the column from.
func sortValue(col string, u *birdie.User) any {
	switch col {
	case "created":
		return micros(u.Created)
	case "last_modified":
		return micros(u.LastModified)
	case "id":
		return u.ID
	case "user_name_key":
		return birdie.FoldKey(u.UserName)
	case "external_id":
		return u.ExternalID
	case "display_name_key":
		return birdie.FoldKey(u.DisplayName)
	case "email_key":
		return birdie.FoldKey(u.Email)
	case "active":
		return u.Active
	}
	return nil
}

// cursor is what an RFC 9865 cursor encodes: a position, whether the page
// lies before or after it, and a fingerprint of the query it belongs to.
type cursor struct {
	Query  string `json:"q"`           // fingerprint of the query (filter, sort)
	Before bool   `json:"b,omitempty"` // the page ends just before Pos
	Val    any    `json:"v"`
	PK     int64  `json:"p"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor decodes s, a cursor of the query with fingerprint query
// sorted by col. Cursors are not signed, so everything in one is checked
// before it reaches SQL: a value of another type than col's (which
// PostgreSQL refuses) or a string no column can hold is EINVALIDCURSOR.
func decodeCursor(s, query, col string) (cursor, error) {
	bad := func(why string) error {
		return birdie.Errorf(birdie.EINVALIDCURSOR, "invalid cursor: %s; start again with cursor= (empty) to get the first page", why)
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad("it is not a cursor Birdie issued")
	}
	var c cursor
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		return cursor{}, bad("it is not a cursor Birdie issued")
	}
	if c.Query != query {
		return cursor{}, bad("it belongs to a different filter or sort order")
	}
	switch v := c.Val.(type) {
	case json.Number:
		n, err := v.Int64()
		if err != nil {
			return cursor{}, bad("its position is malformed")
		}
		c.Val = n
	case string:
		if !validKey(v) {
			return cursor{}, bad("its position is malformed")
		}
	case bool:
	default:
		return cursor{}, bad("its position is malformed")
	}
	if fmt.Sprintf("%T", c.Val) != fmt.Sprintf("%T", sortValue(col, &birdie.User{})) {
		return cursor{}, bad("its position is malformed")
	}
	return c, nil
}

// fingerprint identifies a query's filter and order (not its page), so a
// cursor or a remembered position is only ever used with the query that
// made it.
func fingerprint(workspaceID int64, l listQuery) string {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(workspaceID))
	h.Write(n[:])
	fmt.Fprintf(h, "%s\x00%s\x00%#v", l.where, l.order, l.args)
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12])
}

// resumeCache remembers where recent index-paginated pages ended, so that
// the next page of the same query (startIndex = previous startIndex +
// count, as Okta's import asks) continues from that position instead of
// skipping rows with OFFSET. It is per process and only a shortcut: a miss
// falls back to OFFSET, which gives the same rows.
type resumeCache struct {
	mu sync.Mutex
	m  map[string]resumeEntry
}

type resumeEntry struct {
	pos     position
	expires time.Time
}

const (
	resumeTTL     = 10 * time.Minute
	resumeEntries = 4096
)

func (c *resumeCache) key(fp string, start int) string { return fmt.Sprintf("%s@%d", fp, start) }

func (c *resumeCache) get(fp string, start int, now time.Time) (position, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[c.key(fp, start)]
	if !ok || now.After(e.expires) {
		return position{}, false
	}
	return e.pos, true
}

func (c *resumeCache) put(fp string, start int, pos position, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= resumeEntries {
		c.m = make(map[string]resumeEntry)
	}
	c.m[c.key(fp, start)] = resumeEntry{pos: pos, expires: now.Add(resumeTTL)}
}
