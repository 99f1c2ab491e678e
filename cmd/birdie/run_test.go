package main

// Tests of the command line through run, the whole program: admin
// commands against every configured backend, and a real `serve` on a
// loopback port, from bootstrap to graceful shutdown.

import (
	"birdie/internal/opendb"
	"birdie/sqlite"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"birdie/internal/testbackend"
	"birdie/server"
)

// rtEnv returns a getenv reading only the given map, so that the
// machine's environment cannot leak into a test.
func rtEnv(vars map[string]string) env {
	return func(k string) string { return vars[k] }
}

// rtResult is what one run printed and returned.
type rtResult struct {
	stdout, stderr string
	err            error
}

// rtRun runs the program with args and the given environment.
func rtRun(t *testing.T, vars map[string]string, args ...string) rtResult {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, rtEnv(vars), &out, &errb)
	return rtResult{out.String(), errb.String(), err}
}

// ok fails the test if the run failed.
func (r rtResult) ok(t *testing.T, what string) rtResult {
	t.Helper()
	if r.err != nil {
		t.Fatalf("%s: %v\nstdout: %s\nstderr: %s", what, r.err, r.stdout, r.stderr)
	}
	return r
}

// fails checks that the run failed with a one-line error.
func (r rtResult) fails(t *testing.T, what string) {
	t.Helper()
	if r.err == nil {
		t.Errorf("%s: succeeded, want an error\nstdout: %s", what, r.stdout)
		return
	}
	if msg := r.err.Error(); msg == "" || strings.Contains(msg, "\n") {
		t.Errorf("%s: error %q, want one non-empty line", what, msg)
	}
}

// eachDSN runs f once per configured backend with the DSN of a fresh,
// empty database.
func eachDSN(t *testing.T, f func(t *testing.T, dsn string)) {
	for _, b := range testbackend.All(t) {
		t.Run(b.Name, func(t *testing.T) { f(t, b.DSN(t)) })
	}
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// rows returns the lines of a table printed by a list command, without
// its header, split into fields.
func rows(t *testing.T, out string, header string) [][]string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(strings.Join(strings.Fields(lines[0]), " "), header) {
		t.Fatalf("table header %q, want it to start with %q", lines[0], header)
	}
	var out2 [][]string
	for _, l := range lines[1:] {
		out2 = append(out2, strings.Fields(l))
	}
	return out2
}

func TestRunWorkspaceCommands(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		vars := map[string]string{}
		rtRun(t, vars, "--db", dsn, "workspace", "create", "acme", "--name", "Acme Inc").ok(t, "workspace create acme")
		// BIRDIE_DB instead of --db; flags after the positional argument.
		rtRun(t, map[string]string{"BIRDIE_DB": dsn}, "workspace", "create", "beta").ok(t, "workspace create beta (BIRDIE_DB)")
		r := rtRun(t, vars, "workspace", "list", "--db", dsn).ok(t, "workspace list")
		list := rows(t, r.stdout, "SLUG NAME CREATED")
		if len(list) != 2 || list[0][0] != "acme" || !strings.Contains(r.stdout, "Acme Inc") || list[1][0] != "beta" {
			t.Errorf("workspace list:\n%s", r.stdout)
		}

		rtRun(t, vars, "--db", dsn, "workspace", "create", "acme").fails(t, "duplicate slug")
		for _, slug := range []string{"Acme", "-acme", "acme-", "ac me", "ac_me", "acmé", "", strings.Repeat("a", 64)} {
			rtRun(t, vars, "--db", dsn, "workspace", "create", slug).fails(t, fmt.Sprintf("invalid slug %q", slug))
		}
		rtRun(t, vars, "--db", dsn, "workspace", "create").fails(t, "no slug")
		rtRun(t, vars, "--db", dsn, "workspace", "create", "a", "b").fails(t, "two slugs")
		rtRun(t, vars, "--db", dsn, "workspace").fails(t, "no subcommand")
		rtRun(t, vars, "--db", dsn, "workspace", "delete", "acme").fails(t, "unknown subcommand")
		r = rtRun(t, vars, "--db", dsn, "workspace", "list").ok(t, "workspace list")
		if n := len(rows(t, r.stdout, "SLUG")); n != 2 {
			t.Errorf("refused creates changed the workspaces: %d\n%s", n, r.stdout)
		}
	})
}

