package birdie

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// User is one member of a workspace.
//
// Attributes holds the user's SCIM attributes as the IdP sent them, in the
// canonical form that package scim produces (canonical attribute names,
// booleans coerced, unknown attributes dropped). The other fields are
// derived from it on every write (see scim.Derive) so that stores can index
// them; Email is the account email chosen by AccountEmail.
type User struct {
	ID          string // server-assigned UUID, stable forever
	UserName    string // unique per workspace, case-insensitively
	ExternalID  string
	DisplayName string
	Active      bool
	Email       string   // the account email (AccountEmail)
	EmailValues []string // every emails[].value, for lookups

	Attributes map[string]any

	Created      time.Time
	LastModified time.Time
	Version      int64 // incremented on every change; the ETag is derived from it
}

// ETag returns the user's entity tag (a weak one: the representation may
// vary with attributes/excludedAttributes while the version does not).
func (u User) ETag() string { return fmt.Sprintf(`W/"%d"`, u.Version) }

// FoldKey is the form in which values compared case-insensitively
// (userName, email addresses) are indexed and looked up. Two strings have
// the same key exactly when strings.EqualFold says they are equal (simple
// Unicode case folding, the comparison filters use), so an index lookup and
// an in-memory match never disagree: each rune is replaced by the smallest
// rune of its folding orbit, lower-cased when that is ASCII (so "K", "k"
// and the Kelvin sign all become "k").
func FoldKey(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		if min < utf8.RuneSelf {
			min = unicode.ToLower(min)
		}
		b.WriteRune(min)
	}
	return b.String()
}

// NewID returns a new user id: a version 7 UUID (RFC 9562), 48 bits of
// millisecond time then 74 random bits. It is as unguessable as a random
// UUID for this purpose (ids are not secrets: every request is also
// scoped by the token's workspace), and because consecutive ids sort
// together, inserting a user touches the end of each id index instead of
// a random page of it: creates write fewer pages.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	ms := uint64(time.Now().UnixMilli())
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
