package server

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"birdie"
	"birdie/scim"
)

// principal is who a request acts for: a workspace, through one token.
type principal struct {
	WorkspaceID int64
	TokenID     string
}

// scopedHandler is a handler that runs on behalf of an authenticated
// workspace; it cannot be reached without one.
type scopedHandler func(w http.ResponseWriter, r *http.Request, p principal)

// touchInterval bounds how often a token's last-used time is written: often
// enough for support ("is the IdP still calling?"), rarely enough to cost
// nothing on the request path.
const touchInterval = time.Minute

// auth authenticates the bearer token and calls h with its workspace. The
// token is looked up by its SHA-256 hash, at most TokenCacheTTL ago, so a
// revoke is effective within that time on every replica.
func (s *Server) auth(h scopedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			s.writeError(w, r, scim.Errorf(http.StatusUnauthorized, "", "missing or malformed Authorization header: send 'Authorization: Bearer <token>' with the workspace token Birdie support issued"))
			return
		}
		tok, err := s.lookupToken(r.Context(), birdie.HashToken(secret))
		if birdie.ErrorCode(err) == birdie.ENOTFOUND {
			s.writeError(w, r, scim.Errorf(http.StatusUnauthorized, "", "the bearer token is not valid: check that the whole token was pasted, or ask Birdie support for a new one"))
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if tok.IsRevoked() {
			s.writeError(w, r, scim.Errorf(http.StatusUnauthorized, "", "the bearer token was revoked on %s; ask Birdie support for a new one", tok.Revoked.UTC().Format(time.DateOnly)))
			return
		}
		ri := info(r.Context())
		ri.workspaceID, ri.tokenID = tok.WorkspaceID, tok.ID
		if ok, wait := s.limiter.allow(tok.ID, s.cfg.Now()); !ok {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			s.writeError(w, r, scim.Errorf(http.StatusTooManyRequests, scim.ErrTooMany, "too many requests for this token (limit %g per second, bursts of %d); retry after %d seconds", s.cfg.RateLimit, s.cfg.RateBurst, secs))
			return
		}
		s.touch(r.Context(), tok.ID)
		h(w, r, principal{WorkspaceID: tok.WorkspaceID, TokenID: tok.ID})
	})
}

func (s *Server) lookupToken(ctx context.Context, hash string) (birdie.Token, error) {
	now := s.cfg.Now()
	if tok, ok := s.tokens.get(hash, now); ok {
		return tok, nil
	}
	tok, err := s.store.TokenByHash(ctx, hash)
	if err == nil {
		s.tokens.put(hash, tok, now)
	}
	return tok, err
}

// bearerToken extracts the token of an "Authorization: Bearer <token>"
// header: scheme case-insensitive, surrounding space trimmed, and a
// doubled "Bearer Bearer <token>" (an admin who typed the scheme into the
// IdP's token field) tolerated.
func bearerToken(h string) (string, bool) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok := strings.TrimSpace(rest)
	if s2, r2, ok := strings.Cut(tok, " "); ok && strings.EqualFold(s2, "Bearer") {
		tok = strings.TrimSpace(r2)
	}
	if tok == "" || strings.ContainsAny(tok, " \t") {
		return "", false
	}
	return tok, true
}

// touch records a token's use at most once per touchInterval per process,
// in the background: a failure to record it must not fail the request.
func (s *Server) touch(ctx context.Context, tokenID string) {
	now := s.cfg.Now()
	s.touchMu.Lock()
	last := s.touched[tokenID]
	due := now.Sub(last) >= touchInterval
	if due {
		s.touched[tokenID] = now
	}
	s.touchMu.Unlock()
	if !due {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.store.TouchToken(ctx, tokenID, now); err != nil {
			s.log.Warn("could not record token use", "token_id", tokenID, "error", err.Error())
		}
	}()
}
