package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// newClient returns the one client every operation shares: keep-alive
// connections, enough idle ones per host that no client goroutine ever
// waits for a dial, no compression (IdPs do not ask for it and it would
// measure gzip), no proxy (every request goes to 127.0.0.1).
func newClient(clients int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        4 * clients,
			MaxIdleConnsPerHost: 2 * clients,
			IdleConnTimeout:     2 * time.Minute,
			DisableCompression:  true,
		},
		Timeout: 2 * time.Minute,
	}
}

// operation is one kind of request the bench drives.
type operation struct {
	Name   string
	Method string
	Status int // the status a success answers
	// Gen returns the request source of client goroutine g: each call
	// gives the URL and body (nil for none) of its next request. Sources
	// hand out pre-built URLs and bodies wherever they can, so that the
	// client spends its CPU on HTTP, not on fmt.
	Gen func(g int) func() (url string, body []byte)
	// Check, if set, vets the body of one probe request made before the
	// measurement, to catch a bench that would measure the wrong thing
	// (a filter matching no one, say).
	Check  func(body []byte) error
	target target
}

// target is the server an operation's requests go to.
type target int

const (
	toBirdie target = iota // the birdie server under test
	toBare                 // the bare baseline in its own process: the ratios' denominator
	toInproc               // the bare baseline in the bench's process
)

// baseURLs are the servers' base URLs: birdie's is its SCIM base.
type baseURLs struct{ bare, inproc, birdie string }

// poolSize bounds the pre-built URLs and bodies per operation: enough
// distinct users that the database cannot serve them all from a few hot
// pages, few enough to build in a blink.
const poolSize = 20000

// operations lists what the bench measures, in order. The baseline comes
// first (every ratio needs it); GET /Users?count=0 runs before POST so
// that its total is exactly the seeded count.
func operations(srvs baseURLs, s *seeded, clients int) []operation {
	base := srvs.birdie
	n := len(s.IDs)
	pool := make([]int, min(n, poolSize)) // random seeded users
	for k := range pool {
		pool[k] = rand.IntN(n)
	}
	urls := func(f func(i int) string) []string {
		out := make([]string, len(pool))
		for k, i := range pool {
			out[k] = f(i)
		}
		return out
	}
	// cycle hands out list round-robin from a random start per goroutine.
	cycle := func(list []string) func(int) func() (string, []byte) {
		return func(int) func() (string, []byte) {
			k := rand.IntN(len(list))
			return func() (string, []byte) {
				k = (k + 1) % len(list)
				return list[k], nil
			}
		}
	}
	fixed := func(u string) func(int) func() (string, []byte) {
		return func(int) func() (string, []byte) { return func() (string, []byte) { return u, nil } }
	}
	filter := func(attr string, value func(int) string) []string {
		return urls(func(i int) string {
			f := url.QueryEscape(attr + ` eq "` + value(i) + `"`)
			return base + "/Users?filter=" + strings.ReplaceAll(f, "+", "%20") // as Okta encodes spaces
		})
	}
	idURLs := urls(func(i int) string { return base + "/Users/" + s.IDs[i] })

	ops := []operation{
		{Name: "bare net/http GET", Method: http.MethodGet, Status: http.StatusOK, target: toBare, Gen: fixed(srvs.bare + "/scim/v2/Users/bare")},
		{Name: "bare net/http GET, in the bench's process", Method: http.MethodGet, Status: http.StatusOK, target: toInproc, Gen: fixed(srvs.inproc + "/scim/v2/Users/bare")},
		{Name: "GET /Users/{id}", Method: http.MethodGet, Status: http.StatusOK, Gen: cycle(idURLs)},
		{Name: `GET filter=userName eq`, Method: http.MethodGet, Status: http.StatusOK, Check: wantTotal(1),
			Gen: cycle(filter("userName", userName))},
		{Name: `GET filter=externalId eq`, Method: http.MethodGet, Status: http.StatusOK, Check: wantTotal(1),
			Gen: cycle(filter("externalId", externalID))},
		{Name: `GET filter=emails.value eq`, Method: http.MethodGet, Status: http.StatusOK, Check: wantTotal(1),
			Gen: cycle(filter("emails.value", homeEmail))},
		{Name: `GET filter=…account…:email eq`, Method: http.MethodGet, Status: http.StatusOK, Check: wantTotal(1),
			Gen: cycle(filter("urn:birdie:scim:schemas:extension:account:2.0:User:email", userName))},
		{Name: "GET /Users?count=0", Method: http.MethodGet, Status: http.StatusOK, Check: wantTotal(n),
			Gen: fixed(base + "/Users?count=0")},
		{Name: "POST /Users", Method: http.MethodPost, Status: http.StatusCreated,
			Gen: func(g int) func() (string, []byte) {
				// New users numbered after the seeded ones, interleaved
				// by goroutine, so every userName is unique. The body
				// is built per request: there is no bound to pre-build.
				next := n + g
				return func() (string, []byte) {
					i := next
					next += clients
					return base + "/Users", userBody(i, 0)
				}
			}},
		{Name: "PATCH active (Okta)", Method: http.MethodPatch, Status: http.StatusOK,
			Gen: func(g int) func() (string, []byte) {
				// Okta's path-less replace, deactivating and
				// reactivating by turns.
				bodies := [2][]byte{
					[]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`),
					[]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`),
				}
				next := cycle(idURLs)(g)
				turn := 0
				return func() (string, []byte) {
					u, _ := next()
					turn ^= 1
					return u, bodies[turn]
				}
			}},
		{Name: "PUT /Users/{id}", Method: http.MethodPut, Status: http.StatusOK,
			Gen: func() func(int) func() (string, []byte) {
				// GET-free: the full body of the user, with its own
				// userName and another department, as built when
				// seeding.
				bodies := make([][]byte, len(pool))
				for k, i := range pool {
					bodies[k] = userBody(i, 1+k%3)
				}
				return func(int) func() (string, []byte) {
					k := rand.IntN(len(pool))
					return func() (string, []byte) {
						k = (k + 1) % len(pool)
						return idURLs[k], bodies[k]
					}
				}
			}()},
	}
	return ops
}

