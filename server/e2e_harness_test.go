package server_test

// The end-to-end harness: every test in this package starts the real
// handler (server.New) on a real loopback port, against every storage
// backend configured on this machine (testbackend.All), and talks to it
// over HTTP only, as an identity provider would. Stores are touched only
// to create workspaces and tokens, which has no HTTP API.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"birdie"
	"birdie/internal/testbackend"
	"birdie/server"
)

// Protocol constants, written out rather than imported from package scim:
// these tests check the wire contract, not the code that produces it.
const (
	base = "/scim/v2"

	urnUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	urnEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	urnAccount    = "urn:birdie:scim:schemas:extension:account:2.0:User"
	urnList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	urnError      = "urn:ietf:params:scim:api:messages:2.0:Error"
	urnPatchOp    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	urnSearch     = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

	scimContentType = "application/scim+json; charset=utf-8"
)

// obj and arr keep JSON literals in tests short.
type (
	obj = map[string]any
	arr = []any
)

// env is one running server with two workspaces, A and B, and a token for
// each.
type env struct {
	Backend testbackend.Backend
	Store   birdie.Store
	API     *server.Server
	Server  *httptest.Server
	Client  *http.Client

	// Clock is the server's clock (unless a test configured another).
	Clock *testClock

	WSA, WSB           birdie.Workspace
	TokenA, TokenB     string // secrets
	TokenAID, TokenBID string
}

// testClock is the real time plus an offset a test can advance, e.g.
// past the server's token cache after revoking a token.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// revokeToken revokes a token in the store and moves the server's clock
// past its token cache, within which a revoke is allowed to take effect.
func (e *env) revokeToken(t testing.TB, id string) {
	t.Helper()
	if err := e.Store.RevokeToken(context.Background(), id, time.Now()); err != nil {
		t.Fatalf("revoke token %s: %v", id, err)
	}
	e.Clock.Advance(server.DefaultTokenCacheTTL + time.Millisecond)
}

// eachBackend runs f as one subtest per configured backend, each with a
// fresh server using the default configuration.
func eachBackend(t *testing.T, f func(t *testing.T, e *env)) {
	t.Helper()
	eachBackendWith(t, nil, f)
}

// eachBackendWith is eachBackend with a configuration hook, called with
// the Config (Store already set) before server.New.
func eachBackendWith(t *testing.T, configure func(*server.Config), f func(t *testing.T, e *env)) {
	t.Helper()
	for _, b := range testbackend.All(t) {
		t.Run(b.Name, func(t *testing.T) {
			f(t, newEnv(t, b, configure))
		})
	}
}

// newEnv opens a fresh store of backend b, starts the real handler on a
// loopback port, and creates workspaces A and B with a token each.
func newEnv(t testing.TB, b testbackend.Backend, configure func(*server.Config)) *env {
	t.Helper()
	store := b.Open(t)
	clock := &testClock{}
	// Every simulated client shares 127.0.0.1, and these tests fail
	// authentication on purpose many times: the per-address limit of
	// failed authentications is off here and tested on its own
	// (TestAuthFailureLimit).
	cfg := server.Config{Store: store, Now: clock.Now, AuthFailureRate: -1}
	if b.Name == "sqlite" {
		// As `birdie serve` runs: with the user cache on SQLite, none on
		// PostgreSQL, so every test here covers both read paths.
		cfg.UserCacheBytes = server.DefaultUserCacheBytes
	}
	if configure != nil {
		configure(&cfg)
	}
	if cfg.Logger == nil {
		// The server's warnings and errors (the cause of a 500, say) are
		// shown when a test fails.
		logs := &syncBuffer{}
		cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
		t.Cleanup(func() {
			if out := logs.String(); t.Failed() && out != "" {
				t.Logf("server log:\n%s", out)
			}
		})
	}
	api := server.New(cfg)
	// Cleanups run last first: the HTTP server closes, then the
	// provisioning log is written, then the store closes.
	t.Cleanup(func() { api.Close(context.Background()) })
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	// Redirects are not followed: a test must see what the server answers.
	client := *srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	e := &env{Backend: b, Store: store, API: api, Server: srv, Client: &client, Clock: clock}
	e.WSA, e.TokenA, e.TokenAID = createWorkspace(t, store, "ws-a")
	e.WSB, e.TokenB, e.TokenBID = createWorkspace(t, store, "ws-b")
	return e
}

