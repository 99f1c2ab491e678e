package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"birdie"
	"birdie/internal/testbackend"
	"birdie/metrics"
	"birdie/sqlstore"
)

// sample is one line of the Prometheus text exposition.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// scrape GETs m.Handler() and parses the text exposition it serves.
func scrape(t *testing.T, m *metrics.Metrics) (string, []sample) {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatalf("GET metrics: %v", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read metrics: %v", err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET metrics: status %d: %s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("GET metrics: Content-Type %q, want the text exposition format", ct)
	}
	text := string(body)
	var out []sample
	for _, line := range strings.Split(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s, err := parseSample(line)
		if err != nil {
			t.Fatalf("unparsable exposition line %q: %v", line, err)
		}
		out = append(out, s)
	}
	return text, out
}

// parseSample parses `name{k="v",...} value` or `name value`.
func parseSample(line string) (sample, error) {
	s := sample{labels: map[string]string{}}
	i := strings.IndexAny(line, "{ ")
	if i < 0 {
		return s, errors.New("no value")
	}
	s.name = line[:i]
	rest := line[i:]
	if rest[0] == '{' {
		rest = rest[1:]
		for {
			if rest == "" {
				return s, errors.New("unterminated labels")
			}
			if rest[0] == '}' {
				rest = rest[1:]
				break
			}
			if rest[0] == ',' {
				rest = rest[1:]
				continue
			}
			eq := strings.Index(rest, `="`)
			if eq < 0 {
				return s, errors.New("bad label")
			}
			key := rest[:eq]
			rest = rest[eq+2:]
			var val strings.Builder
			for {
				if rest == "" {
					return s, errors.New("unterminated label value")
				}
				c := rest[0]
				rest = rest[1:]
				if c == '\\' && rest != "" {
					switch rest[0] {
					case 'n':
						val.WriteByte('\n')
					default:
						val.WriteByte(rest[0])
					}
					rest = rest[1:]
					continue
				}
				if c == '"' {
					break
				}
				val.WriteByte(c)
			}
			s.labels[key] = val.String()
		}
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return s, errors.New("no value")
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return s, err
	}
	s.value = v
	return s, nil
}

