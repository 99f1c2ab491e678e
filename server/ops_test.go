package server_test

// Operational behaviour of the server: health and readiness checks, the
// access log, panic recovery and the Observer hooks. Each test starts the
// real handler on a loopback port over a real SQLite store (wrapped, where
// a fault is needed, in a small test double) and talks to it over HTTP.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"birdie"
	"birdie/internal/testbackend"
	"birdie/server"
	"birdie/sqlstore"
)

// opsStore is a real store whose Ping and Ready can be made to fail and
// whose User method can be made to panic.
type opsStore struct {
	birdie.Store
	mu        sync.Mutex
	pingErr   error
	readyErr  error
	panicUser bool
}

func (s *opsStore) set(f func(*opsStore)) { s.mu.Lock(); f(s); s.mu.Unlock() }

func (s *opsStore) Ping(ctx context.Context) error {
	s.mu.Lock()
	err := s.pingErr
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.Store.Ping(ctx)
}

// Ready is the readiness check the server prefers over Ping; it forwards
// to the real store's Ready when it has one.
func (s *opsStore) Ready(ctx context.Context) error {
	s.mu.Lock()
	err := s.readyErr
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if r, ok := s.Store.(interface{ Ready(context.Context) error }); ok {
		return r.Ready(ctx)
	}
	return s.Store.Ping(ctx)
}

func (s *opsStore) User(ctx context.Context, ws int64, id string) (birdie.User, error) {
	s.mu.Lock()
	p := s.panicUser
	s.mu.Unlock()
	if p {
		panic("opsStore: deliberate panic with internal detail kaboom-7731")
	}
	return s.Store.User(ctx, ws, id)
}

// opsObserver records what the server reports to its Observer.
type opsObserver struct {
	mu       sync.Mutex
	requests []opsObservedRequest
	errors   []opsObservedError
	dropped  map[string]int // provisioning log entries dropped, by reason
}

type opsObservedRequest struct {
	Route, Method string
	Status        int
	Duration      time.Duration
}

type opsObservedError struct {
	Status   int
	ScimType string
}

func (o *opsObserver) ObserveRequest(route, method string, status int, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.requests = append(o.requests, opsObservedRequest{route, method, status, d})
}

func (o *opsObserver) ObserveSCIMError(status int, scimType string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.errors = append(o.errors, opsObservedError{status, scimType})
}

func (o *opsObserver) ObserveLogDropped(reason string, entries int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.dropped == nil {
		o.dropped = map[string]int{}
	}
	o.dropped[reason] += entries
}

// droppedLog returns how many provisioning log entries were dropped for
// the reason.
func (o *opsObserver) droppedLog(reason string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.dropped[reason]
}

func (o *opsObserver) snapshot() ([]opsObservedRequest, []opsObservedError) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]opsObservedRequest(nil), o.requests...), append([]opsObservedError(nil), o.errors...)
}

// opsLog is the harness's goroutine-safe log sink, read line by line.
type opsLog = syncBuffer

// lines parses every log line as a JSON object; a line that is not one
// fails the test.
func (l *opsLog) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not a JSON object (%v): %q", err, line)
		}
		out = append(out, m)
	}
	return out
}

