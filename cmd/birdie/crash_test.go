package main

// The crash test: the real binary (built once) serves a write load from
// several goroutines and is killed with SIGKILL at a random moment, many
// times over, on one database. After each restart, everything the load
// was told had happened (a 2xx received) must still be there:
//
//   - every acknowledged create exists, with what was sent, unless it was
//     later acknowledged deleted;
//   - every acknowledged delete is gone;
//   - every acknowledged update (PATCH or PUT setting a title no other
//     request sets) is visible, unless a later acknowledged update to the
//     same user superseded it; the version is the one acknowledged.
//
// A request cut off by the kill may or may not have applied, but it may
// not leave anything half-written: every listed user is readable and is
// found by its userName and email filters, the list's totalResults (and
// count=0's) is the number of users listed, and nothing exists that the
// load did not send. On SQLite the file itself also passes PRAGMA
// integrity_check and foreign_key_check after every kill.
//
// Each goroutine updates and deletes only users it created, so the
// requests to one user are sequential and "later" is well defined.
// Bounded: at most crashRounds kills or crashBudget per backend.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite", to check the file after a kill

	"birdie/internal/testbackend"
)

const (
	crashRounds  = 8
	crashBudget  = 60 * time.Second
	crashWorkers = 4
	// crashMaxOwned bounds the users one worker keeps: above it, it deletes.
	crashMaxOwned = 60
)

// crashUser is the test's model of one user: what was acknowledged, and
// what was in flight when the server died.
type crashUser struct {
	id, userName, email, externalID string
	title                           string // last acknowledged
	version                         int    // last acknowledged
	pendTitle                       string // an update in flight at the kill, "" if none
	pendDelete                      bool   // a delete in flight at the kill
}

// crashWorker is one goroutine of the load and the users it owns.
type crashWorker struct {
	n        int
	rng      *rand.Rand
	seq      int
	owned    []*crashUser
	deleted  []*crashUser // acknowledged deleted, not yet verified gone
	pendNew  *crashUser   // a create in flight at the kill (no id known)
	failures []string     // unexpected answers (not a transport error at the kill)

	// Acknowledged in the current round, verified by the next check.
	ackCreates, ackUpdates, ackDeletes int
	lastErr                            time.Time // when a transport error ended its round
}

type crashStats struct {
	rounds                       int
	creates, updates, deletes    int // acknowledged and verified
	inFlight, inFlightApplied    int // cut off by a kill, and of those found applied
	requests, transportFailures  int
	integrityChecks, usersListed int
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test builds the binary and kills it many times; skipped with -short")
	}
	bin := soBuild(t)
	t.Run("sqlite", func(t *testing.T) {
		crashRun(t, bin, filepath.Join(t.TempDir(), "crash.db"), true)
	})
	t.Run("postgres", func(t *testing.T) {
		pgURL := os.Getenv(testbackend.PostgresURLEnv)
		if pgURL == "" {
			t.Skipf("PostgreSQL tests skipped: %s is unset (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", testbackend.PostgresURLEnv)
		}
		crashRun(t, bin, testbackend.FreshSchema(t, pgURL), false)
	})
}