// rtServer serves the SCIM API over the database at dsn in the test
// process, with a clock the test can move past the token cache.
type rtServer struct {
	*httptest.Server
	mu     sync.Mutex
	offset time.Duration
}

func newRTServer(t *testing.T, dsn string) *rtServer {
	t.Helper()
	store, err := opendb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	s := &rtServer{}
	now := func() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return time.Now().Add(s.offset) }
	api := server.New(server.Config{Store: store, Now: now})
	t.Cleanup(func() { api.Close(context.Background()) }) // after the HTTP server, before the store
	s.Server = httptest.NewServer(api)
	t.Cleanup(s.Close)
	return s
}

// pastTokenCache moves the server's clock past its token cache, within
// which a revoke is allowed to take effect.
func (s *rtServer) pastTokenCache() {
	s.mu.Lock()
	s.offset += server.DefaultTokenCacheTTL + time.Millisecond
	s.mu.Unlock()
}

// get sends an authenticated GET and returns the status and body.
func rtGet(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

var tokenRE = regexp.MustCompile(`birdie_scim_[a-z2-7]{20,}`)

func TestRunTokenCommands(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		vars := map[string]string{"BIRDIE_DB": dsn}
		rtRun(t, vars, "workspace", "create", "acme").ok(t, "workspace create")
		rtRun(t, vars, "workspace", "create", "other").ok(t, "workspace create")

		var secrets, ids []string
		for range 2 {
			r := rtRun(t, vars, "token", "create", "acme").ok(t, "token create")
			secret := lastLine(r.stdout)
			if !strings.HasPrefix(secret, "birdie_scim_") || !tokenRE.MatchString(secret) || strings.ContainsAny(secret, " \t") {
				t.Fatalf("the last line of stdout is %q, want the token", secret)
			}
			if !strings.Contains(strings.ToLower(r.stderr), "once") {
				t.Errorf("no 'shown once' warning on stderr: %q", r.stderr)
			}
			if strings.Contains(r.stderr, secret) {
				t.Errorf("the secret is on stderr too")
			}
			id := regexp.MustCompile(`tok_[0-9a-f]+`).FindString(r.stdout + r.stderr)
			if id == "" {
				t.Fatalf("no token id printed: %q / %q", r.stdout, r.stderr)
			}
			secrets, ids = append(secrets, secret), append(ids, id)
		}
		if secrets[0] == secrets[1] || ids[0] == ids[1] {
			t.Fatalf("two tokens are the same")
		}
		rtRun(t, vars, "token", "create", "nope").fails(t, "token create for an unknown workspace")
		rtRun(t, vars, "token", "create").fails(t, "token create without a workspace")

		r := rtRun(t, vars, "token", "list", "acme").ok(t, "token list")
		list := rows(t, r.stdout, "ID PREFIX CREATED LAST USED REVOKED")
		if len(list) != 2 {
			t.Fatalf("token list:\n%s", r.stdout)
		}
		for i, row := range list {
			if row[0] != ids[i] || !strings.HasPrefix(secrets[i], strings.TrimSuffix(row[1], "…")) || len(strings.TrimSuffix(row[1], "…")) <= len("birdie_scim_") {
				t.Errorf("row %v: want id %s and a prefix of its secret", row, ids[i])
			}
			if row[len(row)-1] != "-" {
				t.Errorf("row %v: a new token shows as revoked", row)
			}
		}
		for _, s := range secrets {
			if strings.Contains(r.stdout, s) || strings.Contains(r.stdout, s[len("birdie_scim_")+8:]) {
				t.Errorf("token list shows a secret:\n%s", r.stdout)
			}
		}
		if r := rtRun(t, vars, "token", "list", "other").ok(t, "token list other"); len(rows(t, r.stdout, "ID")) != 0 {
			t.Errorf("another workspace lists acme's tokens:\n%s", r.stdout)
		}
		rtRun(t, vars, "token", "list", "nope").fails(t, "token list for an unknown workspace")

		// The tokens work against the API; a revoke stops one of them.
		srv := newRTServer(t, dsn)
		for _, s := range secrets {
			if code, body := rtGet(t, srv.URL+"/scim/v2/Users", s); code != http.StatusOK {
				t.Fatalf("a CLI token is refused: %d %s", code, body)
			}
		}
		rtRun(t, vars, "token", "revoke", ids[0]).ok(t, "token revoke")
		rtRun(t, vars, "token", "revoke", ids[0]).ok(t, "token revoke again")
		srv.pastTokenCache()
		if code, _ := rtGet(t, srv.URL+"/scim/v2/Users", secrets[0]); code != http.StatusUnauthorized {
			t.Errorf("a revoked token: %d, want 401", code)
		}
		if code, _ := rtGet(t, srv.URL+"/scim/v2/Users", secrets[1]); code != http.StatusOK {
			t.Errorf("the other token: %d, want 200", code)
		}
		r = rtRun(t, vars, "token", "list", "acme").ok(t, "token list")
		list = rows(t, r.stdout, "ID")
		if last := list[0][len(list[0])-1]; last == "-" {
			t.Errorf("the revoked token shows no revoke time: %v", list[0])
		}
		if last := list[1][len(list[1])-1]; last != "-" {
			t.Errorf("the other token shows as revoked: %v", list[1])
		}
		if list[1][3] == "-" {
			t.Logf("last used is recorded in the background; not checked: %v", list[1])
		}
		rtRun(t, vars, "token", "revoke", "tok_0000000000000000").fails(t, "revoke an unknown token")
		rtRun(t, vars, "token", "revoke").fails(t, "revoke without an id")
	})
}