// summary renders the log without stack traces, for failure messages.
func (l *opsLog) summary(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, m := range l.lines(t) {
		if _, ok := m["stack"]; ok {
			m["stack"] = "…"
		}
		line, _ := json.Marshal(m)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// requestLines returns the access log lines (msg "request").
func (l *opsLog) requestLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range l.lines(t) {
		if m["msg"] == "request" {
			out = append(out, m)
		}
	}
	return out
}

// opsEnv is a running server over a wrapped SQLite store, with one
// workspace and its token.
type opsEnv struct {
	srv      *httptest.Server
	store    *opsStore
	ws       birdie.Workspace
	token    string
	tokenID  string
	log      *opsLog
	observer *opsObserver
}

func newOpsEnv(t *testing.T, level slog.Level) *opsEnv {
	t.Helper()
	e := &opsEnv{store: &opsStore{Store: testbackend.SQLite().Open(t)}, log: &opsLog{}, observer: &opsObserver{}}
	ctx := context.Background()
	ws, err := e.store.CreateWorkspace(ctx, "ops", "Ops")
	if err != nil {
		t.Fatalf("create workspace: %v", err)
	}
	secret, tok := birdie.NewToken(ws.ID, time.Now())
	if err := e.store.CreateToken(ctx, tok); err != nil {
		t.Fatalf("create token: %v", err)
	}
	e.ws, e.token, e.tokenID = ws, secret, tok.ID
	logger := slog.New(slog.NewJSONHandler(e.log, &slog.HandlerOptions{Level: level}))
	api := server.New(server.Config{Store: e.store, Logger: logger, Observer: e.observer})
	t.Cleanup(func() { api.Close(context.Background()) })
	e.srv = httptest.NewServer(api)
	t.Cleanup(e.srv.Close)
	return e
}

type opsResponse struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// do sends one request; hdr is a list of name, value pairs. body is sent
// as is.
func (e *opsEnv) do(t *testing.T, method, path, body string, hdr ...string) opsResponse {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	r := opsResponse{status: res.StatusCode, header: res.Header, raw: raw}
	json.Unmarshal(raw, &r.body)
	return r
}

// auth sends one request with the workspace's token.
func (e *opsEnv) auth(t *testing.T, method, path, body string, hdr ...string) opsResponse {
	t.Helper()
	return e.do(t, method, path, body, append([]string{"Authorization", "Bearer " + e.token}, hdr...)...)
}

// opsWait polls cond until it holds or 5 s pass: the access log line and
// the Observer call are made after the handler returns, which a client may
// see a moment before they happen.
func opsWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func wantOpsStatus(t *testing.T, what string, r opsResponse, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.status, status, r.raw)
	}
}

func TestOpsHealthAndReadiness(t *testing.T) {
	e := newOpsEnv(t, slog.LevelInfo)

	h := e.do(t, "GET", "/healthz", "")
	wantOpsStatus(t, "GET /healthz", h, http.StatusOK)
	if h.body["status"] != "ok" {
		t.Errorf("GET /healthz body %s, want status ok", h.raw)
	}
	r := e.do(t, "GET", "/readyz", "")
	wantOpsStatus(t, "GET /readyz", r, http.StatusOK)
	if r.body["status"] != "ready" {
		t.Errorf("GET /readyz body %s, want status ready", r.raw)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if e.do(t, "POST", p, "").status == http.StatusOK {
			t.Errorf("POST %s answered 200; only GET is a check", p)
		}
	}

	// Not ready (e.g. the schema moved on), still alive: a load balancer
	// drains the replica without an orchestrator killing it.
	const readyCause = "dial tcp 10.9.8.7:5432: password authentication failed for user sekrit-ready"
	e.store.set(func(s *opsStore) { s.readyErr = errors.New(readyCause) })
	r = e.do(t, "GET", "/readyz", "")
	wantOpsStatus(t, "GET /readyz with a failing Ready", r, http.StatusServiceUnavailable)
	if strings.Contains(string(r.raw), "sekrit-ready") || strings.Contains(string(r.raw), "10.9.8.7") {
		t.Errorf("the 503 body of /readyz leaks the store's error: %s", r.raw)
	}
	if r.body == nil || r.body["status"] == "ready" {
		t.Errorf("GET /readyz 503 body %s, want a JSON object not saying ready", r.raw)
	}
	if ct := r.header.Get("Content-Type"); !strings.Contains(ct, "json") {
		t.Errorf("GET /readyz 503: Content-Type %q, want JSON", ct)
	}
	wantOpsStatus(t, "GET /healthz while not ready", e.do(t, "GET", "/healthz", ""), http.StatusOK)
	opsWait(t, "the readiness error in the server log", func() bool { return strings.Contains(e.log.String(), "sekrit-ready") })

	// Unreachable store: neither alive nor ready, and no leak either.
	const pingCause = "dial tcp 10.9.8.7:5432: connect: connection refused sekrit-ping"
	e.store.set(func(s *opsStore) { s.readyErr, s.pingErr = errors.New(pingCause), errors.New(pingCause) })
	for _, p := range []string{"/healthz", "/readyz"} {
		r := e.do(t, "GET", p, "")
		wantOpsStatus(t, "GET "+p+" with an unreachable store", r, http.StatusServiceUnavailable)
		if strings.Contains(string(r.raw), "sekrit-ping") || strings.Contains(string(r.raw), "10.9.8.7") {
			t.Errorf("the 503 body of %s leaks the store's error: %s", p, r.raw)
		}
	}

	// Recovery is immediate: nothing is cached.
	e.store.set(func(s *opsStore) { s.readyErr, s.pingErr = nil, nil })
	wantOpsStatus(t, "GET /readyz after recovery", e.do(t, "GET", "/readyz", ""), http.StatusOK)
	wantOpsStatus(t, "GET /healthz after recovery", e.do(t, "GET", "/healthz", ""), http.StatusOK)
}