// wantTotal checks that a list response has totalResults == want.
func wantTotal(want int) func([]byte) error {
	return func(body []byte) error {
		var lr struct {
			TotalResults int `json:"totalResults"`
		}
		if err := json.Unmarshal(body, &lr); err != nil {
			return fmt.Errorf("not a list response: %v", err)
		}
		if lr.TotalResults != want {
			return fmt.Errorf("totalResults is %d, want %d", lr.TotalResults, want)
		}
		return nil
	}
}

// opResult is one row of the table.
type opResult struct {
	Name     string
	Requests int // measured requests, errors included
	Errors   int // non-2xx answers (or not the expected status) and transport errors
	Elapsed  time.Duration
	RPS      float64
	Ratio    float64 // RPS / the baseline's RPS
	// InprocRatio is RPS / the in-process baseline's RPS, for rows
	// after it (zero before).
	InprocRatio float64
	P50, P99    time.Duration
	Max         time.Duration
	Samples     []string // the first few errors, for the report
	// ServerCPU is the CPU time (user and system) the server process
	// used per measured request: the cost of the operation, steadier
	// than req/s on a machine the load generator shares. Zero for the
	// in-process baseline, whose CPU time cannot be told from the
	// client's.
	ServerCPU time.Duration
}

// loadGen drives operations with a pool of client goroutines.
type loadGen struct {
	ctx       context.Context
	client    *http.Client
	clients   int
	duration  time.Duration
	warmup    time.Duration
	logf      func(string, ...any)
	token     string
	bareRPS   float64 // the baseline's, once measured
	inprocRPS float64 // the in-process baseline's, once measured
	// cpu reads a target's CPU time so far; a target without one is not
	// measured.
	cpu map[target]func() (time.Duration, error)
}

// worker is one client goroutine's tally. Latencies go to a plain slice
// per goroutine (no locks, no shared histogram) and are merged and sorted
// once at the end: a few hundred thousand int64s sort in milliseconds.
type worker struct {
	lat    []time.Duration
	errors int
	sample string
	last   time.Time // when its last measured request finished
}

