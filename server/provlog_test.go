package server_test

// The provisioning log through the real handler: what each request
// records, what is never recorded, debug bodies, and that the log never
// changes a response when it cannot be written.

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"birdie"
	"birdie/internal/testbackend"
	"birdie/server"
)

// waitLog polls the workspace's log until it holds n entries and returns
// them: entries are written in the background, a moment after the
// response.
func waitLog(t *testing.T, store birdie.Store, ws int64, n int) []birdie.LogEntry {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := store.Logs(context.Background(), ws, birdie.LogQuery{Limit: 1000})
		if err != nil {
			t.Fatalf("Logs: %v", err)
		}
		if len(list) >= n {
			return list
		}
		if time.Now().After(deadline) {
			t.Fatalf("the provisioning log holds %d entries, want %d: %+v", len(list), n, list)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logWant is what one entry must say.
type logWant struct {
	method, path, op  string
	status            int
	scimType          string
	userID, userName  string
	client            string
	failed, anyDetail bool
}

func checkEntry(t *testing.T, i int, got birdie.LogEntry, want logWant, tokenID string, start time.Time) {
	t.Helper()
	where := got.Method + " " + got.Path
	if got.Method != want.method || got.Path != want.path || got.Operation != want.op || got.Status != want.status || got.ScimType != want.scimType {
		t.Errorf("entry %d: %s %s op %q status %d scimType %q; want %s %s op %q status %d scimType %q",
			i, got.Method, got.Path, got.Operation, got.Status, got.ScimType, want.method, want.path, want.op, want.status, want.scimType)
	}
	if got.UserID != want.userID || got.UserName != want.userName {
		t.Errorf("entry %d (%s): user %q %q, want %q %q", i, where, got.UserID, got.UserName, want.userID, want.userName)
	}
	if got.Client != want.client {
		t.Errorf("entry %d (%s): client %q, want %q", i, where, got.Client, want.client)
	}
	if want.status >= 400 && got.Detail == "" || want.status < 400 && got.Detail != "" {
		t.Errorf("entry %d (%s): detail %q for status %d", i, where, got.Detail, want.status)
	}
	if got.TokenID != tokenID || got.Body != "" || got.Duration <= 0 || got.Time.Before(start.Add(-time.Second)) || got.Time.After(time.Now().Add(time.Second)) {
		t.Errorf("entry %d (%s): token %q body %q duration %v time %v; want token %s, no body, a duration, a time of this test",
			i, where, got.TokenID, got.Body, got.Duration, got.Time, tokenID)
	}
}

func TestProvisioningLog(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		start := time.Now()
		const okta = "Okta SCIM Client 1.0.0"
		// Not recorded: no workspace is known.
		wantStatus(t, e.Do(t, "GET", base+"/Users", nil), 401)
		wantStatus(t, e.As(t, birdie.TokenPrefix+strings.Repeat("a", 52), "GET", base+"/Users", nil), 401)
		wantStatus(t, e.As(t, "not-a-birdie-token", "GET", base+"/Users", nil), 401)
		wantStatus(t, e.Do(t, "GET", base+"/ServiceProviderConfig", nil), 200)
		wantStatus(t, e.Do(t, "GET", "/healthz", nil), 200)

		user := func(userName string) obj { return obj{"schemas": arr{urnUser}, "userName": userName} }
		c := e.A(t, "POST", base+"/Users", user("Log.Jane@example.com"), "User-Agent", okta)
		wantStatus(t, c, 201)
		id := getStr(c.Body, "id")
		wantError(t, e.A(t, "GET", base+`/Users?filter=userName zz "x"`, nil, "User-Agent", okta), 400, "invalidFilter")
		missing := birdie.NewID()
		wantError(t, e.A(t, "GET", base+"/Users/"+missing, nil, "User-Agent", okta), 404, "")
		wantStatus(t, e.A(t, "GET", base+"/users/"+id+"/", nil, "User-Agent", ""), 200) // path as IdPs send it
		wantStatus(t, e.A(t, "PATCH", base+"/Users/"+id, obj{"schemas": arr{urnPatchOp},
			"Operations": arr{obj{"op": "replace", "path": "displayName", "value": "Jane"}}}, "User-Agent", okta), 200)
		wantStatus(t, e.A(t, "PUT", base+"/Users/"+id, user("log.jane@example.com"), "User-Agent", okta), 200)
		wantStatus(t, e.A(t, "GET", base+"/Users?count=5", nil, "User-Agent", okta), 200)
		wantStatus(t, e.A(t, "POST", base+"/Users/.search", obj{"schemas": arr{urnSearch}}, "User-Agent", okta), 200)
		wantStatus(t, e.A(t, "GET", base+"/Groups", nil, "User-Agent", okta), 200)
		wantError(t, e.A(t, "POST", base+"/Users", user("LOG.JANE@example.com"), "User-Agent", okta), 409, "uniqueness")
		wantStatus(t, e.A(t, "DELETE", base+"/Users/"+id, nil, "User-Agent", okta), 204)
		wantStatus(t, e.B(t, "GET", base+"/Users", nil, "User-Agent", "Entra"), 200)

		u := base + "/Users"
		wants := []logWant{
			{method: "POST", path: u, op: birdie.OpCreate, status: 201, userID: id, userName: "Log.Jane@example.com", client: okta},
			{method: "GET", path: u, op: birdie.OpList, status: 400, scimType: "invalidFilter", client: okta},
			{method: "GET", path: u + "/" + missing, op: birdie.OpRead, status: 404, userID: missing, client: okta},
			{method: "GET", path: u + "/" + id, op: birdie.OpRead, status: 200, userID: id, userName: "Log.Jane@example.com"},
			{method: "PATCH", path: u + "/" + id, op: birdie.OpPatch, status: 200, userID: id, userName: "Log.Jane@example.com", client: okta},
			{method: "PUT", path: u + "/" + id, op: birdie.OpReplace, status: 200, userID: id, userName: "log.jane@example.com", client: okta},
			{method: "GET", path: u, op: birdie.OpList, status: 200, client: okta},
			{method: "POST", path: u + "/.search", op: birdie.OpList, status: 200, client: okta},
			{method: "GET", path: base + "/Groups", op: birdie.OpGroups, status: 200, client: okta},
			{method: "POST", path: u, op: birdie.OpCreate, status: 409, scimType: "uniqueness", userName: "LOG.JANE@example.com", client: okta},
			{method: "DELETE", path: u + "/" + id, op: birdie.OpDelete, status: 204, userID: id, userName: "log.jane@example.com", client: okta},
		}
		list := waitLog(t, e.Store, e.WSA.ID, len(wants))
		if len(list) != len(wants) {
			t.Fatalf("workspace A's log holds %d entries, want %d (401s and discovery are not recorded): %+v", len(list), len(wants), list)
		}
		for i, w := range wants {
			checkEntry(t, i, list[i], w, e.TokenAID, start)
		}
		if d := list[1].Detail; !strings.Contains(d, "zz") {
			t.Errorf("the invalid filter's detail %q does not say what was wrong", d)
		}
		for _, entry := range list {
			if strings.Contains(strings.Join([]string{entry.TokenID, entry.Path, entry.Detail, entry.Client, entry.Body}, " "), e.TokenA) {
				t.Errorf("an entry holds the token secret: %+v", entry)
			}
		}

		// What support asks: everything about one user, by any case of
		// its userName.
		mine, err := e.Store.Logs(context.Background(), e.WSA.ID, birdie.LogQuery{User: "log.JANE@example.COM"})
		if err != nil || len(mine) != 6 {
			t.Errorf("Logs by userName: %d entries, %v; want 6 (create, read, patch, put, conflicting create, delete)", len(mine), err)
		}
		b := waitLog(t, e.Store, e.WSB.ID, 1)
		if len(b) != 1 || b[0].TokenID != e.TokenBID || b[0].Client != "Entra" {
			t.Errorf("workspace B's log: %+v, want its one request", b)
		}
	})
}