func TestRunUserList(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		vars := map[string]string{"BIRDIE_DB": dsn}
		rtRun(t, vars, "workspace", "create", "acme").ok(t, "workspace create")
		secret := lastLine(rtRun(t, vars, "token", "create", "acme").ok(t, "token create").stdout)
		srv := newRTServer(t, dsn)
		for _, u := range []string{
			`{"userName":"alice@example.com","active":false}`,
			`{"userName":"bob","emails":[{"value":"bob@work.example.com","type":"work"}]}`,
			`{"userName":"carol@example.com"}`,
		} {
			req, _ := http.NewRequest("POST", srv.URL+"/scim/v2/Users", strings.NewReader(u))
			req.Header.Set("Authorization", "Bearer "+secret)
			res, err := http.DefaultClient.Do(req)
			if err != nil || res.StatusCode != http.StatusCreated {
				t.Fatalf("create %s: %v %v", u, err, res)
			}
			res.Body.Close()
		}
		r := rtRun(t, vars, "user", "list", "acme").ok(t, "user list")
		list := rows(t, r.stdout, "ID USERNAME EMAIL ACTIVE")
		got := map[string][]string{}
		for _, row := range list {
			got[row[1]] = row
		}
		if len(list) != 3 || got["bob"][2] != "bob@work.example.com" || got["alice@example.com"][3] != "false" || got["carol@example.com"][3] != "true" {
			t.Errorf("user list:\n%s", r.stdout)
		}
		r = rtRun(t, vars, "user", "list", "acme", "--filter", `userName sw "A" or emails[type eq "work"]`).ok(t, "user list --filter")
		list = rows(t, r.stdout, "ID USERNAME")
		if len(list) != 2 || !strings.Contains(r.stdout, "alice@example.com") || !strings.Contains(r.stdout, "bob") || strings.Contains(r.stdout, "carol") {
			t.Errorf("user list --filter:\n%s", r.stdout)
		}
		r = rtRun(t, vars, "user", "list", "--filter", `active eq false`, "acme").ok(t, "user list --filter before the workspace")
		if n := len(rows(t, r.stdout, "ID")); n != 1 {
			t.Errorf("active eq false: %d users\n%s", n, r.stdout)
		}
		rtRun(t, vars, "user", "list", "acme", "--filter", `userName eq`).fails(t, "a bad filter")
		rtRun(t, vars, "user", "list", "acme", "--filter", "(((\n").fails(t, "a bad filter with a newline")
		rtRun(t, vars, "user", "list", "nope").fails(t, "user list of an unknown workspace")
		rtRun(t, vars, "user", "list").fails(t, "user list without a workspace")
	})
}

