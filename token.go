package birdie

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
)

// TokenPrefix starts every SCIM bearer token, so that secret scanners can
// recognise a leaked one.
const TokenPrefix = "birdie_scim_"

// Token is a workspace's SCIM bearer token as Birdie keeps it: never the
// secret itself, only its SHA-256 hash and a short prefix that lets people
// tell tokens apart.
type Token struct {
	ID          string // public identifier, used to list and revoke
	WorkspaceID int64
	Prefix      string // the first characters of the secret, safe to show
	Hash        string // hex SHA-256 of the whole secret
	Created     time.Time
	LastUsed    time.Time // zero if never used
	Revoked     time.Time // zero if not revoked

	// WorkspaceDebugUntil is the token's workspace's debug switch
	// (Workspace.DebugUntil), read along with the token: the server
	// knows a request's workspace only through its token, and so learns
	// whether to keep request bodies without another lookup. Stores
	// ignore it on CreateToken.
	WorkspaceDebugUntil time.Time
}

// IsRevoked reports whether the token has been revoked.
func (t Token) IsRevoked() bool { return !t.Revoked.IsZero() }

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewToken makes a fresh token for the workspace: 32 random bytes (256 bits)
// after TokenPrefix. It returns the secret, to be shown once, and the Token
// record to store.
func NewToken(workspaceID int64, now time.Time) (secret string, t Token) {
	raw := make([]byte, 32)
	rand.Read(raw) // never fails (crypto/rand, Go 1.24+)
	secret = TokenPrefix + strings.ToLower(b32.EncodeToString(raw))
	id := make([]byte, 8)
	rand.Read(id)
	return secret, Token{
		ID:          "tok_" + hex.EncodeToString(id),
		WorkspaceID: workspaceID,
		Prefix:      secret[:len(TokenPrefix)+6],
		Hash:        HashToken(secret),
		Created:     now.UTC(),
	}
}

// tokenLen is the length of every secret NewToken makes.
var tokenLen = len(TokenPrefix) + b32.EncodedLen(32)

// WellFormedToken reports whether s has the shape of a token NewToken
// makes (prefix, length, alphabet), so that garbage can be refused
// without a database lookup.
func WellFormedToken(s string) bool {
	if len(s) != tokenLen || !strings.HasPrefix(s, TokenPrefix) {
		return false
	}
	for i := len(TokenPrefix); i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// HashToken returns the hex SHA-256 of a token secret: the only form in
// which a secret is ever stored or compared. A fast hash is right here
// because the secret has 256 bits of entropy; there is nothing to brute-force.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