func createWorkspace(t testing.TB, store birdie.Store, slug string) (birdie.Workspace, string, string) {
	t.Helper()
	ctx := context.Background()
	ws, err := store.CreateWorkspace(ctx, slug, "Workspace "+slug)
	if err != nil {
		t.Fatalf("create workspace %s: %v", slug, err)
	}
	secret, tok := e2eNewToken(t, store, ws.ID)
	return ws, secret, tok
}

// e2eNewToken issues and stores a new token for a workspace; it returns the
// secret and the token id.
func e2eNewToken(t testing.TB, store birdie.Store, workspaceID int64) (string, string) {
	t.Helper()
	secret, tok := birdie.NewToken(workspaceID, time.Now())
	if err := store.CreateToken(context.Background(), tok); err != nil {
		t.Fatalf("create token: %v", err)
	}
	return secret, tok.ID
}

// response is one HTTP response, read whole.
type response struct {
	Method, Path string
	Status       int
	Header       http.Header
	Raw          []byte
	Body         obj // the body as a JSON object, nil if empty or not an object
}

func (r *response) String() string {
	return fmt.Sprintf("%s %s -> %d %s", r.Method, r.Path, r.Status, truncate(string(r.Raw), 2000))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Do sends a request and reads the response. path is relative to the
// server root and may carry a raw query written as IdPs document it
// (spaces, quotes and brackets are percent-encoded here, while '+' and
// existing escapes are sent as they are). body may be nil (no body), a
// string or []byte (sent as is), an io.Reader (sent without a length, i.e.
// chunked) or any other value (sent as JSON). hdr is a list of name, value
// pairs; an empty value removes the header (for User-Agent: sends none,
// rather than Go's default). A body without an explicit
// Content-Type is labelled application/scim+json.
//
// Every response with a body is checked to be JSON labelled
// application/scim+json; charset=utf-8 (checklist item 5).
func (e *env) Do(t testing.TB, method, path string, body any, hdr ...string) *response {
	t.Helper()
	var rd io.Reader
	length := int64(-1)
	switch b := body.(type) {
	case nil:
	case string:
		rd, length = strings.NewReader(b), int64(len(b))
	case []byte:
		rd, length = bytes.NewReader(b), int64(len(b))
	case io.Reader:
		rd = b
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal request body: %v", err)
		}
		rd, length = bytes.NewReader(data), int64(len(data))
	}
	p, q, hasQuery := strings.Cut(path, "?")
	req, err := http.NewRequest(method, e.Server.URL+p, rd)
	if err != nil {
		t.Fatalf("new request %s %s: %v", method, path, err)
	}
	if hasQuery {
		req.URL.RawQuery = escapeQuery(q)
	}
	if rd != nil {
		req.ContentLength = length
		if length < 0 {
			req.TransferEncoding = []string{"chunked"}
		}
		req.Header.Set("Content-Type", "application/scim+json")
	}
	if len(hdr)%2 != 0 {
		t.Fatalf("Do: odd header list %q", hdr)
	}
	for i := 0; i < len(hdr); i += 2 {
		switch {
		case hdr[i+1] == "" && http.CanonicalHeaderKey(hdr[i]) == "User-Agent":
			req.Header["User-Agent"] = []string{""} // sends none at all
		case hdr[i+1] == "":
			req.Header.Del(hdr[i])
		default:
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	res, err := e.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the response: %v", method, path, err)
	}
	r := &response{Method: method, Path: path, Status: res.StatusCode, Header: res.Header, Raw: raw}
	if len(raw) > 0 {
		if ct := res.Header.Get("Content-Type"); ct != scimContentType {
			t.Errorf("%s %s -> %d: Content-Type %q, want %q", method, path, res.StatusCode, ct, scimContentType)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Errorf("%s %s -> %d: the body is not JSON (%v): %s", method, path, res.StatusCode, err, truncate(string(raw), 500))
		}
		r.Body, _ = v.(obj)
	}
	return r
}

// A sends a request with workspace A's token.
func (e *env) A(t testing.TB, method, path string, body any, hdr ...string) *response {
	t.Helper()
	return e.Do(t, method, path, body, append([]string{"Authorization", "Bearer " + e.TokenA}, hdr...)...)
}

// B sends a request with workspace B's token.
func (e *env) B(t testing.TB, method, path string, body any, hdr ...string) *response {
	t.Helper()
	return e.Do(t, method, path, body, append([]string{"Authorization", "Bearer " + e.TokenB}, hdr...)...)
}

// As sends a request with the given token secret.
func (e *env) As(t testing.TB, token, method, path string, body any, hdr ...string) *response {
	t.Helper()
	return e.Do(t, method, path, body, append([]string{"Authorization", "Bearer " + token}, hdr...)...)
}

// escapeQuery percent-encodes what may not appear raw in a query (space,
// quotes, brackets, controls, non-ASCII, ...) and leaves everything else,
// notably '+', '%', '&' and '=', as written.
func escapeQuery(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		c := q[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|}[]#", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// --- assertions ---------------------------------------------------------

// wantStatus fails the test now if r's status is not status.
func wantStatus(t testing.TB, r *response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s %s: status %d, want %d; body: %s", r.Method, r.Path, r.Status, status, truncate(string(r.Raw), 2000))
	}
}

// checkStatus reports (without stopping the test) whether r's status is
// status.
func checkStatus(t testing.TB, r *response, status int) bool {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s %s: status %d, want %d; body: %s", r.Method, r.Path, r.Status, status, truncate(string(r.Raw), 2000))
		return false
	}
	return true
}

