package birdie

import (
	"strings"
	"time"
	"unicode/utf8"
)

// LogEntry is one request to the SCIM API as the provisioning log keeps
// it: enough for support to answer "what did the IdP send, and why did it
// fail?" without the request body, which holds personal data and is kept
// only while the workspace's debug switch is on (Workspace.DebugUntil).
type LogEntry struct {
	ID          int64 // assigned by the store, increasing in the order entries are appended
	WorkspaceID int64
	Time        time.Time // when the request arrived
	TokenID     string    // the token's public id (Token.ID), never the secret
	Method      string
	Path        string // without the query string
	Operation   string // one of the Op* constants
	UserID      string // the user the request was about, "" if none (lists)
	UserName    string // its userName, when the server knew it
	Status      int    // the HTTP status answered
	ScimType    string // of a SCIM error, "" if none
	Detail      string // of a SCIM error, "" if none
	Duration    time.Duration
	Client      string // User-Agent
	Body        string // the request body with secrets redacted, only in debug mode
}

// Operations a LogEntry records, named after what the request asked.
const (
	OpCreate  = "create"  // POST /Users
	OpReplace = "replace" // PUT /Users/{id}
	OpPatch   = "patch"   // PATCH /Users/{id}
	OpDelete  = "delete"  // DELETE /Users/{id}
	OpRead    = "read"    // GET /Users/{id}
	OpList    = "list"    // GET /Users, POST /Users/.search
	OpGroups  = "groups"  // anything under /Groups (Birdie syncs no groups)
)

// Limits of the texts a LogEntry keeps, so that one entry stays small
// whatever a client sends: the log is written on every request.
const (
	MaxLogDetail = 1 << 10  // Detail: 1 KiB
	MaxLogBody   = 16 << 10 // Body: 16 KiB
	MaxLogText   = 1 << 10  // every other text (Path, Client, UserID, UserName, …)
)

// Bounded returns e as stores keep it: every text valid UTF-8 without NUL
// bytes (PostgreSQL refuses both, and one bad entry must not lose a whole
// batch), and cut to its limit, ending in "…" when it was cut.
func (e LogEntry) Bounded() LogEntry {
	for _, f := range []*string{&e.TokenID, &e.Method, &e.Path, &e.Operation, &e.UserID, &e.UserName, &e.ScimType, &e.Client} {
		*f = boundText(*f, MaxLogText)
	}
	e.Detail = boundText(e.Detail, MaxLogDetail)
	e.Body = boundText(e.Body, MaxLogBody)
	return e
}

// boundText makes s valid UTF-8 without NUL bytes, at most n bytes long.
func boundText(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	cut := n - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

// DefaultLogLimit is how many entries a LogQuery with no Limit returns.
const DefaultLogLimit = 100

// LogQuery selects entries of one workspace's provisioning log. Every
// condition set must hold.
type LogQuery struct {
	Since      time.Time // entries at or after this time; zero: no bound
	FailedOnly bool      // only entries with Status >= 400
	User       string    // only entries about this user: its id, or its userName case-insensitively
	AfterID    int64     // only entries with a greater ID (to follow the log)
	Limit      int       // at most this many; <= 0 means DefaultLogLimit
}
