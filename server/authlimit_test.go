package server_test

import (
	"net/http"
	"strconv"
	"testing"

	"birdie/server"
)

// TestAuthFailureLimit: failed authentications from one address are
// answered 429 with Retry-After once its budget is spent, while a valid
// token from the same address keeps working (IdPs share egress addresses
// between tenants).
func TestAuthFailureLimit(t *testing.T) {
	eachBackendWith(t, func(c *server.Config) { c.AuthFailureRate, c.AuthFailureBurst = 0.001, 5 }, func(t *testing.T, e *env) {
		bad := "birdie_scim_" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		for i := range 5 {
			r := e.As(t, bad, "GET", base+"/Users", nil)
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("failure %d: status %d, want 401", i+1, r.Status)
			}
		}
		for _, tok := range []string{bad, "garbage", ""} {
			r := e.As(t, tok, "GET", base+"/Users", nil)
			if r.Status != http.StatusTooManyRequests {
				t.Fatalf("failure past the budget with token %q: status %d, want 429", tok, r.Status)
			}
			wantError(t, r, http.StatusTooManyRequests, "tooMany")
			if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 {
				t.Errorf("Retry-After %q, want whole seconds >= 1", r.Header.Get("Retry-After"))
			}
		}
		if r := e.As(t, e.TokenA, "GET", base+"/Users", nil); r.Status != http.StatusOK {
			t.Fatalf("a valid token from the same address: status %d, want 200", r.Status)
		}
	})
}
