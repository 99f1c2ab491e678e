package server

import (
	"context"
	"fmt"
	"math"
	"net"
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
// revoke is effective within that time on every replica. op is the
// route's operation (birdie.Op*), for the provisioning log.
func (s *Server) auth(op string, h scopedHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A failed authentication costs its client address one unit of
		// budget; past it, failures are answered 429 instead of 401. Only
		// failures are limited: IdPs send many tenants' traffic from
		// shared addresses, and one tenant's wrong token must never block
		// another's valid one.
		fail := func(detail string, args ...any) {
			if ok, wait := s.authFail.allow(s.clientAddr(r), s.cfg.Now()); !ok {
				s.tooMany(w, r, wait, "too many failed authentications from this address; check the token configured in the IdP")
				return
			}
			s.writeError(w, r, scim.Errorf(http.StatusUnauthorized, "", detail, args...))
		}
		secret, ok := bearerToken(r.Header.Get("Authorization"))
		if !ok {
			fail("missing or malformed Authorization header: send 'Authorization: Bearer <token>' with the workspace token Birdie support issued")
			return
		}
		if !birdie.WellFormedToken(secret) {
			// Not one of Birdie's tokens: refused without a lookup.
			fail("the bearer token is not valid: Birdie tokens start with %q; check that the whole token was pasted", birdie.TokenPrefix)
			return
		}
		tok, err := s.lookupToken(r.Context(), birdie.HashToken(secret))
		if birdie.ErrorCode(err) == birdie.ENOTFOUND {
			fail("the bearer token is not valid: check that the whole token was pasted, or ask Birdie support for a new one")
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if tok.IsRevoked() {
			fail("the bearer token was revoked on %s; ask Birdie support for a new one", tok.Revoked.UTC().Format(time.DateOnly))
			return
		}
		ri := info(r.Context())
		ri.workspaceID, ri.tokenID = tok.WorkspaceID, tok.ID
		ri.op, ri.debugUntil = op, tok.WorkspaceDebugUntil
		if op != birdie.OpGroups {
			ri.userID = r.PathValue("id")
		}
		if ok, wait := s.limiter.allow(tok.ID, s.cfg.Now()); !ok {
			s.tooMany(w, r, wait, fmt.Sprintf("too many requests for this token (limit %g per second, bursts of %d)", s.cfg.RateLimit, s.cfg.RateBurst))
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

// tooMany answers 429 with Retry-After in whole seconds (at least 1).
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration, why string) {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.writeError(w, r, scim.Errorf(http.StatusTooManyRequests, scim.ErrTooMany, "%s; retry after %d seconds", why, secs))
}

// clientAddr is the address failed authentications are counted against:
// the connection's peer, or with TrustProxy the client the proxy names
// first in X-Forwarded-For.
func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			if a := strings.TrimSpace(first); a != "" {
				return a
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
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
