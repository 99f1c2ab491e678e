package server

import (
	"sync"
	"time"

	"birdie"
)

// DefaultTokenCacheTTL is how long a replica may keep using a token it has
// looked up: a revoke takes effect on every replica within this time, and
// in exchange most requests skip a database round trip.
const DefaultTokenCacheTTL = 500 * time.Millisecond

// maxCachedTokens bounds the cache; tokens are few (one or two per
// workspace), so reaching it means something unusual and the cache simply
// starts over.
const maxCachedTokens = 10000

// tokenCache remembers valid, unrevoked tokens by hash for a short time.
// Unknown and revoked tokens are never cached, so a flood of bad tokens
// cannot fill it and a revoke is never outlived by more than the TTL.
type tokenCache struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedToken
}

type cachedToken struct {
	tok     birdie.Token
	expires time.Time
}

func newTokenCache(ttl time.Duration) *tokenCache {
	if ttl <= 0 {
		return nil
	}
	return &tokenCache{ttl: ttl, m: map[string]cachedToken{}}
}

func (c *tokenCache) get(hash string, now time.Time) (birdie.Token, bool) {
	if c == nil {
		return birdie.Token{}, false
	}
	c.mu.Lock()
	e, ok := c.m[hash]
	c.mu.Unlock()
	if !ok || now.After(e.expires) {
		return birdie.Token{}, false
	}
	return e.tok, true
}

func (c *tokenCache) put(hash string, tok birdie.Token, now time.Time) {
	if c == nil || tok.IsRevoked() {
		return
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedTokens {
		clear(c.m)
	}
	c.m[hash] = cachedToken{tok: tok, expires: now.Add(c.ttl)}
	c.mu.Unlock()
}