func TestRunUsageErrors(t *testing.T) {
	dsn := testbackend.SQLite().DSN(t)
	vars := map[string]string{"BIRDIE_DB": dsn}
	rtRun(t, vars, "frobnicate").fails(t, "unknown command")
	r := rtRun(t, vars)
	r.fails(t, "no command")
	if !strings.Contains(r.stderr, "Usage") {
		t.Errorf("no command: usage not on stderr: %q", r.stderr)
	}
	rtRun(t, vars, "token").fails(t, "token without a subcommand")
	rtRun(t, vars, "token", "frob").fails(t, "unknown token subcommand")
	rtRun(t, vars, "user", "delete", "x").fails(t, "unknown user subcommand")
	rtRun(t, vars, "--nope", "workspace", "list").fails(t, "unknown global flag")
	rtRun(t, vars, "workspace", "list", "--nope").fails(t, "unknown flag")
	for _, h := range []string{"--help", "-h", "help"} {
		r := rtRun(t, vars, h).ok(t, h)
		if !strings.Contains(r.stdout, "Usage") || !strings.Contains(r.stdout, "serve") {
			t.Errorf("%s: usage not on stdout: %q", h, r.stdout)
		}
	}
	// A command's --help lists its flags on stdout and succeeds.
	for _, args := range [][]string{{"serve", "--help"}, {"serve", "-h"}, {"log", "--help"}, {"token", "create", "-h"}} {
		r := rtRun(t, vars, args...).ok(t, strings.Join(args, " "))
		if !strings.Contains(r.stdout, "Usage of birdie "+args[0]) || !strings.Contains(r.stdout, "-db") {
			t.Errorf("%v: no flag list on stdout: %q", args, r.stdout)
		}
	}
	if r := rtRun(t, vars, "serve", "--help"); !strings.Contains(r.stdout, "-user-cache-mb") {
		t.Errorf("serve --help does not list --user-cache-mb: %q", r.stdout)
	}
}

func TestRunBadDSN(t *testing.T) {
	dir := t.TempDir() // a directory cannot be opened as a database
	for _, args := range [][]string{
		{"workspace", "list"},
		{"workspace", "create", "acme"},
		{"token", "list", "acme"},
		{"user", "list", "acme"},
		{"migrate"},
		{"serve", "--addr", "127.0.0.1:0", "--no-bootstrap"},
	} {
		r := rtRun(t, map[string]string{}, append([]string{"--db", dir}, args...)...)
		r.fails(t, strings.Join(args, " ")+" on a directory")
	}
	// From the environment too.
	rtRun(t, map[string]string{"BIRDIE_DB": dir}, "workspace", "list").fails(t, "BIRDIE_DB is a directory")
}

func TestRunMigrate(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		first := rtRun(t, map[string]string{}, "--db", dsn, "migrate").ok(t, "migrate")
		if !strings.Contains(first.stdout, "applied") {
			t.Errorf("first migrate: %q", first.stdout)
		}
		again := rtRun(t, map[string]string{}, "--db", dsn, "migrate").ok(t, "migrate again")
		if strings.Contains(again.stdout, "applied") || !strings.Contains(again.stdout, "up to date") {
			t.Errorf("second migrate: %q", again.stdout)
		}
		rtRun(t, map[string]string{}, "--db", dsn, "workspace", "create", "after-migrate").ok(t, "workspace create")
	})
}

