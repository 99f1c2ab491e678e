package main

// The scale-out test: the real binary, built once, runs as two `birdie
// serve` processes on one PostgreSQL schema, and the test talks to them
// over HTTP only, as a load balancer spreading an IdP's requests would.
// Workspaces, tokens and revocations go through the CLI, as an operator's
// would. Also here: `birdie migrate`, and the refusal of a database
// migrated by a newer release.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"

	"birdie/internal/testbackend"
)

// soPostgresURL returns the PostgreSQL server to test against, or skips:
// these tests need several processes on one shared database.
func soPostgresURL(t *testing.T) string { return testbackend.PostgresURL(t) }

// soBuild builds the birdie binary from this package into a temporary
// directory and returns its path.
func soBuild(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "birdie")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// soEnv is the environment of the child processes: the test's, without
// any BIRDIE_* variable, so that only the flags the test passes apply.
func soEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BIRDIE_") {
			env = append(env, kv)
		}
	}
	return env
}

// soCLI runs one admin command to completion and returns its stdout; a
// non-zero exit fails the test with the command's stderr.
func soCLI(t *testing.T, bin, dsn string, args ...string) string {
	t.Helper()
	stdout, stderr, err := soRun(bin, dsn, args...)
	if err != nil {
		t.Fatalf("birdie %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout, stderr)
	}
	return stdout
}

// soRun runs one command with a time limit and returns its output.
func soRun(bin, dsn string, args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--db", dsn}, args...)...)
	cmd.Env = soEnv()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (killed after %v)", err, time.Minute)
	}
	return o.String(), e.String(), err
}

// soLastLine returns the last non-empty line of s.
func soLastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

var soTokenIDRE = regexp.MustCompile(`token (\S+) for workspace`)

// soToken issues a token with the CLI and returns its secret (the last
// line of stdout) and its id.
func soToken(t *testing.T, bin, dsn, slug string) (secret, id string) {
	t.Helper()
	out := soCLI(t, bin, dsn, "token", "create", slug)
	secret = soLastLine(out)
	m := soTokenIDRE.FindStringSubmatch(out)
	if m == nil || !strings.HasPrefix(secret, "birdie_scim_") {
		t.Fatalf("token create printed %q: want a line with the token id and the token last", out)
	}
	return secret, m[1]
}

// soBuffer is a bytes.Buffer safe for a process writing while the test reads.
type soBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *soBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *soBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// logged reports whether the JSON log holds a line whose msg is msg, and
// returns it.
func (b *soBuffer) logged(msg string) (map[string]any, bool) {
	for _, line := range strings.Split(b.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == msg {
			return m, true
		}
	}
	return nil, false
}

// soReplica is one running `birdie serve` process.
type soReplica struct {
	name   string
	cmd    *exec.Cmd
	stderr *soBuffer
	addr   string // host:port it listens on
	url    string // http://addr
	done   chan struct{}
	err    error // from Wait, valid once done is closed
}