// logFaultStore is a real store whose AppendLog fails or blocks.
type logFaultStore struct {
	birdie.Store
	fail    bool
	entered chan struct{} // receives when AppendLog is called, if not nil
	release chan struct{} // AppendLog waits for it to close, if not nil
}

func (s *logFaultStore) AppendLog(ctx context.Context, entries []birdie.LogEntry) error {
	if s.entered != nil {
		select {
		case s.entered <- struct{}{}:
		default:
		}
	}
	if s.release != nil {
		<-s.release
	}
	if s.fail {
		return errors.New("disk full")
	}
	return s.Store.AppendLog(ctx, entries)
}

func TestProvisioningLogWriteFailure(t *testing.T) {
	obs := &opsObserver{}
	e := newEnv(t, testbackend.SQLite(), func(c *server.Config) {
		c.Store = &logFaultStore{Store: c.Store, fail: true}
		c.Observer = obs
	})
	c := e.A(t, "POST", base+"/Users", obj{"schemas": arr{urnUser}, "userName": "unlogged@example.com"})
	wantStatus(t, c, 201)
	if getStr(c.Body, "userName") != "unlogged@example.com" || c.Header.Get("Location") == "" {
		t.Errorf("the create's response changed: %s", c)
	}
	wantStatus(t, e.A(t, "GET", base+"/Users/"+getStr(c.Body, "id"), nil), 200)
	deadline := time.Now().Add(10 * time.Second)
	for obs.droppedLog(server.LogDropWriteFailed) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d entries counted as write_failed, want 2", obs.droppedLog(server.LogDropWriteFailed))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestProvisioningLogQueueFull(t *testing.T) {
	obs := &opsObserver{}
	fault := &logFaultStore{entered: make(chan struct{}, 1), release: make(chan struct{})}
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(fault.release) }) }
	e := newEnv(t, testbackend.SQLite(), func(c *server.Config) {
		fault.Store = c.Store
		c.Store = fault
		c.Observer = obs
		c.LogQueueSize = 1
	})
	t.Cleanup(release) // before the server's Close waits for the writer

	// The first entry is taken by the writer, which then blocks in
	// AppendLog; the second waits in the queue; the rest are dropped.
	wantStatus(t, e.A(t, "GET", base+"/Users", nil), 200)
	select {
	case <-fault.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the writer never called AppendLog")
	}
	start := time.Now()
	for range 4 {
		wantStatus(t, e.A(t, "GET", base+"/Users", nil), 200)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("4 requests with the log blocked took %v", d)
	}
	deadline := time.Now().Add(10 * time.Second)
	for obs.droppedLog(server.LogDropQueueFull) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d entries counted as queue_full, want 3", obs.droppedLog(server.LogDropQueueFull))
		}
		time.Sleep(10 * time.Millisecond)
	}
	release()
	if list := waitLog(t, e.Store, e.WSA.ID, 2); len(list) != 2 {
		t.Errorf("the log holds %d entries, want the 2 that were queued", len(list))
	}
	if err := e.API.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if n := obs.droppedLog(server.LogDropQueueFull); n != 3 {
		t.Errorf("%d entries counted as queue_full, want 3", n)
	}
}