// find returns the samples named name whose labels include want.
func find(samples []sample, name string, want map[string]string) []sample {
	var out []sample
	for _, s := range samples {
		if s.name != name {
			continue
		}
		ok := true
		for k, v := range want {
			if s.labels[k] != v {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

// value returns the value of the one sample named name with exactly the
// labels want; found is false if there is none.
func value(t *testing.T, samples []sample, name string, want map[string]string) (v float64, found bool) {
	t.Helper()
	var hits []sample
	for _, s := range find(samples, name, want) {
		if len(s.labels) == len(want) {
			hits = append(hits, s)
		}
	}
	switch len(hits) {
	case 0:
		return 0, false
	case 1:
		return hits[0].value, true
	}
	t.Fatalf("%d samples %s%v, want at most one", len(hits), name, want)
	return 0, false
}

// wantValue fails unless the sample exists with the value.
func wantValue(t *testing.T, text string, samples []sample, name string, labels map[string]string, want float64) {
	t.Helper()
	got, ok := value(t, samples, name, labels)
	if !ok {
		t.Errorf("no sample %s%v in the exposition:\n%s", name, labels, relevant(text, name))
		return
	}
	if got != want {
		t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

// relevant returns the exposition lines mentioning name, for messages.
func relevant(text, name string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, name) {
			b.WriteString(l + "\n")
		}
	}
	if b.Len() == 0 {
		return "(no line mentions " + name + ")"
	}
	return b.String()
}

func TestHTTPObservations(t *testing.T) {
	m := metrics.New()
	m.ObserveRequest("GET /scim/v2/Users/{id}", "GET", 200, 3*time.Millisecond)
	m.ObserveRequest("GET /scim/v2/Users/{id}", "GET", 200, 4*time.Millisecond)
	m.ObserveRequest("GET /scim/v2/Users/{id}", "GET", 404, time.Millisecond)
	m.ObserveRequest("POST /scim/v2/Users", "POST", 409, time.Millisecond)
	m.ObserveRequest("", "GET", 404, time.Millisecond) // no route matched
	m.ObserveSCIMError(400, "invalidFilter")
	m.ObserveSCIMError(400, "invalidFilter")
	m.ObserveSCIMError(409, "uniqueness")
	m.ObserveSCIMError(404, "")

	text, samples := scrape(t, m)
	const req = "birdie_http_requests_total"
	wantValue(t, text, samples, req, map[string]string{"route": "GET /scim/v2/Users/{id}", "method": "GET", "status": "200"}, 2)
	wantValue(t, text, samples, req, map[string]string{"route": "GET /scim/v2/Users/{id}", "method": "GET", "status": "404"}, 1)
	wantValue(t, text, samples, req, map[string]string{"route": "POST /scim/v2/Users", "method": "POST", "status": "409"}, 1)
	wantValue(t, text, samples, req, map[string]string{"route": "unmatched", "method": "GET", "status": "404"}, 1)
	if got := find(samples, req, map[string]string{"route": ""}); len(got) != 0 {
		t.Errorf("a request without a route is exported with an empty route label: %v", got)
	}

	const dur = "birdie_http_request_duration_seconds"
	wantValue(t, text, samples, dur+"_count", map[string]string{"route": "GET /scim/v2/Users/{id}", "method": "GET"}, 3)
	if sum, ok := value(t, samples, dur+"_sum", map[string]string{"route": "GET /scim/v2/Users/{id}", "method": "GET"}); !ok || sum < 0.0079 || sum > 0.0081 {
		t.Errorf("%s_sum = %v (found %v), want 0.008 (3 ms + 4 ms + 1 ms, in seconds)", dur, sum, ok)
	}

	const scimErr = "birdie_scim_errors_total"
	wantValue(t, text, samples, scimErr, map[string]string{"status": "400", "scim_type": "invalidFilter"}, 2)
	wantValue(t, text, samples, scimErr, map[string]string{"status": "409", "scim_type": "uniqueness"}, 1)
	wantValue(t, text, samples, scimErr, map[string]string{"status": "404", "scim_type": ""}, 1)

	// The runtime and process collectors are registered too.
	if len(find(samples, "go_goroutines", nil)) != 1 {
		t.Errorf("go_goroutines missing from the exposition")
	}
}

func TestLogDroppedObservations(t *testing.T) {
	m := metrics.New()
	m.ObserveLogDropped("queue_full", 1)
	m.ObserveLogDropped("queue_full", 1)
	m.ObserveLogDropped("write_failed", 500)
	text, samples := scrape(t, m)
	const name = "birdie_provisioning_log_dropped_total"
	wantValue(t, text, samples, name, map[string]string{"reason": "queue_full"}, 2)
	wantValue(t, text, samples, name, map[string]string{"reason": "write_failed"}, 500)
}

func TestStoreObservations(t *testing.T) {
	m := metrics.New()
	inner := testbackend.SQLite().Open(t)
	s := m.Store(inner)
	ctx := context.Background()

	ws, err := s.CreateWorkspace(ctx, "acme", "Acme")
	if err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	now := time.Now().UTC()
	newUser := func(userName string) birdie.User {
		return birdie.User{
			ID: birdie.NewID(), UserName: userName, Active: true, Email: userName,
			Attributes: map[string]any{"userName": userName},
			Created:    now, LastModified: now, Version: 1,
		}
	}
	u := newUser("a@example.com")
	if err := s.CreateUser(ctx, ws.ID, u); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := s.CreateUser(ctx, ws.ID, newUser("b@example.com")); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	// A conflict and a not-found: errors the caller expects, not faults.
	if err := s.CreateUser(ctx, ws.ID, newUser("A@example.com")); birdie.ErrorCode(err) != birdie.ECONFLICT {
		t.Fatalf("CreateUser of a taken userName: %v, want ECONFLICT", err)
	}
	for range 3 {
		if _, err := s.User(ctx, ws.ID, birdie.NewID()); birdie.ErrorCode(err) != birdie.ENOTFOUND {
			t.Fatalf("User of a missing id: %v, want ENOTFOUND", err)
		}
	}
	if _, err := s.User(ctx, ws.ID, u.ID); err != nil {
		t.Fatalf("User: %v", err)
	}
	if _, err := s.UpdateUser(ctx, ws.ID, birdie.NewID(), func(*birdie.User) error { return nil }); birdie.ErrorCode(err) != birdie.ENOTFOUND {
		t.Fatalf("UpdateUser of a missing id: %v, want ENOTFOUND", err)
	}
	// The caller's own refusal (a bad PATCH value is a *scim.Error, whose
	// birdie code is EINTERNAL) is the caller's, not a store fault.
	refused := errors.New("refused by the update function")
	if _, err := s.UpdateUser(ctx, ws.ID, u.ID, func(*birdie.User) error { return refused }); err != refused {
		t.Fatalf("UpdateUser refused by its function: %v, want that function's error", err)
	}
	if err := s.DeleteUser(ctx, ws.ID, u.ID, func(birdie.User) error { return refused }); err != refused {
		t.Fatalf("DeleteUser refused by its check: %v, want that check's error", err)
	}
	if _, err := s.ListUsers(ctx, ws.ID, birdie.UserQuery{Count: 10}); err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if err := s.AppendLog(ctx, []birdie.LogEntry{{WorkspaceID: ws.ID, Time: now, Method: "GET", Status: 200}}); err != nil {
		t.Fatalf("AppendLog: %v", err)
	}
	if _, err := s.Logs(ctx, ws.ID, birdie.LogQuery{}); err != nil {
		t.Fatalf("Logs: %v", err)
	}

	text, samples := scrape(t, m)
	const dur = "birdie_store_operation_duration_seconds"
	wantValue(t, text, samples, dur+"_count", map[string]string{"operation": "create_workspace"}, 1)
	wantValue(t, text, samples, dur+"_count", map[string]string{"operation": "create_user"}, 3)
	wantValue(t, text, samples, dur+"_count", map[string]string{"operation": "get_user"}, 4)
	wantValue(t, text, samples, dur+"_count", map[string]string{"operation": "update_user"}, 2)
	wantValue(t, text, samples, dur+"_count", map[string]string{"operation": "delete_user"}, 1)
	wantValue(t, text, samples, dur+"_count", map[string]string{"operation": "list_users"}, 1)
	wantValue(t, text, samples, dur+"_count", map[string]string{"operation": "append_log"}, 1)
	wantValue(t, text, samples, dur+"_count", map[string]string{"operation": "logs"}, 1)
	// Histogram buckets are cumulative: +Inf holds every observation.
	wantValue(t, text, samples, dur+"_bucket", map[string]string{"operation": "create_user", "le": "+Inf"}, 3)

	// ENOTFOUND and ECONFLICT are not store faults.
	const storeErr = "birdie_store_errors_total"
	for _, s := range find(samples, storeErr, nil) {
		if s.value != 0 {
			t.Errorf("%s%v = %v after only not-found, conflict and caller's errors, want it absent or 0", storeErr, s.labels, s.value)
		}
	}

	// An internal error (the database is gone) is counted.
	if err := inner.Close(); err != nil {
		t.Fatalf("close the store: %v", err)
	}
	if _, err := s.User(ctx, ws.ID, u.ID); err == nil || birdie.ErrorCode(err) != birdie.EINTERNAL {
		t.Fatalf("User on a closed store: %v, want an internal error", err)
	}
	text, samples = scrape(t, m)
	wantValue(t, text, samples, storeErr, map[string]string{"operation": "get_user"}, 1)
	wantValue(t, text, samples, dur+"_count", map[string]string{"operation": "get_user"}, 5)
	if _, ok := value(t, samples, storeErr, map[string]string{"operation": "create_user"}); ok {
		t.Errorf("%s{operation=\"create_user\"} exported, but create_user failed only with a conflict", storeErr)
	}
}

func TestWatchDB(t *testing.T) {
	m := metrics.New()
	st, ok := testbackend.SQLite().Open(t).(*sqlstore.Store)
	if !ok {
		t.Fatal("the SQLite backend does not open a *sqlstore.Store")
	}
	if st.Writer() == st.Reader() {
		t.Fatal("the SQLite store has one pool; this test needs the writer and reader apart")
	}
	m.WatchDB("writer", st.Writer())
	m.WatchDB("reader", st.Reader())
	// Use the reader so that it has an open connection to report.
	if err := st.Reader().PingContext(context.Background()); err != nil {
		t.Fatalf("ping: %v", err)
	}

	text, samples := scrape(t, m)
	for _, db := range []string{"writer", "reader"} {
		for _, name := range []string{
			"go_sql_max_open_connections", "go_sql_open_connections", "go_sql_in_use_connections",
			"go_sql_idle_connections", "go_sql_wait_count_total", "go_sql_wait_duration_seconds_total",
		} {
			if _, ok := value(t, samples, name, map[string]string{"db_name": db}); !ok {
				t.Errorf("no sample %s{db_name=%q}:\n%s", name, db, relevant(text, "go_sql_"))
			}
		}
	}
	// The numbers are the pool's: the writer is a single connection.
	wantValue(t, text, samples, "go_sql_max_open_connections", map[string]string{"db_name": "writer"}, float64(st.Writer().Stats().MaxOpenConnections))
	wantValue(t, text, samples, "go_sql_max_open_connections", map[string]string{"db_name": "reader"}, float64(st.Reader().Stats().MaxOpenConnections))
	if open, _ := value(t, samples, "go_sql_open_connections", map[string]string{"db_name": "reader"}); open < 1 {
		t.Errorf("go_sql_open_connections{db_name=\"reader\"} = %v after a ping, want >= 1", open)
	}
}