// wantError checks that r is a SCIM error with the status and, if scimType
// is not empty, that scimType: the Error schema, status as a string, a
// non-empty detail, and the SCIM media type (checked by Do).
func wantError(t testing.TB, r *response, status int, scimType string) {
	t.Helper()
	if !checkStatus(t, r, status) {
		return
	}
	checkErrorBody(t, r, scimType)
}

// checkErrorBody checks the body of an error response, whatever its status.
func checkErrorBody(t testing.TB, r *response, scimType string) {
	t.Helper()
	b := r.Body
	if b == nil {
		t.Errorf("%s %s -> %d: want a SCIM error body, got %q", r.Method, r.Path, r.Status, r.Raw)
		return
	}
	if !hasString(b["schemas"], urnError) {
		t.Errorf("%s %s -> %d: schemas %v does not contain %s", r.Method, r.Path, r.Status, b["schemas"], urnError)
	}
	if s, ok := b["status"].(string); !ok || s != strconv.Itoa(r.Status) {
		t.Errorf("%s %s -> %d: error status is %#v, want the string %q", r.Method, r.Path, r.Status, b["status"], strconv.Itoa(r.Status))
	}
	if d, _ := b["detail"].(string); strings.TrimSpace(d) == "" {
		t.Errorf("%s %s -> %d: error detail is empty: %s", r.Method, r.Path, r.Status, r.Raw)
	}
	if scimType != "" && b["scimType"] != scimType {
		t.Errorf("%s %s -> %d: scimType %#v, want %q (detail: %v)", r.Method, r.Path, r.Status, b["scimType"], scimType, b["detail"])
	}
}

// detail returns the detail of an error response.
func detail(r *response) string {
	d, _ := r.Body["detail"].(string)
	return d
}

// --- JSON helpers -------------------------------------------------------

// get walks a decoded JSON value by object keys and array indices
// (decimal strings); it returns nil where the path leads nowhere. Keys are
// separate arguments because schema URNs contain dots.
func get(v any, keys ...string) any {
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// getStr is get for a string value ("" if absent or not a string).
func getStr(v any, keys ...string) string {
	s, _ := get(v, keys...).(string)
	return s
}

// hasString reports whether v is a JSON array that contains s.
func hasString(v any, s string) bool {
	list, _ := v.([]any)
	return slices.Contains(list, any(s))
}

// jsonString renders v as canonical JSON (sorted keys), for comparisons
// and messages.
func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return string(b)
}

// normalize round-trips v through JSON, so that Go literals compare equal
// to decoded responses.
func normalize(v any) any {
	var out any
	if err := json.Unmarshal([]byte(jsonString(v)), &out); err != nil {
		panic(err)
	}
	return out
}

// wantJSON fails if got and want (any JSON-able values) differ.
func wantJSON(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		t.Errorf("%s:\n got %s\nwant %s", what, jsonString(got), jsonString(want))
	}
}

