package birdie

import "time"

// Workspace is one Birdie customer (a tenant). Every user belongs to exactly
// one workspace, and a token selects exactly one.
type Workspace struct {
	ID      int64
	Slug    string // unique, chosen by support staff, used on the command line
	Name    string
	Created time.Time

	// DebugUntil is the workspace's debug switch: until then, request
	// bodies (with secrets redacted) are kept in its provisioning log.
	// Zero: off.
	DebugUntil time.Time
}

// Debugging reports whether the debug switch is on at time now.
func (w Workspace) Debugging(now time.Time) bool { return now.Before(w.DebugUntil) }

// MaxDebugDuration is the longest the debug switch may be set for at once:
// bodies hold personal data, so keeping them must be a deliberate,
// short-lived choice.
const MaxDebugDuration = 24 * time.Hour

// ValidSlug reports whether s can name a workspace: 1 to 63 characters of
// lower-case letters, digits and '-', not starting or ending with '-'.
func ValidSlug(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