// syncBuf is a goroutine-safe buffer for the output of a running serve.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// serving is one `birdie serve` running in the test.
type serving struct {
	addr   string
	stdout *syncBuf
	stderr *syncBuf
	cancel context.CancelFunc
	done   chan error
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startServe runs `birdie --db dsn serve --addr <free port> extra...` and
// waits until /healthz answers 200.
func startServe(t *testing.T, dsn string, vars map[string]string, extra ...string) *serving {
	t.Helper()
	s := &serving{addr: freeAddr(t), stdout: &syncBuf{}, stderr: &syncBuf{}, done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	args := append([]string{"--db", dsn, "serve", "--addr", s.addr}, extra...)
	go func() { s.done <- run(ctx, args, rtEnv(vars), s.stdout, s.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(40 * time.Second):
			t.Errorf("serve did not stop")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-s.done:
			t.Fatalf("serve exited before it was ready: %v\nstderr: %s", err, s.stderr)
		default:
		}
		res, err := http.Get("http://" + s.addr + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never became healthy: %v\nstderr: %s", err, s.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop cancels serve's context and returns what run returned.
func (s *serving) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(40 * time.Second):
		t.Fatalf("serve did not return after its context was cancelled")
		return nil
	}
}

func TestRunServe(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		// Two replicas on one SQLite file must both run without the user
		// cache (TestServeUserCacheLock).
		var extra []string
		if !strings.HasPrefix(dsn, "postgres") {
			extra = []string{"--user-cache-mb", "0"}
		}
		first := startServe(t, dsn, map[string]string{}, extra...)
		out := first.stderr.String()
		secret := tokenRE.FindString(out)
		if secret == "" || !strings.Contains(out, `Created workspace "default"`) {
			t.Fatalf("the first serve on an empty database printed no token:\n%s", out)
		}
		curl := fmt.Sprintf("curl -H 'Authorization: Bearer %s' 'http://%s/scim/v2/Users'", secret, first.addr)
		if !strings.Contains(out, curl) {
			t.Errorf("no ready-to-paste curl line %q in:\n%s", curl, out)
		}
		if strings.Contains(first.stdout.String(), secret) {
			t.Errorf("the bootstrap token went to stdout")
		}
		if code, body := rtGet(t, "http://"+first.addr+"/scim/v2/Users", secret); code != http.StatusOK || !strings.Contains(body, `"totalResults":0`) {
			t.Errorf("the bootstrap token: %d %s", code, body)
		}
		if code, _ := rtGet(t, "http://"+first.addr+"/scim/v2/Users", "birdie_scim_wrong"); code != http.StatusUnauthorized {
			t.Errorf("a wrong token: %d", code)
		}

		// A second replica on the same database prints no token, and
		// accepts the first one's.
		second := startServe(t, dsn, map[string]string{}, extra...)
		if s := second.stderr.String(); tokenRE.MatchString(s) || strings.Contains(s, "Created workspace") {
			t.Errorf("a second serve on the same database bootstrapped again:\n%s", s)
		}
		if code, _ := rtGet(t, "http://"+second.addr+"/scim/v2/Users", secret); code != http.StatusOK {
			t.Errorf("the second replica refuses the token: %d", code)
		}
		if err := second.stop(t); err != nil {
			t.Errorf("second serve: %v", err)
		}

		// Graceful shutdown: a request in flight when the context is
		// cancelled still completes, and run returns nil. The request
		// expects 100-continue, so its body is sent (and the first write
		// to the pipe returns) only once the handler has started reading
		// it: the request is then certainly in flight.
		part1, part2 := `{"userName": "inflight@example.com",`, ` "displayName": "In Flight"}`
		pr, pw := io.Pipe()
		req, _ := http.NewRequest("POST", "http://"+first.addr+"/scim/v2/Users", pr)
		req.ContentLength = int64(len(part1) + len(part2))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/scim+json")
		req.Header.Set("Expect", "100-continue")
		type result struct {
			status int
			body   string
			err    error
		}
		resc := make(chan result, 1)
		go func() {
			res, err := (&http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}).Do(req)
			if err != nil {
				resc <- result{err: err}
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			resc <- result{status: res.StatusCode, body: string(b)}
		}()
		if _, err := io.WriteString(pw, part1); err != nil {
			t.Fatal(err)
		}
		first.cancel()
		select {
		case err := <-first.done:
			first.done <- err
			t.Fatalf("serve returned (%v) while a request was in flight", err)
		default:
		}
		io.WriteString(pw, part2)
		pw.Close()
		res := <-resc
		if res.err != nil || res.status != http.StatusCreated {
			t.Errorf("the in-flight request: %d %v %s", res.status, res.err, res.body)
		}
		if err := first.stop(t); err != nil {
			t.Errorf("serve returned %v after a graceful shutdown, want nil", err)
		}
		if _, err := net.DialTimeout("tcp", first.addr, time.Second); err == nil {
			t.Errorf("still listening on %s after shutdown", first.addr)
		}
		// What the in-flight request created was kept.
		r := rtRun(t, map[string]string{"BIRDIE_DB": dsn}, "user", "list", "default").ok(t, "user list")
		if !strings.Contains(r.stdout, "inflight@example.com") {
			t.Errorf("the in-flight create is not stored:\n%s", r.stdout)
		}
		// Its provisioning log entry was written before serve returned.
		r = rtRun(t, map[string]string{"BIRDIE_DB": dsn}, "log", "default", "--json", "--user", "inflight@example.com").ok(t, "log")
		if !strings.Contains(r.stdout, `"method":"POST"`) || !strings.Contains(r.stdout, `"status":201`) {
			t.Errorf("the in-flight create is not in the provisioning log:\n%s", r.stdout)
		}
	})
}

// TestServeUserCacheLock: with its user cache (the default on SQLite) a
// serve must be the database's only server; servers without the cache
// may share a file with each other, never with one that has it. A
// refused serve says what to do; other commands never take the lock.
// PostgreSQL refuses the cache.
func TestServeUserCacheLock(t *testing.T) {
	old := serveLockWait
	serveLockWait = 200 * time.Millisecond
	t.Cleanup(func() { serveLockWait = old })
	dsn := filepath.Join(t.TempDir(), "birdie.db")
	serveFails := func(want string, extra ...string) {
		t.Helper()
		r := rtRun(t, nil, append([]string{"--db", dsn, "serve", "--addr", freeAddr(t), "--no-bootstrap"}, extra...)...)
		if r.err == nil || !strings.Contains(r.err.Error(), want) {
			t.Errorf("serve %v beside the running server: %v, want an error saying %q", extra, r.err, want)
		}
	}

	cached := startServe(t, dsn, map[string]string{})
	if _, err := os.Stat(dsn + sqlite.ServeLockSuffix); err != nil {
		t.Fatalf("no lock file beside the database: %v", err)
	}
	serveFails("one process serves a SQLite database")
	serveFails("start it with --user-cache-mb 0 too, or stop it", "--user-cache-mb", "0")
	rtRun(t, map[string]string{"BIRDIE_DB": dsn}, "workspace", "list").ok(t, "workspace list")
	if err := cached.stop(t); err != nil {
		t.Fatalf("serve: %v", err)
	}

	// Without the cache, several; and then no cached server beside them.
	a := startServe(t, dsn, map[string]string{}, "--user-cache-mb", "0")
	b := startServe(t, dsn, map[string]string{}, "--user-cache-mb", "0")
	serveFails("one process serves a SQLite database")
	for _, s := range []*serving{a, b} {
		if err := s.stop(t); err != nil {
			t.Errorf("serve without the cache: %v", err)
		}
	}
	again := startServe(t, dsn, map[string]string{}) // every lock was released
	if err := again.stop(t); err != nil {
		t.Errorf("serve after the others stopped: %v", err)
	}

	for _, bad := range []string{"-2", "4097", "lots"} {
		r := rtRun(t, nil, "--db", dsn, "serve", "--addr", freeAddr(t), "--user-cache-mb", bad)
		r.fails(t, "--user-cache-mb "+bad)
		if r.err != nil && !strings.Contains(r.err.Error(), "user-cache-mb") {
			t.Errorf("--user-cache-mb %s: the error %q does not name the flag", bad, r.err)
		}
	}

	if pg := os.Getenv("BIRDIE_TEST_POSTGRES_URL"); pg != "" {
		r := rtRun(t, nil, "--db", pg, "serve", "--addr", freeAddr(t), "--user-cache-mb", "8")
		if r.err == nil || !strings.Contains(r.err.Error(), "needs a SQLite database") {
			t.Errorf("--user-cache-mb on PostgreSQL: %v, want a refusal", r.err)
		}
	}
}

func TestRunServeNoBootstrap(t *testing.T) {
	t.Run("flag", func(t *testing.T) {
		eachDSN(t, func(t *testing.T, dsn string) {
			s := startServe(t, dsn, map[string]string{}, "--no-bootstrap")
			if out := s.stderr.String(); tokenRE.MatchString(out) || strings.Contains(out, "Created workspace") {
				t.Errorf("--no-bootstrap printed a token:\n%s", out)
			}
			if err := s.stop(t); err != nil {
				t.Errorf("serve: %v", err)
			}
			r := rtRun(t, map[string]string{"BIRDIE_DB": dsn}, "workspace", "list").ok(t, "workspace list")
			if n := len(rows(t, r.stdout, "SLUG")); n != 0 {
				t.Errorf("--no-bootstrap created a workspace:\n%s", r.stdout)
			}
		})
	})
	t.Run("env", func(t *testing.T) {
		eachDSN(t, func(t *testing.T, dsn string) {
			s := startServe(t, dsn, map[string]string{"BIRDIE_NO_BOOTSTRAP": "true"})
			if out := s.stderr.String(); tokenRE.MatchString(out) {
				t.Errorf("BIRDIE_NO_BOOTSTRAP=true printed a token:\n%s", out)
			}
			if err := s.stop(t); err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	})
}

func TestRunServeAddrInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dsn := testbackend.SQLite().DSN(t)
	done := make(chan error, 1)
	go func() {
		var out, errb bytes.Buffer
		done <- run(context.Background(), []string{"--db", dsn, "serve", "--addr", ln.Addr().String()}, rtEnv(nil), &out, &errb)
	}()
	select {
	case err := <-done:
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("serve on a busy port: %v, want a one-line error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve on a busy port did not fail")
	}
}

// TestServeBadEnvironment: a malformed number or boolean in the
// environment is a clear error, not a silent default.
func TestServeBadEnvironment(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "env.db")
	for key, val := range map[string]string{"BIRDIE_RATE_LIMIT": "fast", "BIRDIE_NO_BOOTSTRAP": "maybe", "BIRDIE_DB_MAX_CONNS": "1.5"} {
		res := rtRun(t, map[string]string{key: val}, "--db", dsn, "serve", "--addr", "127.0.0.1:0")
		res.fails(t, key+"="+val)
		if res.err != nil && !strings.Contains(res.err.Error(), key) {
			t.Errorf("%s=%s: the error does not name the variable: %q", key, val, res.err)
		}
	}
}

// TestParseDuration: whole days beside Go's durations, and day counts
// that do not fit a time.Duration refused rather than wrapped around.
func TestParseDuration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7d", 7 * 24 * time.Hour, true},
		{"0d", 0, true},
		{"0", 0, true},
		{"90m", 90 * time.Minute, true},
		{"-2d", -48 * time.Hour, true}, // callers refuse negatives with their own message
		{"106751d", 106751 * 24 * time.Hour, true},
		{"106752d", 0, false},
		{"213504d", 0, false}, // once 25 minutes
		{"-106752d", 0, false},
		{"d", 0, false},
		{"1.5d", 0, false},
		{"a while", 0, false},
	} {
		got, err := parseDuration(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}
