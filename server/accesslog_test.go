package server

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The hand-written access line is byte for byte what slog's JSONHandler
// writes for the same record, whatever the strings hold.
func TestAccessLineIsSlogJSON(t *testing.T) {
	odd := []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\x00\x01\x1f\x7f",
		"<html> & 'amp'", "é ü 漢字 🙂", "bad \xff utf8 \xc3", "line\u2028sep\u2029para", strings.Repeat("long ", 100)}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func() string {
		if rng.IntN(3) == 0 {
			b := make([]byte, rng.IntN(20))
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			return string(b)
		}
		return odd[rng.IntN(len(odd))]
	}
	at := time.Date(2026, 11, 27, 1, 2, 3, 456789000, time.UTC)
	for i := range 2000 {
		l := accessLine{requestID: pick(), method: pick(), path: pick(), route: pick(), userAgent: pick(),
			status: rng.IntN(600), duration: time.Duration(rng.Int64N(int64(time.Hour))), tokenID: pick(), query: pick()}
		if i%2 == 0 {
			l.workspaceID = rng.Int64N(1000) + 1
		}
		l.withQuery = i%3 == 0
		level := slog.LevelInfo
		if i%5 == 0 {
			level = slog.LevelError
		}
		var want bytes.Buffer
		rec := slog.NewRecord(at.Add(time.Duration(i)*time.Millisecond), level, "request", 0)
		rec.AddAttrs(l.attrs()...)
		if err := slog.NewJSONHandler(&want, nil).Handle(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		got := appendAccessLine(nil, rec.Time, level, &l)
		if !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("access line %d:\n got  %s\n want %s", i, got, want.Bytes())
		}
	}
}

// With Config.AccessLog, lines go to that writer and the Logger's level
// still applies: at warn, only 5xx answers are logged.
func TestAccessLogWriterHonoursLevel(t *testing.T) {
	var out bytes.Buffer
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
		out.Reset()
		logger := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: level}))
		s := New(Config{Store: nil, Logger: logger, AccessLog: &out})
		s.handler = s.logRequests(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/fail" {
				w.WriteHeader(http.StatusInternalServerError)
			}
		}))
		for _, p := range []string{"/ok", "/fail"} {
			s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
		}
		lines := strings.Count(out.String(), `"msg":"request"`)
		want := map[slog.Level]int{slog.LevelInfo: 2, slog.LevelWarn: 1}[level]
		if lines != want || (level == slog.LevelWarn && !strings.Contains(out.String(), `"level":"ERROR"`)) {
			t.Errorf("at level %v: %d lines, want %d:\n%s", level, lines, want, out.String())
		}
	}
}

// isCanonical is canonicalPath's fast path: it may say "unchanged" only
// when the rewrite leaves the path as it is.
func TestIsCanonicalAgreesWithCanonicalPath(t *testing.T) {
	segs := []string{"", "scim", "SCIM", "v2", "V2", "Users", "users", "USERS", "Groups", "groups", "ServiceProviderConfig",
		"serviceConfiguration", "Schemas", "ResourceTypes", ".search", ".SEARCH", "abc", "x", "01a2-b3", "."}
	rng := rand.New(rand.NewPCG(3, 4))
	paths := []string{"/scim/v2", "/scim/v2/", "/scim/v2Users", "/scim/v2/Users", "/scim/v2/Users/", "/scim/v2//Users", "/", ""}
	for range 20000 {
		var b strings.Builder
		if rng.IntN(4) > 0 {
			b.WriteString("/scim/v2")
		}
		for range rng.IntN(5) {
			if rng.IntN(6) > 0 {
				b.WriteByte('/')
			}
			b.WriteString(segs[rng.IntN(len(segs))])
		}
		paths = append(paths, b.String())
	}
	for _, p := range paths {
		if got, want := isCanonical(p), rewritePath(p) == p; got && !want {
			t.Errorf("isCanonical(%q) = true, but the rewrite gives %q", p, rewritePath(p))
		}
	}
	for _, p := range []string{"/scim/v2/Users", "/scim/v2/Users/01a2-b3", "/scim/v2/Users/.search", "/scim/v2/ServiceProviderConfig"} {
		if !isCanonical(p) {
			t.Errorf("isCanonical(%q) = false, want the fast path", p)
		}
	}
}