func crashRun(t *testing.T, bin, dsn string, sqliteFile bool) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BIRDIE_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set BIRDIE_CRASH_SEED to replay the same choices)", seed)
	rng := rand.New(rand.NewPCG(seed, 1))

	soCLI(t, bin, dsn, "workspace", "create", "crash")
	token, _ := soToken(t, bin, dsn, "crash")
	workers := make([]*crashWorker, crashWorkers)
	for i := range workers {
		workers[i] = &crashWorker{n: i, rng: rand.New(rand.NewPCG(seed, uint64(i)+2))}
	}
	var st crashStats
	start := time.Now()
	srv := soServe(t, bin, dsn, "birdie (start)")
	for round := 1; round <= crashRounds && time.Since(start) < crashBudget; round++ {
		// The load, and a SIGKILL after a random 50-500 ms of it.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Go(func() { w.load(srv.url, token, round, stop, &st) })
		}
		time.Sleep(time.Duration(50+rng.IntN(451)) * time.Millisecond)
		killedAt := time.Now()
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatalf("round %d: SIGKILL: %v", round, err)
		}
		select {
		case <-srv.done:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: the server did not die within 10 s of SIGKILL", round)
		}
		close(stop)
		wg.Wait()
		for _, w := range workers {
			for _, f := range w.failures {
				t.Errorf("round %d, worker %d: %s", round, w.n, f)
			}
			w.failures = nil
			if !w.lastErr.IsZero() && w.lastErr.Before(killedAt.Add(-50*time.Millisecond)) {
				t.Errorf("round %d, worker %d: a transport error %v before the kill", round, w.n, killedAt.Sub(w.lastErr))
			}
			w.lastErr = time.Time{}
		}
		if t.Failed() {
			t.FailNow()
		}

		if sqliteFile {
			crashIntegrity(t, dsn)
			st.integrityChecks++
		}
		srv = soServe(t, bin, dsn, fmt.Sprintf("birdie (restart %d)", round))
		crashVerify(t, srv.url, token, workers, &st)
		st.rounds = round
		if t.Failed() {
			t.FailNow()
		}
	}
	srv.cmd.Process.Signal(syscall.SIGKILL)
	<-srv.done
	if sqliteFile {
		crashIntegrity(t, dsn)
		st.integrityChecks++
	}
	if st.rounds < 2 {
		t.Errorf("only %d rounds ran within %v", st.rounds, crashBudget)
	}
	if st.creates == 0 || st.updates == 0 || st.deletes == 0 {
		t.Errorf("the load acknowledged too little to test anything: %+v", st)
	}
	summary := fmt.Sprintf("crash test: %d SIGKILL rounds in %v; verified %d acknowledged creates, %d updates, %d deletes; %d requests cut off by a kill (%d had applied); %d users listed in checks; %d SQLite integrity checks",
		st.rounds, time.Since(start).Round(100*time.Millisecond), st.creates, st.updates, st.deletes, st.inFlight, st.inFlightApplied, st.usersListed, st.integrityChecks)
	t.Log(summary)
}

// load sends creates, updates and deletes until the server dies (a
// transport error) or stop is closed. Only 2xx answers are recorded as
// acknowledged; a transport error leaves the request in flight.
func (w *crashWorker) load(base, token string, round int, stop <-chan struct{}, st *crashStats) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		r := w.rng.IntN(100)
		switch {
		case len(w.owned) == 0 || len(w.owned) < crashMaxOwned && r < 45:
			if !w.create(base, token, round, st) {
				return
			}
		case len(w.owned) >= crashMaxOwned || r >= 80:
			if !w.delete(base, token, st) {
				return
			}
		default:
			if !w.update(base, token, round, st) {
				return
			}
		}
	}
}

func (w *crashWorker) cutOff(err error) bool {
	w.lastErr = time.Now()
	return false
}

func (w *crashWorker) unexpected(format string, args ...any) bool {
	w.failures = append(w.failures, fmt.Sprintf(format, args...))
	return false
}