// TestOpsReadyzSchemaChanged uses the real store's Ready: a database
// migrated past the version this process opened makes the replica not
// ready, while it stays alive.
func TestOpsReadyzSchemaChanged(t *testing.T) {
	st, ok := testbackend.SQLite().Open(t).(*sqlstore.Store)
	if !ok {
		t.Fatal("the SQLite backend does not open a *sqlstore.Store")
	}
	srv := httptest.NewServer(server.New(server.Config{Store: st}))
	t.Cleanup(srv.Close)
	get := func(p string) int {
		t.Helper()
		res, err := srv.Client().Get(srv.URL + p)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if s := get("/readyz"); s != http.StatusOK {
		t.Fatalf("GET /readyz on a fresh store: %d, want 200", s)
	}
	var v int
	if err := st.Writer().QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatalf("read schema version: %v", err)
	}
	if _, err := st.Writer().Exec(`INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`, v+1, "from_the_future.sql", time.Now().UnixMicro()); err != nil {
		t.Fatalf("record a newer schema version: %v", err)
	}
	if s := get("/readyz"); s != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz after the schema moved to version %d: %d, want 503", v+1, s)
	}
	if s := get("/healthz"); s != http.StatusOK {
		t.Errorf("GET /healthz after the schema moved: %d, want 200 (alive, only not ready)", s)
	}
}

