package main

// Tests of `birdie log`, `birdie workspace debug` and serve's log
// retention, through run.

import (
	"birdie/internal/opendb"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"birdie"
	"birdie/internal/testbackend"
)

// appendLog writes entries to the database at dsn, as a server would.
func appendLog(t *testing.T, dsn string, entries ...birdie.LogEntry) {
	t.Helper()
	s, err := opendb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.AppendLog(context.Background(), entries); err != nil {
		t.Fatalf("AppendLog: %v", err)
	}
}

// workspaceID returns the id of the workspace with the slug.
func workspaceID(t *testing.T, dsn, slug string) int64 {
	t.Helper()
	s, err := opendb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws, err := s.Workspace(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	return ws.ID
}

const (
	logJane = "0190c0de-0000-7000-8000-00000000000a"
	logGone = "0190c0de-0000-7000-8000-00000000000b"
)

// seedLog gives workspace acme four entries (one two days old) and
// workspace other one.
func seedLog(t *testing.T, dsn string) {
	t.Helper()
	rtRun(t, map[string]string{"BIRDIE_DB": dsn}, "workspace", "create", "acme").ok(t, "workspace create")
	rtRun(t, map[string]string{"BIRDIE_DB": dsn}, "workspace", "create", "other").ok(t, "workspace create")
	acme, other := workspaceID(t, dsn, "acme"), workspaceID(t, dsn, "other")
	now := time.Now()
	entry := func(ws int64, ago time.Duration, method, path, op string, status int) birdie.LogEntry {
		return birdie.LogEntry{WorkspaceID: ws, Time: now.Add(-ago), TokenID: "tok_0123456789abcdef", Method: method, Path: path,
			Operation: op, Status: status, Duration: 850 * time.Microsecond, Client: "Okta SCIM Client 1.0.0"}
	}
	old := entry(acme, 48*time.Hour, "POST", "/scim/v2/Users", birdie.OpCreate, 201)
	old.UserID, old.UserName = "0190c0de-0000-7000-8000-000000000001", "old@example.com"
	filter := entry(acme, 10*time.Minute, "GET", "/scim/v2/Users", birdie.OpList, 400)
	filter.ScimType, filter.Detail = "invalidFilter", "unknown operator \"zz\"\tat 9"
	create := entry(acme, 5*time.Minute, "POST", "/scim/v2/Users", birdie.OpCreate, 201)
	create.UserID, create.UserName, create.Duration = logJane, "Jane@Example.com", 12345*time.Microsecond
	patch := entry(acme, time.Minute, "PATCH", "/scim/v2/Users/"+logGone, birdie.OpPatch, 404)
	patch.UserID, patch.Detail, patch.Client = logGone, "user not found in this workspace", ""
	elsewhere := entry(other, time.Minute, "GET", "/scim/v2/Users/elsewhere", birdie.OpRead, 200)
	appendLog(t, dsn, old, filter, create, patch, elsewhere)
}

func TestRunLog(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		seedLog(t, dsn)
		vars := map[string]string{"BIRDIE_DB": dsn}
		const header = "TIME METHOD PATH OP USER STATUS SCIMTYPE DURATION CLIENT DETAIL"

		r := rtRun(t, vars, "log", "acme").ok(t, "log")
		list := rows(t, r.stdout, header)
		if len(list) != 4 {
			t.Fatalf("log: %d rows, want 4:\n%s", len(list), r.stdout)
		}
		// Oldest first; fields in the header's order, "-" when empty.
		want := [][]string{
			{"POST", "/scim/v2/Users", "create", "old@example.com", "201", "-", "850µs", "Okta"},
			{"GET", "/scim/v2/Users", "list", "-", "400", "invalidFilter", "850µs", "Okta"},
			{"POST", "/scim/v2/Users", "create", "Jane@Example.com", "201", "-", "12.3ms", "Okta"},
			{"PATCH", "/scim/v2/Users/" + logGone, "patch", logGone, "404", "-", "850µs", "-"},
		}
		for i, row := range list {
			if _, err := time.Parse(time.RFC3339, row[0]); err != nil {
				t.Errorf("row %d: time %q: %v", i, row[0], err)
			}
			if strings.Join(row[1:9], " ") != strings.Join(want[i], " ") {
				t.Errorf("row %d: %v, want %v", i, row[1:9], want[i])
			}
		}
		if !strings.Contains(r.stdout, `unknown operator "zz" at 9`) || !strings.Contains(r.stdout, "user not found in this workspace") {
			t.Errorf("log: details missing (or a tab kept):\n%s", r.stdout)
		}
		if strings.Contains(r.stdout, "elsewhere") {
			t.Errorf("log of acme shows another workspace's entry:\n%s", r.stdout)
		}

		count := func(args ...string) int {
			t.Helper()
			r := rtRun(t, vars, append([]string{"log", "acme"}, args...)...).ok(t, "log "+strings.Join(args, " "))
			return len(rows(t, r.stdout, header))
		}
		for _, c := range []struct {
			args []string
			want int
		}{
			{[]string{"--failed"}, 2},
			{[]string{"--user", "jane@EXAMPLE.com"}, 1},
			{[]string{"--user", logGone}, 1},
			{[]string{"--user", "nobody"}, 0},
			{[]string{"--since", "24h"}, 3},
			{[]string{"--since", "1d"}, 3},
			{[]string{"--since", "7m"}, 2},
			{[]string{"--failed", "--since", "7m"}, 1},
			{[]string{"--limit", "2"}, 2},
		} {
			if got := count(c.args...); got != c.want {
				t.Errorf("log acme %v: %d rows, want %d", c.args, got, c.want)
			}
		}
		r = rtRun(t, vars, "log", "--limit", "1", "acme").ok(t, "log --limit 1")
		if l := rows(t, r.stdout, header); len(l) != 1 || l[0][1] != "PATCH" {
			t.Errorf("--limit 1 shows %v, want the most recent entry", l)
		}

		r = rtRun(t, vars, "log", "acme", "--json").ok(t, "log --json")
		lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
		if len(lines) != 4 {
			t.Fatalf("log --json: %d lines, want 4:\n%s", len(lines), r.stdout)
		}
		var first map[string]any
		if err := json.Unmarshal([]byte(lines[2]), &first); err != nil {
			t.Fatalf("log --json line %q: %v", lines[2], err)
		}
		for k, v := range map[string]any{
			"method": "POST", "path": "/scim/v2/Users", "operation": "create", "user_id": logJane, "user_name": "Jane@Example.com",
			"status": 201.0, "scim_type": "", "detail": "", "duration_ms": 12.345, "client": "Okta SCIM Client 1.0.0", "token_id": "tok_0123456789abcdef",
		} {
			if first[k] != v {
				t.Errorf("log --json: %s = %#v, want %#v", k, first[k], v)
			}
		}
		if _, ok := first["body"]; ok {
			t.Errorf("log --json: a body without debug mode: %v", first["body"])
		}
		if id, _ := first["id"].(float64); id <= 0 {
			t.Errorf("log --json: id %v", first["id"])
		}
		if ts, _ := first["time"].(string); !strings.HasSuffix(ts, "Z") {
			t.Errorf("log --json: time %q, want RFC 3339 in UTC", ts)
		}
		r = rtRun(t, vars, "log", "acme", "--json", "--failed", "--user", logGone).ok(t, "log --json --failed --user")
		if n := strings.Count(r.stdout, "\n"); n != 1 || !strings.Contains(r.stdout, `"status":404`) {
			t.Errorf("log --json --failed --user: %q", r.stdout)
		}

		rtRun(t, vars, "log").fails(t, "log without a workspace")
		rtRun(t, vars, "log", "nope").fails(t, "log of an unknown workspace")
		rtRun(t, vars, "log", "acme", "--since", "yesterday").fails(t, "log with a bad --since")
		rtRun(t, vars, "log", "acme", "--since", "-1h").fails(t, "log with a negative --since")
		rtRun(t, vars, "log", "acme", "--limit", "0").fails(t, "log with --limit 0")
	})
}