// run measures op: every goroutine sends requests back to back for the
// warm-up (not recorded: connections, caches, the server's pools) and then
// for the measured duration. A request counts if it started in the
// measured window; the rate divides by the time until the last of them
// finished.
func (lg *loadGen) run(op operation) (opResult, error) {
	res := opResult{Name: op.Name}
	hdr := lg.headers(op, false)
	bodyHdr := lg.headers(op, true)
	if err := lg.probe(op, hdr, bodyHdr); err != nil {
		res.Errors++
		res.Samples = append(res.Samples, "probe: "+err.Error())
		lg.logf("%s: probe failed: %v", op.Name, err)
	}
	lg.logf("%s: %d clients, %s (+%s warm-up)", op.Name, lg.clients, lg.duration, lg.warmup)

	workers := make([]worker, lg.clients)
	measureFrom := time.Now().Add(lg.warmup)
	end := measureFrom.Add(lg.duration)
	var wg sync.WaitGroup
	cpuStart := make(chan time.Duration, 1)
	serverCPU := lg.cpu[op.target]
	if serverCPU != nil {
		go func() {
			time.Sleep(time.Until(measureFrom))
			if d, err := serverCPU(); err == nil {
				cpuStart <- d
			}
			close(cpuStart)
		}()
	} else {
		close(cpuStart)
	}
	for g := range workers {
		w := &workers[g]
		w.lat = make([]time.Duration, 0, 4096)
		next := op.Gen(g)
		wg.Go(func() {
			for lg.ctx.Err() == nil {
				start := time.Now()
				if !start.Before(end) {
					return
				}
				u, body := next()
				req := newRequest(lg.ctx, op.Method, u, body, hdr, bodyHdr)
				status, msg := do(lg.client, req)
				done := time.Now()
				if start.Before(measureFrom) {
					continue
				}
				w.lat = append(w.lat, done.Sub(start))
				w.last = done
				if status != op.Status {
					w.errors++
					if w.sample == "" {
						w.sample = msg
					}
				}
			}
		})
	}
	wg.Wait()
	if err := lg.ctx.Err(); err != nil {
		return res, err
	}
	var cpu time.Duration
	if start, ok := <-cpuStart; ok {
		if end, err := serverCPU(); err == nil {
			cpu = end - start
		}
	}

	var all []time.Duration
	last := measureFrom
	for _, w := range workers {
		all = append(all, w.lat...)
		res.Errors += w.errors
		if w.sample != "" && len(res.Samples) < 3 && !slices.Contains(res.Samples, w.sample) {
			res.Samples = append(res.Samples, w.sample)
		}
		if w.last.After(last) {
			last = w.last
		}
	}
	res.Requests = len(all)
	res.Elapsed = last.Sub(measureFrom)
	if res.Requests > 0 && res.Elapsed > 0 {
		res.RPS = float64(res.Requests) / res.Elapsed.Seconds()
	}
	res.P50, res.P99, res.Max = percentiles(all)
	if cpu > 0 && res.Requests > 0 {
		res.ServerCPU = cpu / time.Duration(res.Requests)
	}
	switch op.target {
	case toBare:
		lg.bareRPS = res.RPS
	case toInproc:
		lg.inprocRPS = res.RPS
	}
	if lg.bareRPS > 0 {
		res.Ratio = res.RPS / lg.bareRPS
	}
	if lg.inprocRPS > 0 {
		res.InprocRatio = res.RPS / lg.inprocRPS
	}
	lg.logf("%s: %.0f req/s, p50 %s, p99 %s, %d errors, server CPU %s/request", op.Name, res.RPS, fmtDur(res.P50), fmtDur(res.P99), res.Errors, fmtCPU(res.ServerCPU))
	return res, nil
}

// probe sends one request of op and checks its answer.
func (lg *loadGen) probe(op operation, hdr, bodyHdr http.Header) error {
	u, body := op.Gen(0)()
	resp, err := lg.client.Do(newRequest(lg.ctx, op.Method, u, body, hdr, bodyHdr))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != op.Status {
		return fmt.Errorf("%s %s: status %d, want %d: %.300s", op.Method, u, resp.StatusCode, op.Status, b)
	}
	if op.Check != nil {
		if err := op.Check(b); err != nil {
			return fmt.Errorf("%s %s: %v", op.Method, u, err)
		}
	}
	return nil
}

// headers returns the headers every request of op carries, built once and
// shared read-only by all its requests (the transport only reads them).
func (lg *loadGen) headers(op operation, withBody bool) http.Header {
	h := http.Header{"Accept": {"application/scim+json"}, "User-Agent": {"birdie-bench"}}
	if op.target == toBirdie {
		h.Set("Authorization", "Bearer "+lg.token)
	}
	if withBody {
		h.Set("Content-Type", "application/scim+json; charset=utf-8")
	}
	return h
}

func newRequest(ctx context.Context, method, u string, body []byte, hdr, bodyHdr http.Header) *http.Request {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
		hdr = bodyHdr
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		panic(err) // the bench built u itself
	}
	req.Header = hdr
	return req
}