func crashUserBody(u *crashUser, title string) string {
	return fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"externalId":%q,"title":%q,"active":true,"emails":[{"value":%q,"type":"work","primary":true}]}`,
		u.userName, u.externalID, title, u.email)
}

func (w *crashWorker) create(base, token string, round int, st *crashStats) bool {
	w.seq++
	u := &crashUser{
		userName:   fmt.Sprintf("crash-w%d-%d@example.com", w.n, w.seq),
		email:      fmt.Sprintf("mail-w%d-%d@mail.example.com", w.n, w.seq),
		externalID: fmt.Sprintf("ext-w%d-%d", w.n, w.seq),
		title:      fmt.Sprintf("created r%d w%d #%d", round, w.n, w.seq),
	}
	st.count(false)
	res, err := soSend("POST", base+"/scim/v2/Users", token, crashUserBody(u, u.title))
	if err != nil {
		w.pendNew = u
		st.count(true)
		return w.cutOff(err)
	}
	if res.status != http.StatusCreated {
		return w.unexpected("POST %s: %s", u.userName, res)
	}
	u.id, _ = res.body["id"].(string)
	u.version = crashVersion(res.header.Get("ETag"))
	if u.id == "" || u.version != 1 {
		return w.unexpected("POST %s: id %q, ETag %q", u.userName, u.id, res.header.Get("ETag"))
	}
	w.owned = append(w.owned, u)
	w.ackCreates++
	return true
}

func (w *crashWorker) update(base, token string, round int, st *crashStats) bool {
	u := w.owned[w.rng.IntN(len(w.owned))]
	w.seq++
	title := fmt.Sprintf("updated r%d w%d #%d", round, w.n, w.seq) // never sent twice
	method, body := "PATCH", soPatchBody(fmt.Sprintf(`{"op":"replace","path":"title","value":%q}`, title))
	if w.rng.IntN(3) == 0 {
		method, body = "PUT", crashUserBody(u, title)
	}
	st.count(false)
	res, err := soSend(method, base+"/scim/v2/Users/"+u.id, token, body)
	if err != nil {
		u.pendTitle = title
		st.count(true)
		return w.cutOff(err)
	}
	if res.status != http.StatusOK {
		return w.unexpected("%s %s: %s", method, u.id, res)
	}
	v := crashVersion(res.header.Get("ETag"))
	if got, _ := res.body["title"].(string); got != title || v != u.version+1 {
		return w.unexpected("%s %s: title %q version %d, want %q version %d", method, u.id, got, v, title, u.version+1)
	}
	u.title, u.version = title, v
	w.ackUpdates++
	return true
}

func (w *crashWorker) delete(base, token string, st *crashStats) bool {
	i := w.rng.IntN(len(w.owned))
	u := w.owned[i]
	st.count(false)
	res, err := soSend("DELETE", base+"/scim/v2/Users/"+u.id, token, "")
	if err != nil {
		u.pendDelete = true
		st.count(true)
		return w.cutOff(err)
	}
	if res.status != http.StatusNoContent {
		return w.unexpected("DELETE %s: %s", u.id, res)
	}
	w.owned = append(w.owned[:i], w.owned[i+1:]...)
	w.deleted = append(w.deleted, u)
	w.ackDeletes++
	return true
}

var crashStatsMu sync.Mutex

func (st *crashStats) count(transport bool) {
	crashStatsMu.Lock()
	defer crashStatsMu.Unlock()
	if transport {
		st.transportFailures++
	} else {
		st.requests++
	}
}

func crashVersion(etag string) int {
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(etag, `W/"`), `"`))
	if err != nil {
		return -1
	}
	return n
}

// crashGet sends a GET to the restarted server; a transport error or an
// unexpected status fails the test.
func crashGet(t *testing.T, u, token string, want ...int) soResult {
	t.Helper()
	res, err := soSend("GET", u, token, "")
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	for _, s := range want {
		if res.status == s {
			return res
		}
	}
	t.Fatalf("GET %s: %s, want status %v", u, res, want)
	return res
}

func crashFilter(t *testing.T, base, token, filter string) []string {
	t.Helper()
	res := crashGet(t, base+"/scim/v2/Users?filter="+url.QueryEscape(filter), token, http.StatusOK)
	var ids []string
	list, _ := res.body["Resources"].([]any)
	for _, r := range list {
		id, _ := r.(map[string]any)["id"].(string)
		ids = append(ids, id)
	}
	if n, _ := res.body["totalResults"].(float64); int(n) != len(ids) {
		t.Errorf("filter %s: totalResults %v for %d resources", filter, res.body["totalResults"], len(ids))
	}
	return ids
}

// crashVerify checks the restarted server against the model, then
// settles what was in flight at the kill to what the server shows.
func crashVerify(t *testing.T, base, token string, workers []*crashWorker, st *crashStats) {
	t.Helper()
	users := base + "/scim/v2/Users/"
	live := map[string]*crashUser{}
	for _, w := range workers {
		// Acknowledged deletes are gone.
		for _, u := range w.deleted {
			crashGet(t, users+u.id, token, http.StatusNotFound)
		}
		st.deletes += w.ackDeletes
		w.deleted = nil

		// Acknowledged creates and updates are there.
		kept := w.owned[:0]
		for _, u := range w.owned {
			want := []int{http.StatusOK}
			if u.pendDelete {
				want = append(want, http.StatusNotFound)
			}
			res := crashGet(t, users+u.id, token, want...)
			if res.status == http.StatusNotFound {
				st.inFlightApplied++
				continue
			}
			title, _ := res.body["title"].(string)
			v := crashVersion(res.header.Get("ETag"))
			switch {
			case title == u.title && v == u.version:
			case u.pendTitle != "" && title == u.pendTitle && v == u.version+1:
				st.inFlightApplied++
			default:
				t.Errorf("user %s (%s) after the restart: title %q version %d; acknowledged %q version %d, in flight %q",
					u.id, u.userName, title, v, u.title, u.version, u.pendTitle)
			}
			crashCheckUser(t, u, res)
			u.title, u.version, u.pendTitle, u.pendDelete = title, v, "", false
			kept = append(kept, u)
			live[u.id] = u
		}
		w.owned = kept
		st.creates += w.ackCreates
		st.updates += w.ackUpdates
		w.ackCreates, w.ackUpdates, w.ackDeletes = 0, 0, 0

		// A create in flight: there once, or not at all.
		if u := w.pendNew; u != nil {
			w.pendNew = nil
			switch ids := crashFilter(t, base, token, fmt.Sprintf("userName eq %q", u.userName)); len(ids) {
			case 0:
			case 1:
				res := crashGet(t, users+ids[0], token, http.StatusOK)
				u.id, u.version = ids[0], crashVersion(res.header.Get("ETag"))
				if res.body["title"] != u.title || u.version != 1 {
					t.Errorf("the create in flight at the kill left %s", res)
				}
				crashCheckUser(t, u, res)
				w.owned = append(w.owned, u)
				live[u.id] = u
				st.inFlightApplied++
			default:
				t.Errorf("the create of %s in flight at the kill made %d users: %v", u.userName, len(ids), ids)
			}
		}
	}

	// The list holds exactly the live users, each whole.
	listed := map[string]map[string]any{}
	total := -1
	for start := 1; ; {
		res := crashGet(t, fmt.Sprintf("%s/scim/v2/Users?startIndex=%d&count=1000", base, start), token, http.StatusOK)
		n, _ := res.body["totalResults"].(float64)
		if total >= 0 && int(n) != total {
			t.Errorf("totalResults changed between pages: %d then %v", total, n)
		}
		total = int(n)
		page, _ := res.body["Resources"].([]any)
		for _, r := range page {
			m, _ := r.(map[string]any)
			id, _ := m["id"].(string)
			if listed[id] != nil {
				t.Errorf("user %s listed twice", id)
			}
			listed[id] = m
		}
		start += len(page)
		if len(page) == 0 || start > total {
			break
		}
	}
	if total != len(listed) {
		t.Errorf("totalResults %d, but %d users are listed", total, len(listed))
	}
	res := crashGet(t, base+"/scim/v2/Users?count=0", token, http.StatusOK)
	if n, _ := res.body["totalResults"].(float64); int(n) != len(listed) {
		t.Errorf("count=0 says totalResults %v, but %d users are listed", res.body["totalResults"], len(listed))
	}
	for id, m := range listed {
		u := live[id]
		if u == nil {
			t.Errorf("a user nobody created (or one acknowledged deleted) is listed: %v", m)
			continue
		}
		if m["title"] != u.title || m["userName"] != u.userName {
			t.Errorf("listed user %s: %v, want title %q", id, m, u.title)
		}
		if ids := crashFilter(t, base, token, fmt.Sprintf("userName eq %q", u.userName)); len(ids) != 1 || ids[0] != id {
			t.Errorf("userName eq %q finds %v, want [%s]", u.userName, ids, id)
		}
		if ids := crashFilter(t, base, token, fmt.Sprintf("emails.value eq %q", u.email)); len(ids) != 1 || ids[0] != id {
			t.Errorf("emails.value eq %q finds %v, want [%s]", u.email, ids, id)
		}
	}
	for id, u := range live {
		if listed[id] == nil {
			t.Errorf("user %s (%s) is readable but not listed", id, u.userName)
		}
	}
	st.usersListed += len(listed)
	crashStatsMu.Lock()
	st.inFlight = st.transportFailures
	crashStatsMu.Unlock()
}

// crashCheckUser checks that a user read back is whole: what its create
// (or last PUT) sent, and the account email derived from it.
func crashCheckUser(t *testing.T, u *crashUser, res soResult) {
	t.Helper()
	b := res.body
	emails, _ := b["emails"].([]any)
	var email string
	if len(emails) == 1 {
		email, _ = emails[0].(map[string]any)["value"].(string)
	}
	acct, _ := b["urn:birdie:scim:schemas:extension:account:2.0:User"].(map[string]any)
	if b["userName"] != u.userName || b["externalId"] != u.externalID || email != u.email || b["active"] != true || acct["email"] != u.userName {
		t.Errorf("user %s is not whole after the restart: %s", u.id, res.raw)
	}
}

// crashIntegrity opens the SQLite file the killed server left (its WAL
// included) and runs SQLite's own consistency checks.
func crashIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		t.Fatalf("PRAGMA integrity_check: %v", err)
	}
	var results []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		results = append(results, s)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0] != "ok" {
		t.Errorf("PRAGMA integrity_check after SIGKILL: %q", results)
	}
	fk, err := db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		t.Fatalf("PRAGMA foreign_key_check: %v", err)
	}
	defer fk.Close()
	if fk.Next() {
		cols, _ := fk.Columns()
		t.Errorf("PRAGMA foreign_key_check after SIGKILL reports violations (columns %v)", cols)
	}
}