// TestRunLogFromServer checks the whole way: a request to the API shows
// up in `birdie log`.
func TestRunLogFromServer(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		vars := map[string]string{"BIRDIE_DB": dsn}
		rtRun(t, vars, "workspace", "create", "acme").ok(t, "workspace create")
		secret := lastLine(rtRun(t, vars, "token", "create", "acme").ok(t, "token create").stdout)
		srv := newRTServer(t, dsn)
		if code, body := rtGet(t, srv.URL+"/scim/v2/Users/"+logGone, secret); code != http.StatusNotFound {
			t.Fatalf("GET a missing user: %d %s", code, body)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			r := rtRun(t, vars, "log", "acme", "--failed").ok(t, "log --failed")
			if l := rows(t, r.stdout, "TIME"); len(l) == 1 {
				if l[0][1] != "GET" || l[0][3] != "read" || l[0][4] != logGone || l[0][5] != "404" {
					t.Errorf("log shows %v", l[0])
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the request never showed up in the log:\n%s", r.stdout)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

func TestRunLogFollow(t *testing.T) {
	dsn := testbackend.SQLite().DSN(t)
	seedLog(t, dsn)
	defer func(d time.Duration) { followEvery = d }(followEvery)
	followEvery = 10 * time.Millisecond

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errb := &syncBuf{}, &syncBuf{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--db", dsn, "log", "acme", "--follow", "--failed"}, rtEnv(nil), out, errb)
	}()
	waitFor := func(what string, cond func(string) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !cond(out.String()) {
			select {
			case err := <-done:
				t.Fatalf("log --follow returned %v while waiting for %s:\n%s", err, what, out)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s:\n%s", what, out)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor("the existing failed entries", func(s string) bool { return strings.Contains(s, logGone) })

	acme := workspaceID(t, dsn, "acme")
	appendLog(t, dsn,
		birdie.LogEntry{WorkspaceID: acme, Time: time.Now(), Method: "DELETE", Path: "/scim/v2/Users/followed", Operation: birdie.OpDelete, Status: 412, Detail: "stale If-Match"},
		birdie.LogEntry{WorkspaceID: acme, Time: time.Now(), Method: "GET", Path: "/scim/v2/Users/succeeded", Operation: birdie.OpRead, Status: 200},
	)
	waitFor("the new failed entry", func(s string) bool { return strings.Contains(s, "stale If-Match") })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("log --follow returned %v when interrupted, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("log --follow did not stop when interrupted")
	}
	s := out.String()
	if strings.Count(s, "TIME") != 1 || strings.Count(s, logGone) != 2 || strings.Contains(s, "succeeded") {
		t.Errorf("log --follow --failed printed (want one header, each failed entry once, no success):\n%s", s)
	}
}

func TestRunWorkspaceDebug(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		vars := map[string]string{"BIRDIE_DB": dsn}
		rtRun(t, vars, "workspace", "create", "acme").ok(t, "workspace create")
		rtRun(t, vars, "workspace", "create", "other").ok(t, "workspace create")

		before := time.Now()
		r := rtRun(t, vars, "workspace", "debug", "acme", "--for", "1h").ok(t, "workspace debug --for 1h")
		_, after, ok := strings.Cut(strings.TrimSpace(r.stdout), " until ")
		until, err := time.Parse(time.RFC3339, after)
		if !ok || err != nil {
			t.Fatalf("workspace debug printed %q, want the time it ends", r.stdout)
		}
		if until.Before(before.Add(time.Hour-2*time.Second)) || until.After(time.Now().Add(time.Hour)) {
			t.Errorf("debug until %v, want an hour from now", until)
		}
		if !strings.Contains(r.stderr, "personal data") || !strings.Contains(r.stderr, "--log-body-retention (7 days unless set)") {
			t.Errorf("workspace debug's note does not say the bodies hold personal data and how long servers keep them: %q", r.stderr)
		}
		s, err := opendb.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		ws, err := s.Workspace(context.Background(), "acme")
		s.Close()
		if err != nil || !ws.DebugUntil.Equal(until) {
			t.Errorf("the stored switch is %v (%v), want the printed %v", ws.DebugUntil, err, until)
		}
		list := rows(t, rtRun(t, vars, "workspace", "list").ok(t, "workspace list").stdout, "SLUG NAME CREATED DEBUG UNTIL")
		if len(list) != 2 || list[0][3] != until.Format(time.RFC3339) || list[1][3] != "-" {
			t.Errorf("workspace list: %v, want acme debugging until %v and other not", list, until)
		}

		rtRun(t, vars, "workspace", "debug", "acme", "--for", "1d").ok(t, "workspace debug --for 1d (the maximum)")
		for _, args := range [][]string{
			{"acme"},
			{"acme", "--for", "25h"},
			{"acme", "--for", "2d"},
			{"acme", "--for", "0"},
			{"acme", "--for", "-1h"},
			{"acme", "--for", "soon"},
			{"acme", "--for", "1h", "--off"},
			{"nope", "--for", "1h"},
			{"--off"},
		} {
			rtRun(t, vars, append([]string{"workspace", "debug"}, args...)...).fails(t, "workspace debug "+strings.Join(args, " "))
		}

		r = rtRun(t, vars, "workspace", "debug", "--off", "acme").ok(t, "workspace debug --off")
		if !strings.Contains(r.stdout, "off") {
			t.Errorf("workspace debug --off printed %q", r.stdout)
		}
		list = rows(t, rtRun(t, vars, "workspace", "list").ok(t, "workspace list").stdout, "SLUG")
		if list[0][3] != "-" {
			t.Errorf("workspace list after --off: %v", list[0])
		}
	})
}

// refusesBadRetention checks that serve refuses flag set to something not a
// duration, and the environment variable env set to a negative one.
func refusesBadRetention(t *testing.T, dsn, flag, env string) {
	t.Helper()
	rtRun(t, map[string]string{"BIRDIE_DB": dsn}, "serve", "--addr", "127.0.0.1:0", flag, "a while").fails(t, "serve with a bad "+flag)
	rtRun(t, map[string]string{"BIRDIE_DB": dsn, env: "-5m"}, "serve", "--addr", "127.0.0.1:0").fails(t, "serve with a negative "+env)
}

// TestRunServeLogBodyRetention checks that serve removes request bodies
// older than --log-body-retention at start, keeping their entries and newer
// bodies, and refuses a bad value.
func TestRunServeLogBodyRetention(t *testing.T) {
	dsn := testbackend.SQLite().DSN(t)
	rtRun(t, map[string]string{"BIRDIE_DB": dsn}, "workspace", "create", "acme").ok(t, "workspace create")
	acme := workspaceID(t, dsn, "acme")
	now := time.Now()
	entry := func(ago time.Duration, path string) birdie.LogEntry {
		return birdie.LogEntry{WorkspaceID: acme, Time: now.Add(-ago), TokenID: "tok_0123456789abcdef", Method: "POST", Path: path,
			Operation: birdie.OpCreate, Status: 201, Client: "Okta", Body: `{"userName":"jane@example.com"}`}
	}
	appendLog(t, dsn, entry(48*time.Hour, "/old"), entry(5*time.Minute, "/new"))
	vars := map[string]string{"BIRDIE_DB": dsn}
	refusesBadRetention(t, dsn, "--log-body-retention", "BIRDIE_LOG_BODY_RETENTION")

	s := startServe(t, dsn, map[string]string{"BIRDIE_LOG_BODY_RETENTION": "1d"}, "--no-bootstrap")
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := rtRun(t, vars, "log", "acme", "--json").ok(t, "log --json")
		bodies := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			var e struct{ Path, Body string }
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("log --json line %q: %v", line, err)
			}
			bodies[e.Path] = e.Body
		}
		if len(bodies) != 2 || bodies["/new"] == "" {
			t.Fatalf("after serve with a body retention of one day: entries and bodies %q, want both entries and the new body", bodies)
		}
		if bodies["/old"] == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve with a body retention of one day kept the two-day-old body: %q", bodies)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.stop(t); err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestRunServeLogRetention checks that serve prunes expired entries at
// start, and refuses a bad retention.
func TestRunServeLogRetention(t *testing.T) {
	dsn := testbackend.SQLite().DSN(t)
	seedLog(t, dsn) // one entry of acme is two days old
	vars := map[string]string{"BIRDIE_DB": dsn}
	refusesBadRetention(t, dsn, "--log-retention", "BIRDIE_LOG_RETENTION")

	s := startServe(t, dsn, map[string]string{"BIRDIE_LOG_RETENTION": "1d"}, "--no-bootstrap")
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := rtRun(t, vars, "log", "acme").ok(t, "log")
		if n := len(rows(t, r.stdout, "TIME")); n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve with a retention of one day did not prune the two-day-old entry:\n%s", r.stdout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.stop(t); err != nil {
		t.Errorf("serve: %v", err)
	}
}