// soServe starts `birdie serve` on a free loopback port (the kernel picks
// it: --addr 127.0.0.1:0, read back from the "serving" log line) and
// waits until /readyz answers 200. The process is killed when the test
// ends, and its stderr printed if the test failed.
func soServe(t *testing.T, bin, dsn, name string) *soReplica {
	t.Helper()
	r := &soReplica{name: name, stderr: &soBuffer{}, done: make(chan struct{})}
	r.cmd = exec.Command(bin, "--db", dsn, "serve", "--addr", "127.0.0.1:0", "--no-bootstrap", "--rate-limit=-1")
	r.cmd.Env = soEnv()
	r.cmd.Stdout = r.stderr
	r.cmd.Stderr = r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() { r.err = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		if !r.exited() {
			r.cmd.Process.Kill()
			select {
			case <-r.done:
			case <-time.After(10 * time.Second):
				t.Errorf("%s (pid %d) did not die after SIGKILL", name, r.cmd.Process.Pid)
			}
		}
		if t.Failed() {
			t.Logf("--- stderr of %s (pid %d) ---\n%s", name, r.cmd.Process.Pid, r.stderr.String())
		}
	})

	deadline := time.Now().Add(60 * time.Second)
	for {
		if m, ok := r.stderr.logged("serving"); ok {
			r.addr, _ = m["addr"].(string)
			break
		}
		if r.exited() {
			t.Fatalf("%s exited before serving: %v\n%s", name, r.err, r.stderr.String())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not log \"serving\" within 60 s:\n%s", name, r.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, port, err := net.SplitHostPort(r.addr); err != nil || port == "0" {
		t.Fatalf("%s logged a bad listen address %q", name, r.addr)
	}
	r.url = "http://" + r.addr
	for {
		res, err := soSend("GET", r.url+"/readyz", "", "")
		if err == nil && res.status == http.StatusOK {
			break
		}
		if r.exited() {
			t.Fatalf("%s exited before it was ready: %v", name, r.err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: /readyz not 200 within 60 s (last: %v %v)", name, res, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return r
}

func (r *soReplica) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// soClient is shared by every request; its pool fits the concurrency.
var soClient = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 64, ExpectContinueTimeout: 30 * time.Second},
}

type soResult struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (r soResult) String() string { return fmt.Sprintf("%d %s", r.status, r.raw) }

// soSend sends one request; safe to call from many goroutines (it never
// touches a *testing.T). hdr is a list of name, value pairs.
func soSend(method, u, token, body string, hdr ...string) (soResult, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		return soResult{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := soClient.Do(req)
	if err != nil {
		return soResult{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return soResult{}, err
	}
	r := soResult{status: res.StatusCode, header: res.Header, raw: raw}
	json.Unmarshal(raw, &r.body)
	return r, nil
}

// soMust sends one request from the test goroutine and requires status.
func soMust(t *testing.T, status int, method, u, token, body string, hdr ...string) soResult {
	t.Helper()
	r, err := soSend(method, u, token, body, hdr...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	if r.status != status {
		t.Fatalf("%s %s: %s, want status %d", method, u, r, status)
	}
	return r
}

// soConcurrently runs n requests at once (released together), request i
// built by req(i), and returns their results in order.
func soConcurrently(n int, req func(i int) (soResult, error)) ([]soResult, []error) {
	results := make([]soResult, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = req(i)
		})
	}
	close(start)
	wg.Wait()
	return results, errs
}

func soUserBody(userName string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"active":true}`, userName)
}

func soPatchBody(ops string) string {
	return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + ops + `]}`
}

// soVersion returns the number in a W/"N" entity tag.
func soVersion(t *testing.T, etag string) int {
	t.Helper()
	s := strings.TrimSuffix(strings.TrimPrefix(etag, `W/"`), `"`)
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("ETag %q is not W/\"<version>\"", etag)
	}
	return n
}

// soFilterURL is a /Users query with a filter.
func soFilterURL(base, filter string) string {
	return base + "/scim/v2/Users?filter=" + url.PathEscape(filter)
}

func TestScaleOutTwoReplicas(t *testing.T) {
	pgURL := soPostgresURL(t)
	bin := soBuild(t)
	dsn := testbackend.FreshSchema(t, pgURL)

	if out := soCLI(t, bin, dsn, "workspace", "create", "acme", "--name", "Acme Corp"); !strings.Contains(out, "acme") {
		t.Fatalf("workspace create printed %q", out)
	}
	token, _ := soToken(t, bin, dsn, "acme")

	r1 := soServe(t, bin, dsn, "replica 1")
	r2 := soServe(t, bin, dsn, "replica 2")
	reps := []*soReplica{r1, r2}
	if r1.addr == r2.addr {
		t.Fatalf("both replicas listen on %s", r1.addr)
	}
	const n = 20

	// createUser creates a user through replica 1 and returns its id.
	createUser := func(t *testing.T, userName string) string {
		t.Helper()
		r := soMust(t, http.StatusCreated, "POST", r1.url+"/scim/v2/Users", token, soUserBody(userName))
		id, _ := r.body["id"].(string)
		if id == "" {
			t.Fatalf("POST /Users: no id in %s", r.raw)
		}
		return id
	}

	t.Run("a: concurrent creates of one userName", func(t *testing.T) {
		const userName = "race.user@example.com"
		results, errs := soConcurrently(n, func(i int) (soResult, error) {
			return soSend("POST", reps[i%2].url+"/scim/v2/Users", token, soUserBody(userName))
		})
		created, conflicts := 0, 0
		var id string
		for i, r := range results {
			switch {
			case errs[i] != nil:
				t.Errorf("create %d on %s: %v", i, reps[i%2].name, errs[i])
			case r.status == http.StatusCreated:
				created++
				id, _ = r.body["id"].(string)
			case r.status == http.StatusConflict && r.body["scimType"] == "uniqueness":
				conflicts++
			default:
				t.Errorf("create %d on %s: %s, want 201 or 409 uniqueness", i, reps[i%2].name, r)
			}
		}
		if created != 1 || conflicts != n-1 {
			t.Fatalf("%d concurrent creates of one userName: %d created, %d conflicts (409 uniqueness); want 1 and %d", n, created, conflicts, n-1)
		}
		for _, rep := range reps {
			r := soMust(t, http.StatusOK, "GET", soFilterURL(rep.url, `userName eq "`+userName+`"`), token, "")
			res, _ := r.body["Resources"].([]any)
			if r.body["totalResults"] != float64(1) || len(res) != 1 {
				t.Errorf("%s: filter userName eq %q: %s, want exactly one user", rep.name, userName, r.raw)
				continue
			}
			if got, _ := res[0].(map[string]any)["id"].(string); got != id {
				t.Errorf("%s: filter found user %q, want the created %q", rep.name, got, id)
			}
		}
	})

	t.Run("b: concurrent PATCHes with one If-Match", func(t *testing.T) {
		id := createUser(t, "ifmatch.user@example.com")
		g := soMust(t, http.StatusOK, "GET", r2.url+"/scim/v2/Users/"+id, token, "")
		etag := g.header.Get("ETag")
		v0 := soVersion(t, etag)
		results, errs := soConcurrently(n, func(i int) (soResult, error) {
			return soSend("PATCH", reps[i%2].url+"/scim/v2/Users/"+id, token,
				soPatchBody(fmt.Sprintf(`{"op":"replace","path":"title","value":"winner %d"}`, i)), "If-Match", etag)
		})
		ok, stale, winner := 0, 0, -1
		for i, r := range results {
			switch {
			case errs[i] != nil:
				t.Errorf("PATCH %d on %s: %v", i, reps[i%2].name, errs[i])
			case r.status == http.StatusOK:
				ok++
				winner = i
			case r.status == http.StatusPreconditionFailed && r.body["status"] == "412":
				stale++
			default:
				t.Errorf("PATCH %d on %s: %s, want 200 or a 412 SCIM error", i, reps[i%2].name, r)
			}
		}
		if ok != 1 || stale != n-1 {
			t.Fatalf("%d concurrent PATCHes with If-Match %s: %d succeeded, %d got 412; want 1 and %d", n, etag, ok, stale, n-1)
		}
		for _, rep := range reps {
			g := soMust(t, http.StatusOK, "GET", rep.url+"/scim/v2/Users/"+id, token, "")
			if v := soVersion(t, g.header.Get("ETag")); v != v0+1 {
				t.Errorf("%s: version after the race %d, want exactly %d (one more than %d)", rep.name, v, v0+1, v0)
			}
			if want := fmt.Sprintf("winner %d", winner); g.body["title"] != want {
				t.Errorf("%s: title %v, want %q (the PATCH that got 200)", rep.name, g.body["title"], want)
			}
		}
	})

	t.Run("c: concurrent PATCHes lose no update", func(t *testing.T) {
		id := createUser(t, "lost.update@example.com")
		g := soMust(t, http.StatusOK, "GET", r1.url+"/scim/v2/Users/"+id, token, "")
		v0 := soVersion(t, g.header.Get("ETag"))
		results, errs := soConcurrently(n, func(i int) (soResult, error) {
			return soSend("PATCH", reps[i%2].url+"/scim/v2/Users/"+id, token,
				soPatchBody(fmt.Sprintf(`{"op":"add","path":"emails","value":[{"value":"u%d@x.com","type":"other"}]}`, i)))
		})
		for i, r := range results {
			if errs[i] != nil || r.status != http.StatusOK {
				t.Errorf("PATCH %d on %s: %v %v, want 200", i, reps[i%2].name, r, errs[i])
			}
		}
		var want []string
		for i := range n {
			want = append(want, fmt.Sprintf("u%d@x.com", i))
		}
		slices.Sort(want)
		for _, rep := range reps {
			g := soMust(t, http.StatusOK, "GET", rep.url+"/scim/v2/Users/"+id, token, "")
			var got []string
			emails, _ := g.body["emails"].([]any)
			for _, e := range emails {
				v, _ := e.(map[string]any)["value"].(string)
				got = append(got, v)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: after %d concurrent adds the user has %d emails %v, want all of %v", rep.name, n, len(got), got, want)
			}
			if v := soVersion(t, g.header.Get("ETag")); v != v0+n {
				t.Errorf("%s: version %d after %d updates of version %d, want %d", rep.name, v, n, v0, v0+n)
			}
		}
		// The indexed emails agree with the document.
		for i := range n {
			rep := reps[i%2]
			r := soMust(t, http.StatusOK, "GET", soFilterURL(rep.url, fmt.Sprintf(`emails.value eq "u%d@x.com"`, i)), token, "")
			if r.body["totalResults"] != float64(1) {
				t.Errorf("%s: filter emails.value eq \"u%d@x.com\": %s, want the user", rep.name, i, r.raw)
			}
		}
	})

	t.Run("d: a revoked token is refused by the other replica within a second", func(t *testing.T) {
		secret, id := soToken(t, bin, dsn, "acme")
		// Use it on both replicas first, so that whatever either keeps
		// about it is warm when the revoke lands.
		for _, rep := range reps {
			soMust(t, http.StatusOK, "GET", rep.url+"/scim/v2/Users?count=1", secret, "")
		}
		out := soCLI(t, bin, dsn, "token", "revoke", id)
		revoked := time.Now()
		if !strings.Contains(out, id) {
			t.Errorf("token revoke printed %q, want the token id", out)
		}
		var last soResult
		for {
			r, err := soSend("GET", r2.url+"/scim/v2/Users?count=1", secret, "")
			if err != nil {
				t.Fatalf("replica 2: %v", err)
			}
			last = r
			if r.status == http.StatusUnauthorized {
				break
			}
			if r.status != http.StatusOK {
				t.Fatalf("replica 2 with the revoked token: %s, want 200 then 401", r)
			}
			if time.Since(revoked) > 10*time.Second {
				t.Fatalf("replica 2 still accepts the token 10 s after it was revoked")
			}
			time.Sleep(5 * time.Millisecond)
		}
		took := time.Since(revoked)
		if took >= time.Second {
			t.Errorf("replica 2 refused the revoked token only %v after the revoke returned, want < 1 s", took)
		}
		t.Logf("replica 2 refused the revoked token %v after the revoke command returned", took.Round(time.Millisecond))
		if d, _ := last.body["detail"].(string); !strings.Contains(d, "revoked") {
			t.Errorf("401 after the revoke: detail %q does not say the token was revoked", d)
		}
		if last.header.Get("WWW-Authenticate") == "" {
			t.Errorf("401 without WWW-Authenticate")
		}
		// It stays refused, on both replicas, and the other token works.
		for _, rep := range reps {
			if r := soMust(t, http.StatusUnauthorized, "GET", rep.url+"/scim/v2/Users?count=1", secret, ""); strings.Contains(string(r.raw), secret) {
				t.Errorf("%s: the 401 echoes the token", rep.name)
			}
			soMust(t, http.StatusOK, "GET", rep.url+"/scim/v2/Users?count=1", token, "")
		}
	})

	t.Run("e: graceful shutdown", func(t *testing.T) {
		soMust(t, http.StatusOK, "GET", r1.url+"/scim/v2/Users?count=1", token, "")

		// An in-flight request: its headers are in and the handler is
		// reading its body (the server sent 100 Continue) when SIGTERM
		// arrives; the body follows only once shutdown has begun.
		pr, pw := io.Pipe()
		defer pw.Close()
		req, err := http.NewRequest("POST", r1.url+"/scim/v2/Users", pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/scim+json")
		req.Header.Set("Expect", "100-continue")
		reading := make(chan struct{})
		var once sync.Once
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			Got100Continue: func() { once.Do(func() { close(reading) }) },
		}))
		type reply struct {
			res soResult
			err error
		}
		replied := make(chan reply, 1)
		go func() {
			res, err := soClient.Do(req)
			if err != nil {
				replied <- reply{err: err}
				return
			}
			defer res.Body.Close()
			raw, err := io.ReadAll(res.Body)
			r := soResult{status: res.StatusCode, header: res.Header, raw: raw}
			json.Unmarshal(raw, &r.body)
			replied <- reply{r, err}
		}()
		select {
		case <-reading:
		case rp := <-replied:
			t.Fatalf("the in-flight request ended before its body was sent: %v %v", rp.res, rp.err)
		case <-time.After(30 * time.Second):
			t.Fatal("replica 1 did not start reading the request body within 30 s")
		}

		if err := r1.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatalf("SIGTERM replica 1: %v", err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			if _, ok := r1.stderr.logged("shutting down: finishing in-flight requests"); ok {
				break
			}
			if r1.exited() {
				t.Fatalf("replica 1 exited (%v) with a request in flight", r1.err)
			}
			if time.Now().After(deadline) {
				t.Fatal("replica 1 did not start shutting down within 30 s of SIGTERM")
			}
			time.Sleep(10 * time.Millisecond)
		}
		// It stops accepting connections while the request is in flight.
		for {
			c, err := net.DialTimeout("tcp", r1.addr, time.Second)
			if err != nil {
				break
			}
			c.Close()
			if r1.exited() {
				t.Fatalf("replica 1 exited (%v) with a request in flight", r1.err)
			}
			if time.Now().After(deadline) {
				t.Fatal("replica 1 still accepts connections 30 s after SIGTERM")
			}
			time.Sleep(10 * time.Millisecond)
		}
		if r1.exited() {
			t.Fatalf("replica 1 exited (%v) before its in-flight request finished", r1.err)
		}

		if _, err := io.WriteString(pw, soUserBody("inflight.user@example.com")); err != nil {
			t.Fatalf("send the rest of the in-flight request: %v", err)
		}
		pw.Close()
		var created string
		select {
		case rp := <-replied:
			if rp.err != nil || rp.res.status != http.StatusCreated {
				t.Fatalf("the in-flight request across SIGTERM: %v %v, want 201", rp.res, rp.err)
			}
			created, _ = rp.res.body["id"].(string)
		case <-time.After(30 * time.Second):
			t.Fatal("no answer to the in-flight request within 30 s")
		}

		select {
		case <-r1.done:
		case <-time.After(40 * time.Second):
			t.Fatal("replica 1 did not exit within 40 s of SIGTERM")
		}
		if r1.err != nil || r1.cmd.ProcessState.ExitCode() != 0 {
			t.Fatalf("replica 1 exited with %v (status %d), want 0", r1.err, r1.cmd.ProcessState.ExitCode())
		}
		if _, ok := r1.stderr.logged("stopped"); !ok {
			t.Errorf("replica 1 did not log \"stopped\"")
		}

		// The other replica keeps serving, and has the user replica 1
		// created while shutting down.
		soMust(t, http.StatusOK, "GET", r2.url+"/readyz", "", "")
		soMust(t, http.StatusOK, "GET", r2.url+"/scim/v2/Users/"+created, token, "")
		soMust(t, http.StatusCreated, "POST", r2.url+"/scim/v2/Users", token, soUserBody("after.shutdown@example.com"))
	})

	t.Run("f: a replica whose database is migrated past it is not ready", func(t *testing.T) {
		if r2.exited() {
			t.Fatalf("replica 2 exited: %v", r2.err)
		}
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var v int
		if err := db.QueryRow(`SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
			t.Fatalf("read the schema version: %v", err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)`, v+1, "from_a_newer_release.sql", time.Now().UnixMicro()); err != nil {
			t.Fatalf("record a newer schema version: %v", err)
		}
		r := soMust(t, http.StatusServiceUnavailable, "GET", r2.url+"/readyz", "", "")
		if strings.Contains(string(r.raw), "schema version") {
			t.Errorf("/readyz body leaks the internal error: %s", r.raw)
		}
		soMust(t, http.StatusOK, "GET", r2.url+"/healthz", "", "")
	})
}

// soMigrations lists the PostgreSQL migrations this binary embeds.
func soMigrations(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "postgres", "migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("list postgres/migrations: %v (%d files)", err, len(files))
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	slices.Sort(names)
	return names
}

func TestMigrateCommandPostgres(t *testing.T) {
	pgURL := soPostgresURL(t)
	bin := soBuild(t)
	dsn := testbackend.FreshSchema(t, pgURL)
	names := soMigrations(t)
	if names[0] != "0001_init.sql" {
		t.Fatalf("first migration %q, want 0001_init.sql", names[0])
	}

	out := soCLI(t, bin, dsn, "migrate")
	var want strings.Builder
	for _, n := range names {
		fmt.Fprintf(&want, "applied %s\n", n)
	}
	if out != want.String() {
		t.Errorf("first migrate printed %q, want %q", out, want.String())
	}
	if !strings.Contains(out, "applied 0001_init.sql") {
		t.Errorf("first migrate printed %q, want \"applied 0001_init.sql\"", out)
	}

	out = soCLI(t, bin, dsn, "migrate")
	if !strings.Contains(out, "up to date") || strings.Contains(out, "applied") {
		t.Errorf("second migrate printed %q, want only that the schema is up to date", out)
	}

	// The migrated schema is usable by the other commands.
	soCLI(t, bin, dsn, "workspace", "create", "migrated")

	// A newer release migrated the database: this binary must refuse it.
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied) VALUES (999, '0999_from_the_future.sql', $1)`, time.Now().UnixMicro()); err != nil {
		t.Fatalf("insert version 999: %v", err)
	}

	checkRefusal := func(what, stdout, stderr string, err error) {
		t.Helper()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() == 0 {
			t.Errorf("%s on a database at schema version 999: err %v, want a non-zero exit\nstdout: %s\nstderr: %s", what, err, stdout, stderr)
			return
		}
		for _, s := range []string{"999", "newer than this birdie binary", "upgrade"} {
			if !strings.Contains(stderr, s) {
				t.Errorf("%s refused the version-999 database, but its message does not say %q:\n%s", what, s, stderr)
			}
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%s: the error is not one line:\n%s", what, stderr)
		}
		if strings.Contains(stdout+stderr, "serving") {
			t.Errorf("%s served a database it does not know:\n%s", what, stderr)
		}
	}
	stdout, stderr, err := soRun(bin, dsn, "serve", "--addr", "127.0.0.1:0", "--no-bootstrap")
	checkRefusal("serve", stdout, stderr, err)
	stdout, stderr, err = soRun(bin, dsn, "migrate")
	checkRefusal("migrate", stdout, stderr, err)

	// Nothing was changed by the refused runs.
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(names)+1 {
		t.Errorf("schema_migrations has %d rows after the refusals, want %d", n, len(names)+1)
	}
}
