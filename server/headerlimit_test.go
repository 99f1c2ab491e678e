package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestHeaderLimit: headers over the limit get a SCIM 431 that names it.
func TestHeaderLimit(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		r := e.A(t, "GET", base+"/Users", nil, "X-Padding", strings.Repeat("a", 70<<10))
		wantError(t, r, http.StatusRequestHeaderFieldsTooLarge, "")
		if !strings.Contains(string(r.Raw), "the limit is 65536 bytes") {
			t.Errorf("detail does not name the limit: %s", r.Raw)
		}
		if r := e.A(t, "GET", base+"/Users", nil, "X-Padding", strings.Repeat("a", 30<<10)); r.Status != http.StatusOK {
			t.Errorf("30 KiB of headers: status %d, want 200", r.Status)
		}
	})
}