// do sends req and drains and closes the response body, so that the
// connection goes back to the pool. It returns the status (0 on a
// transport error) and, for failures, a message with the start of the body.
func do(client *http.Client, req *http.Request) (status int, msg string) {
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 == 2 {
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, ""
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, fmt.Sprintf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, b)
}

// percentiles returns the median, 99th percentile and maximum of lat
// (which it sorts), by the nearest-rank method.
func percentiles(lat []time.Duration) (p50, p99, slowest time.Duration) {
	if len(lat) == 0 {
		return 0, 0, 0
	}
	slices.Sort(lat)
	rank := func(p float64) time.Duration {
		k := int(p*float64(len(lat))+0.999999) - 1
		return lat[min(max(k, 0), len(lat)-1)]
	}
	return rank(0.50), rank(0.99), lat[len(lat)-1]
}

// importResult is the full Okta-style import: every user, page by page.
type importResult struct {
	Users    int // totalResults of the first page
	Seen     int // distinct users received
	Pages    int
	Elapsed  time.Duration
	Decode   time.Duration // of Elapsed, spent decoding pages in the bench
	P50, P99 time.Duration // per page
	Problems []string      // duplicates, skips, failures; empty if it was perfect
	TimedOut bool
}

// importPage is the part of a list response the import reads.
type importPage struct {
	TotalResults int `json:"totalResults"`
	Resources    []struct {
		ID string `json:"id"`
	} `json:"Resources"`
}

// runImport pages through every user as Okta's import does: one client,
// GET /Users?startIndex=S&count=100, S advancing by 100 until it passes
// totalResults. It checks that the pages hold every user exactly once (no
// duplicate, no skip): that offset paging is stable is what an import
// relies on. It gives up after timeout and reports how far it got.
func runImport(ctx context.Context, client *http.Client, base string, s *seeded, timeout time.Duration) (*importResult, error) {
	const count = 100
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hdr := http.Header{"Accept": {"application/scim+json"}, "User-Agent": {"birdie-bench"}, "Authorization": {"Bearer " + s.Token}}
	res := &importResult{Users: -1}
	problem := func(format string, args ...any) {
		if len(res.Problems) < 5 {
			res.Problems = append(res.Problems, fmt.Sprintf(format, args...))
		}
	}
	seen := make(map[string]struct{}, len(s.IDs)+len(s.IDs)/8)
	dups := 0
	var lat []time.Duration
	var buf bytes.Buffer
	var page importPage
	start := time.Now()
	for startIndex := 1; res.Users < 0 || startIndex <= res.Users; startIndex += count {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/Users?startIndex=%d&count=%d", base, startIndex, count), nil)
		req.Header = hdr
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				res.TimedOut = true
				problem("timed out after %s at startIndex %d", timeout, startIndex)
				break
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			problem("startIndex %d: %v", startIndex, err)
			break
		}
		buf.Reset()
		_, err = buf.ReadFrom(resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(t0))
		if err != nil || resp.StatusCode != http.StatusOK {
			problem("startIndex %d: status %d: %v %.300s", startIndex, resp.StatusCode, err, buf.Bytes())
			break
		}
		d0 := time.Now()
		page.Resources = page.Resources[:0]
		err = json.Unmarshal(buf.Bytes(), &page)
		res.Decode += time.Since(d0)
		if err != nil {
			problem("startIndex %d: bad list response: %v", startIndex, err)
			break
		}
		res.Pages++
		switch {
		case res.Users < 0:
			res.Users = page.TotalResults
		case page.TotalResults != res.Users:
			problem("totalResults changed from %d to %d at startIndex %d", res.Users, page.TotalResults, startIndex)
		}
		if len(page.Resources) == 0 && startIndex <= res.Users {
			problem("empty page at startIndex %d of %d", startIndex, res.Users)
			break
		}
		for _, r := range page.Resources {
			if _, ok := seen[r.ID]; ok {
				dups++
			}
			seen[r.ID] = struct{}{}
		}
	}
	res.Elapsed = time.Since(start)
	res.Seen = len(seen)
	res.P50, res.P99, _ = percentiles(lat)
	if dups > 0 {
		problem("%d users were returned more than once", dups)
	}
	if !res.TimedOut {
		missing := 0
		for _, id := range s.IDs {
			if _, ok := seen[id]; !ok {
				missing++
			}
		}
		if missing > 0 {
			problem("%d seeded users were never returned", missing)
		}
		if res.Seen != res.Users {
			problem("%d distinct users received, totalResults is %d", res.Seen, res.Users)
		}
	}
	return res, nil
}