func TestOpsAccessLog(t *testing.T) {
	const (
		password   = "Pa55-opslog-Hunter2!"
		userName   = "opslog.recognisable@example.com"
		filterVal  = "filter.only.in.query@example.com"
		badToken   = "birdie_scim_opslog_not_a_real_token"
		incomingID = "lb-req-4242"
	)
	e := newOpsEnv(t, slog.LevelInfo)

	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"password":%q,"emails":[{"value":"other.mail@example.com","type":"work"}]}`, userName, password)
	type sent struct {
		method, path, route string
		status              int
		authed              bool
		requestID           string
	}
	var reqs []sent
	c := e.auth(t, "POST", "/scim/v2/Users", body, "X-Request-Id", incomingID)
	wantOpsStatus(t, "POST /scim/v2/Users", c, http.StatusCreated)
	id, _ := c.body["id"].(string)
	reqs = append(reqs, sent{"POST", "/scim/v2/Users", "POST /scim/v2/Users", 201, true, c.header.Get("X-Request-Id")})
	if got := c.header.Get("X-Request-Id"); got != incomingID {
		t.Errorf("X-Request-Id %q, want the incoming %q kept", got, incomingID)
	}

	g := e.auth(t, "GET", "/scim/v2/Users/"+id, "")
	wantOpsStatus(t, "GET the user", g, http.StatusOK)
	reqs = append(reqs, sent{"GET", "/scim/v2/Users/" + id, "GET /scim/v2/Users/{id}", 200, true, g.header.Get("X-Request-Id")})

	p := e.auth(t, "PATCH", "/scim/v2/Users/"+id, fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"password":%q}}]}`, password))
	wantOpsStatus(t, "PATCH password", p, http.StatusOK)
	reqs = append(reqs, sent{"PATCH", "/scim/v2/Users/" + id, "PATCH /scim/v2/Users/{id}", 200, true, p.header.Get("X-Request-Id")})

	q := e.auth(t, "GET", "/scim/v2/Users?filter=userName%20eq%20%22"+filterVal+"%22&count=5", "")
	wantOpsStatus(t, "GET with a filter", q, http.StatusOK)
	reqs = append(reqs, sent{"GET", "/scim/v2/Users", "GET /scim/v2/Users", 200, true, q.header.Get("X-Request-Id")})

	u := e.do(t, "GET", "/scim/v2/Users", "", "Authorization", "Bearer "+badToken)
	wantOpsStatus(t, "GET with a bad token", u, http.StatusUnauthorized)
	reqs = append(reqs, sent{"GET", "/scim/v2/Users", "GET /scim/v2/Users", 401, false, u.header.Get("X-Request-Id")})

	h := e.do(t, "GET", "/healthz", "")
	wantOpsStatus(t, "GET /healthz", h, http.StatusOK)
	reqs = append(reqs, sent{"GET", "/healthz", "GET /healthz", 200, false, h.header.Get("X-Request-Id")})

	opsWait(t, fmt.Sprintf("%d access log lines", len(reqs)), func() bool { return len(e.log.requestLines(t)) >= len(reqs) })
	lines := e.log.requestLines(t)
	if len(lines) != len(reqs) {
		t.Fatalf("%d access log lines for %d requests:\n%s", len(lines), len(reqs), e.log.String())
	}
	seenIDs := map[string]bool{}
	for i, w := range reqs {
		l := lines[i]
		at := fmt.Sprintf("log line %d (%s %s)", i, w.method, w.path)
		if l["level"] != "INFO" {
			t.Errorf("%s: level %v, want INFO", at, l["level"])
		}
		rid, _ := l["request_id"].(string)
		if rid == "" || rid != w.requestID {
			t.Errorf("%s: request_id %q, want the X-Request-Id %q the client got", at, rid, w.requestID)
		}
		if seenIDs[rid] {
			t.Errorf("%s: request_id %q repeats an earlier one", at, rid)
		}
		seenIDs[rid] = true
		if l["method"] != w.method || l["path"] != w.path || l["route"] != w.route || l["status"] != float64(w.status) {
			t.Errorf("%s: method/path/route/status %v %v %v %v, want %s %s %q %d", at, l["method"], l["path"], l["route"], l["status"], w.method, w.path, w.route, w.status)
		}
		if d, ok := l["duration"].(float64); !ok || d <= 0 {
			t.Errorf("%s: duration %#v, want a positive number", at, l["duration"])
		}
		if w.authed {
			if l["workspace_id"] != float64(e.ws.ID) || l["token_id"] != e.tokenID {
				t.Errorf("%s: workspace_id %v token_id %v, want %d %s", at, l["workspace_id"], l["token_id"], e.ws.ID, e.tokenID)
			}
		} else if _, ok := l["workspace_id"]; ok {
			t.Errorf("%s: workspace_id %v on an unauthenticated request", at, l["workspace_id"])
		}
		if _, ok := l["query"]; ok {
			t.Errorf("%s: the query string is logged at info level: %v", at, l["query"])
		}
	}

	out := e.log.String()
	for what, s := range map[string]string{
		"the bearer token":         e.token,
		"the bearer token's body":  strings.TrimPrefix(e.token, "birdie_scim_"),
		"a rejected bearer token":  badToken,
		"the password from a body": password,
		"the userName from a body": userName,
		"an email from a body":     "other.mail@example.com",
		"the filter in a query":    filterVal,
		"the count in a query":     "count=5",
		"the Authorization header": "Bearer ",
		"the raw query string":     "filter=",
	} {
		if strings.Contains(out, s) {
			t.Errorf("the log at info level contains %s (%q):\n%s", what, s, out)
		}
	}
}