func TestProvisioningLogDebugBodies(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		if _, err := e.Store.SetWorkspaceDebug(ctx, "ws-a", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(server.DefaultTokenCacheTTL + time.Millisecond) // the switch is read with the token

		c := e.A(t, "POST", base+"/Users", obj{"schemas": arr{urnUser}, "userName": "debug@example.com",
			"password": "Sekrit-1", "name": obj{"givenName": "Deb <&>"}, "externalId": "00u123"})
		wantStatus(t, c, 201)
		id := getStr(c.Body, "id")
		wantStatus(t, e.A(t, "PATCH", base+"/Users/"+id, obj{"schemas": arr{urnPatchOp}, "Operations": arr{
			obj{"op": "replace", "path": "password", "value": "Sekrit-2"},
			obj{"op": "replace", "value": obj{"PassWord": "Sekrit-3", "displayName": "Deb"}},
			obj{"Op": "Replace", "Path": "urn:ietf:params:scim:schemas:core:2.0:User:password", "Value": "Sekrit-4"},
		}}), 200)
		wantStatus(t, e.A(t, "PUT", base+"/Users/"+id, obj{"schemas": arr{urnUser}, "userName": "debug@example.com",
			urnEnterprise: obj{"PASSWORD": "Sekrit-5", "department": "R&D"}}), 200)
		wantError(t, e.A(t, "POST", base+"/Users", `{"userName": "x", "password": "Sekrit-6"`), 400, "")
		wantStatus(t, e.A(t, "GET", base+"/Users/"+id, nil), 200)
		wantStatus(t, e.B(t, "POST", base+"/Users", obj{"schemas": arr{urnUser}, "userName": "b@example.com", "password": "Sekrit-7"}), 201)

		list := waitLog(t, e.Store, e.WSA.ID, 5)
		for _, entry := range list {
			if strings.Contains(entry.Body, "Sekrit") {
				t.Errorf("%s %s: the body keeps a password: %s", entry.Method, entry.Path, entry.Body)
			}
		}
		if len(list) != 5 {
			t.Fatalf("workspace A's log: %d entries, want 5", len(list))
		}
		for i, want := range []string{
			`"userName":"debug@example.com"`, `"externalId":"00u123"`, `"givenName":"Deb <&>"`, `"password":"[redacted]"`,
		} {
			if !strings.Contains(list[0].Body, want) {
				t.Errorf("create's body %s lacks %d: %s", list[0].Body, i, want)
			}
		}
		for _, want := range []string{`"value":"[redacted]"`, `"PassWord":"[redacted]"`, `"Value":"[redacted]"`, `"displayName":"Deb"`} {
			if !strings.Contains(list[1].Body, want) {
				t.Errorf("patch's body %s lacks %s", list[1].Body, want)
			}
		}
		if !strings.Contains(list[2].Body, `"PASSWORD":"[redacted]"`) || !strings.Contains(list[2].Body, `"department":"R&D"`) {
			t.Errorf("put's body: %s", list[2].Body)
		}
		if b := list[3].Body; !strings.HasPrefix(b, "[not kept") || list[3].Status != 400 {
			t.Errorf("a body that is not JSON: status %d, body %q; want it not kept", list[3].Status, b)
		}
		if list[4].Body != "" {
			t.Errorf("a GET has a body: %q", list[4].Body)
		}
		if b := waitLog(t, e.Store, e.WSB.ID, 1); b[0].Body != "" {
			t.Errorf("workspace B (debug off) kept a body: %q", b[0].Body)
		}

		// Switched off: bodies are no longer kept.
		if _, err := e.Store.SetWorkspaceDebug(ctx, "ws-a", time.Time{}); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(server.DefaultTokenCacheTTL + time.Millisecond)
		wantStatus(t, e.A(t, "POST", base+"/Users", obj{"schemas": arr{urnUser}, "userName": "after@example.com"}), 201)
		if list := waitLog(t, e.Store, e.WSA.ID, 6); list[5].Body != "" {
			t.Errorf("a body was kept after debug was switched off: %q", list[5].Body)
		}
	})
}