// subset reports where want is not contained in got: every member of a
// wanted object must be present and (recursively) contained in got's, and
// arrays must have the same length with each element contained. It returns
// "" when want is contained.
func subset(got, want any, at string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %s, want an object like %s", at, jsonString(got), jsonString(want))
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("%s.%s: missing, want %s", at, k, jsonString(wv))
			}
			if d := subset(gv, wv, at+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s: got %s, want %s", at, jsonString(got), jsonString(want))
		}
		for i := range w {
			if d := subset(g[i], w[i], fmt.Sprintf("%s[%d]", at, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		return fmt.Sprintf("%s: got %s, want %s", at, jsonString(got), jsonString(want))
	}
	return ""
}

// wantSubset fails if want is not contained in got (see subset).
func wantSubset(t testing.TB, what string, got, want any) {
	t.Helper()
	if d := subset(normalize(got), normalize(want), what); d != "" {
		t.Error(d)
	}
}

// --- user helpers -------------------------------------------------------

// newUser returns a create body: the core schema, the userName, and the
// extra members given as name, value pairs.
func newUser(userName string, kv ...any) obj {
	u := obj{"schemas": arr{urnUser}, "userName": userName}
	for i := 0; i+1 < len(kv); i += 2 {
		u[kv[i].(string)] = kv[i+1]
	}
	return u
}

// create POSTs body with token and returns the created user; it fails the
// test unless the answer is 201.
func (e *env) create(t testing.TB, token string, body any) obj {
	t.Helper()
	r := e.As(t, token, "POST", base+"/Users", body)
	wantStatus(t, r, http.StatusCreated)
	if getStr(r.Body, "id") == "" {
		t.Fatalf("POST /Users: no id in %s", r.Raw)
	}
	return r.Body
}

// createA creates a user in workspace A and returns its id.
func (e *env) createA(t testing.TB, userName string, kv ...any) string {
	t.Helper()
	return getStr(e.create(t, e.TokenA, newUser(userName, kv...)), "id")
}

// getUser GETs a user with token and returns it; 200 is required.
func (e *env) getUser(t testing.TB, token, id string) obj {
	t.Helper()
	r := e.As(t, token, "GET", base+"/Users/"+id, nil)
	wantStatus(t, r, http.StatusOK)
	return r.Body
}

// patchOps returns a PatchOp body with the given operations.
func patchOps(ops ...obj) obj {
	list := make(arr, len(ops))
	for i, op := range ops {
		list[i] = op
	}
	return obj{"schemas": arr{urnPatchOp}, "Operations": list}
}

// op returns one PATCH operation; path "" leaves path out.
func op(name, path string, value any) obj {
	o := obj{"op": name}
	if path != "" {
		o["path"] = path
	}
	if value != nil {
		o["value"] = value
	}
	return o
}

// list GETs path (a /Users query) with token and returns the ListResponse;
// 200 is required.
func (e *env) list(t testing.TB, token, path string) obj {
	t.Helper()
	r := e.As(t, token, "GET", path, nil)
	wantStatus(t, r, http.StatusOK)
	if !hasString(r.Body["schemas"], urnList) {
		t.Errorf("GET %s: schemas %v, want a ListResponse", path, r.Body["schemas"])
	}
	return r.Body
}

// filterA lists workspace A's users matching a filter (raw, unencoded).
func (e *env) filterA(t testing.TB, filter string) obj {
	t.Helper()
	return e.list(t, e.TokenA, base+"/Users?filter="+encodeFilter(filter))
}

// encodeFilter percent-encodes a filter for a query string, spaces as %20.
func encodeFilter(f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		c := f[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// ids returns the ids of a ListResponse's Resources, in order.
func ids(list obj) []string {
	var out []string
	res, _ := list["Resources"].([]any)
	for _, r := range res {
		out = append(out, getStr(r, "id"))
	}
	return out
}

// userNames returns the userNames of a ListResponse's Resources, sorted.
func userNames(list obj) []string {
	var out []string
	res, _ := list["Resources"].([]any)
	for _, r := range res {
		out = append(out, getStr(r, "userName"))
	}
	slices.Sort(out)
	return out
}

// total returns a ListResponse's totalResults (-1 if not a number).
func total(list obj) int {
	n, ok := list["totalResults"].(float64)
	if !ok {
		return -1
	}
	return int(n)
}

// withoutVolatile returns a copy of a user without meta.lastModified and
// meta.version, for comparing a user before and after a write that must
// not change its content.
func withoutVolatile(u obj) obj {
	c := normalize(u).(obj)
	if m, ok := c["meta"].(obj); ok {
		delete(m, "lastModified")
		delete(m, "version")
	}
	return c
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