// TestOpsAccessLogDebugQuery checks the other side of the query rule: at
// debug level the query is logged (for troubleshooting), while secrets and
// bodies still are not.
func TestOpsAccessLogDebugQuery(t *testing.T) {
	const password = "Pa55-debuglog-Hunter2!"
	e := newOpsEnv(t, slog.LevelDebug)
	c := e.auth(t, "POST", "/scim/v2/Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"debug.body.name@example.com","password":%q}`, password))
	wantOpsStatus(t, "POST /scim/v2/Users", c, http.StatusCreated)
	wantOpsStatus(t, "GET with a filter", e.auth(t, "GET", "/scim/v2/Users?filter=userName%20eq%20%22debug.query%40example.com%22", ""), http.StatusOK)
	opsWait(t, "2 access log lines", func() bool { return len(e.log.requestLines(t)) >= 2 })
	lines := e.log.requestLines(t)
	if q, _ := lines[1]["query"].(string); !strings.Contains(q, "filter=") {
		t.Errorf("at debug level the query is not logged: %v", lines[1])
	}
	out := e.log.String()
	for _, s := range []string{e.token, password, "debug.body.name@example.com"} {
		if strings.Contains(out, s) {
			t.Errorf("the log at debug level contains %q:\n%s", s, out)
		}
	}
}

func TestOpsPanicBecomes500(t *testing.T) {
	e := newOpsEnv(t, slog.LevelInfo)
	c := e.auth(t, "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"panic@example.com"}`)
	wantOpsStatus(t, "POST /scim/v2/Users", c, http.StatusCreated)
	id, _ := c.body["id"].(string)

	e.store.set(func(s *opsStore) { s.panicUser = true })
	r := e.auth(t, "GET", "/scim/v2/Users/"+id, "")
	e.store.set(func(s *opsStore) { s.panicUser = false })

	wantOpsStatus(t, "GET a user whose read panics", r, http.StatusInternalServerError)
	if ct := r.header.Get("Content-Type"); ct != server.ContentType {
		t.Errorf("panic response Content-Type %q, want %q", ct, server.ContentType)
	}
	schemas, _ := r.body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" || r.body["status"] != "500" || r.body["detail"] == "" {
		t.Errorf("panic response is not a SCIM 500 error: %s", r.raw)
	}
	if strings.Contains(string(r.raw), "kaboom") || strings.Contains(string(r.raw), "goroutine") {
		t.Errorf("the panic response leaks the panic: %s", r.raw)
	}
	rid := r.header.Get("X-Request-Id")
	if rid == "" {
		t.Errorf("the panic response has no X-Request-Id")
	}

	// The server goes on serving.
	wantOpsStatus(t, "GET the user after the panic", e.auth(t, "GET", "/scim/v2/Users/"+id, ""), http.StatusOK)

	// The panic is logged with its stack, for the operator.
	opsWait(t, "the panic in the log", func() bool { return strings.Contains(e.log.String(), "kaboom-7731") })
	var panicLine map[string]any
	for _, l := range e.log.lines(t) {
		if strings.Contains(fmt.Sprint(l["error"]), "kaboom-7731") && l["level"] == "ERROR" {
			panicLine = l
			break
		}
	}
	if panicLine == nil {
		t.Fatalf("no ERROR line with the panic:\n%s", e.log.summary(t))
	}
	if st, _ := panicLine["stack"].(string); !strings.Contains(st, "goroutine") || !strings.Contains(st, "opsStore") {
		t.Errorf("the panic's log line has no stack trace reaching the panicking code: %.300q", st)
	}

	// Like every other request, the one that panicked has its access log
	// line and is reported to the Observer: a 500 must show up in the
	// request metrics and be traceable by its request id.
	t.Run("panic is logged and observed like any request", func(t *testing.T) {
		opsWait(t, "the access log lines of the requests around the panic", func() bool { return len(e.log.requestLines(t)) >= 2 })
		var found bool
		for _, l := range e.log.requestLines(t) {
			if l["status"] == float64(500) {
				found = true
				if l["request_id"] != rid || l["route"] != "GET /scim/v2/Users/{id}" {
					t.Errorf("access log line of the panicked request: %v, want request_id %q and route GET /scim/v2/Users/{id}", l, rid)
				}
			}
		}
		if !found {
			t.Errorf("no access log line with status 500 for the panicked request (X-Request-Id %s); the log:\n%s", rid, e.log.summary(t))
		}
		reqs, _ := e.observer.snapshot()
		found = false
		for _, o := range reqs {
			if o.Status == 500 {
				found = true
			}
		}
		if !found {
			t.Errorf("the Observer got no ObserveRequest with status 500 for the panicked request; it got %+v", reqs)
		}
		// The panic's ERROR lines (the panic with its stack, the internal
		// error) carry the request id the client was given.
		correlated := false
		var errLines []map[string]any
		for _, l := range e.log.lines(t) {
			if l["level"] == "ERROR" && strings.Contains(fmt.Sprint(l["error"]), "kaboom-7731") {
				if l["request_id"] == rid {
					correlated = true
				}
				if _, ok := l["stack"]; ok {
					l["stack"] = "…"
				}
				errLines = append(errLines, l)
			}
		}
		if !correlated {
			t.Errorf("no ERROR log line of the panic carries the request_id %q the client got (X-Request-Id); they are: %v", rid, errLines)
		}
	})
}

func TestOpsObserver(t *testing.T) {
	e := newOpsEnv(t, slog.LevelInfo)
	type want struct {
		route, method string
		status        int
	}
	var wants []want

	c := e.auth(t, "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"observed@example.com"}`)
	wantOpsStatus(t, "POST /scim/v2/Users", c, http.StatusCreated)
	id, _ := c.body["id"].(string)
	wants = append(wants, want{"POST /scim/v2/Users", "POST", 201})

	wantOpsStatus(t, "GET the user", e.auth(t, "GET", "/scim/v2/Users/"+id, ""), http.StatusOK)
	wants = append(wants, want{"GET /scim/v2/Users/{id}", "GET", 200})

	// The path as IdPs send it routes (and is observed) like the canonical one.
	wantOpsStatus(t, "GET /scim/v2/users/", e.auth(t, "GET", "/scim/v2/users/"+id+"/", ""), http.StatusOK)
	wants = append(wants, want{"GET /scim/v2/Users/{id}", "GET", 200})

	bad := e.auth(t, "GET", "/scim/v2/Users?filter=userName%20zz%20%22x%22", "")
	wantOpsStatus(t, "GET with an invalid filter", bad, http.StatusBadRequest)
	if bad.body["scimType"] != "invalidFilter" {
		t.Fatalf("invalid filter answered %s, want scimType invalidFilter", bad.raw)
	}
	wants = append(wants, want{"GET /scim/v2/Users", "GET", 400})

	dup := e.auth(t, "POST", "/scim/v2/Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"OBSERVED@example.com"}`)
	wantOpsStatus(t, "POST a taken userName", dup, http.StatusConflict)
	wants = append(wants, want{"POST /scim/v2/Users", "POST", 409})

	wantOpsStatus(t, "GET /healthz", e.do(t, "GET", "/healthz", ""), http.StatusOK)
	wants = append(wants, want{"GET /healthz", "GET", 200})

	nf := e.do(t, "GET", "/not-birdie", "")
	if nf.status != http.StatusNotFound {
		t.Fatalf("GET /not-birdie: %d, want 404", nf.status)
	}
	wants = append(wants, want{"", "GET", 404})

	opsWait(t, fmt.Sprintf("%d observed requests", len(wants)), func() bool {
		reqs, _ := e.observer.snapshot()
		return len(reqs) >= len(wants)
	})
	reqs, errs := e.observer.snapshot()
	if len(reqs) != len(wants) {
		t.Fatalf("%d ObserveRequest calls for %d requests: %+v", len(reqs), len(wants), reqs)
	}
	for i, w := range wants {
		o := reqs[i]
		if o.Route != w.route || o.Method != w.method || o.Status != w.status {
			t.Errorf("ObserveRequest %d: %q %s %d, want %q %s %d", i, o.Route, o.Method, o.Status, w.route, w.method, w.status)
		}
		if o.Duration <= 0 {
			t.Errorf("ObserveRequest %d: duration %v, want > 0", i, o.Duration)
		}
		if id != "" && strings.Contains(o.Route, id) {
			t.Errorf("ObserveRequest %d: route %q holds a user id; routes must be patterns", i, o.Route)
		}
	}
	wantErrs := []opsObservedError{{400, "invalidFilter"}, {409, "uniqueness"}}
	if fmt.Sprint(errs) != fmt.Sprint(wantErrs) {
		t.Errorf("ObserveSCIMError calls %+v, want %+v", errs, wantErrs)
	}
}
