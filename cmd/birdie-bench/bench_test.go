package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"birdie"
	"birdie/internal/testbackend"
	"birdie/sqlstore"
)

// TestMain lets the test binary be the bare baseline's child process, as
// the bench binary is (startBareChild runs its own executable).
func TestMain(m *testing.M) {
	if serveBareChild() {
		return
	}
	os.Exit(m.Run())
}

// TestBenchTiny runs the whole bench small (a real birdie binary, every
// operation for one second, the import) and checks that the table has
// every row, each with requests, a rate and no error, and that the import
// saw every user exactly once.
func TestBenchTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("builds birdie and drives it for about 15 s")
	}
	jsonPath := filepath.Join(t.TempDir(), "bench.json")
	var out bytes.Buffer
	rep, err := run(t.Context(), config{
		Users: 200, Clients: 8, Duration: time.Second, Warmup: 100 * time.Millisecond,
		Import: true, ImportTimeout: time.Minute, Batch: 64, // several seeding transactions
		JSON: jsonPath, Stdout: &out, Progress: testLog{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())

	want := []string{
		"bare net/http GET", "bare net/http GET, in the bench's process", "GET /Users/{id}", "GET filter=userName eq", "GET filter=externalId eq",
		"GET filter=emails.value eq", "GET filter=…account…:email eq", "GET /Users?count=0",
		"POST /Users", "PATCH active (Okta)", "PUT /Users/{id}",
	}
	if len(rep.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rep.Rows), len(want))
	}
	for i, row := range rep.Rows {
		if row.Name != want[i] {
			t.Errorf("row %d is %q, want %q", i, row.Name, want[i])
		}
		if row.Requests == 0 || row.RPS <= 0 || row.Ratio <= 0 || row.P50 <= 0 || row.P99 < row.P50 {
			t.Errorf("%s: %d requests, %.0f req/s, ratio %.2f, p50 %s, p99 %s", row.Name, row.Requests, row.RPS, row.Ratio, row.P50, row.P99)
		}
		if hasInproc := row.InprocRatio > 0; hasInproc != (i >= 1) {
			t.Errorf("%s: ratio to the in-process baseline %.2f (every row from the in-process baseline's on has one)", row.Name, row.InprocRatio)
		}
		if row.Errors != 0 {
			t.Errorf("%s: %d errors: %v", row.Name, row.Errors, row.Samples)
		}
		if !strings.Contains(out.String(), "| "+row.Name+" ") {
			t.Errorf("the table has no row %q", row.Name)
		}
	}
	imp := rep.Import
	switch {
	case imp == nil:
		t.Fatal("no import")
	case len(imp.Problems) > 0 || imp.TimedOut:
		t.Errorf("import problems: %v", imp.Problems)
	case imp.Users < 200 || imp.Seen != imp.Users || imp.Pages != (imp.Users+99)/100:
		t.Errorf("import saw %d of %d users in %d pages", imp.Seen, imp.Users, imp.Pages)
	}
	if rep.Failed() {
		t.Error("the report says it failed")
	}
	if rep.PeakRSSMB <= 0 || rep.Seed <= 0 {
		t.Errorf("peak RSS %.1f MB, seeding %s", rep.PeakRSSMB, rep.Seed)
	}
	for _, line := range []string{"| operation ", "| full import ", "- import: ", "- seeding: 200 users", "- server peak RSS", "GOMAXPROCS"} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("the report lacks %q", line)
		}
	}

	b, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	var j jsonReport
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Operations) != len(want) || j.Import == nil || j.Users != 200 {
		t.Errorf("JSON report: %d operations, import %v, users %d", len(j.Operations), j.Import, j.Users)
	}
	for i, op := range j.Operations {
		if measured := op.ServerCPUUS > 0; measured != (i != 1) {
			t.Errorf("JSON report: %s has server CPU %.0f µs/request (the in-process baseline has none, every other row some)", op.Name, op.ServerCPUUS)
		}
		if i == 0 && op.Ratio != 1 {
			t.Errorf("JSON report: the baseline's ratio to itself is %.2f", op.Ratio)
		}
	}
}

// TestBenchOnlyMatchingNothing checks that an --only that names no
// operation is an error before anything is seeded.
func TestBenchOnlyMatchingNothing(t *testing.T) {
	_, err := run(t.Context(), config{Users: 1_000_000, Clients: 1, Duration: time.Second, Batch: 1, Only: "DELETE", Progress: testLog{t}})
	if err == nil || !strings.Contains(err.Error(), `--only "DELETE" matches no operation`) {
		t.Fatalf("run with --only DELETE: %v, want an error naming the operations", err)
	}
}

// TestBulkCreateUsersRowsAsCreateUser checks that BulkCreateUsers stores
// exactly the rows CreateUser stores (every column but the internal pk,
// the user_emails rows, the count), on every configured backend, and that
// a conflict in a batch writes nothing.
func TestBulkCreateUsersRowsAsCreateUser(t *testing.T) {
	for _, b := range testbackend.All(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := t.Context()
			now := time.Now().UTC()
			users := make([]birdie.User, 3)
			for i := range users {
				u, err := newUser(i, now.Add(time.Duration(i)*time.Millisecond))
				if err != nil {
					t.Fatal(err)
				}
				users[i] = u
			}

			one, bulk := b.Open(t).(*sqlstore.Store), b.Open(t).(*sqlstore.Store)
			wsOne, err := one.CreateWorkspace(ctx, "bench", "Bench")
			if err != nil {
				t.Fatal(err)
			}
			wsBulk, err := bulk.CreateWorkspace(ctx, "bench", "Bench")
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users {
				if err := one.CreateUser(ctx, wsOne.ID, u); err != nil {
					t.Fatal(err)
				}
			}
			if err := bulk.BulkCreateUsers(ctx, wsBulk.ID, users); err != nil {
				t.Fatal(err)
			}
			if got, want := dumpUsers(t, bulk), dumpUsers(t, one); got != want {
				t.Errorf("BulkCreateUsers stored\n%s\nCreateUser stored\n%s", got, want)
			}
			for _, u := range users {
				got, err := bulk.User(ctx, wsBulk.ID, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.UserName != u.UserName || got.Email != u.Email || !got.Created.Equal(u.Created.Truncate(time.Microsecond)) {
					t.Errorf("read back %+v, stored %+v", got, u)
				}
			}

			// A batch with a taken userName: ECONFLICT, nothing written.
			again, err := newUser(1, now)
			if err != nil {
				t.Fatal(err)
			}
			fresh, err := newUser(7, now)
			if err != nil {
				t.Fatal(err)
			}
			err = bulk.BulkCreateUsers(ctx, wsBulk.ID, []birdie.User{fresh, again})
			if birdie.ErrorCode(err) != birdie.ECONFLICT {
				t.Fatalf("duplicate userName in a batch: %v, want ECONFLICT", err)
			}
			page, err := bulk.ListUsers(ctx, wsBulk.ID, birdie.UserQuery{Count: 10})
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != len(users) || len(page.Users) != len(users) {
				t.Errorf("after a failed batch: total %d, %d users; want %d", page.Total, len(page.Users), len(users))
			}
			if err := bulk.BulkCreateUsers(ctx, wsBulk.ID, nil); err != nil {
				t.Errorf("empty batch: %v", err)
			}
		})
	}
}

// dumpUsers prints every column of every users and user_emails row but
// the generated pk, in id order.
func dumpUsers(t *testing.T, s *sqlstore.Store) string {
	t.Helper()
	var b strings.Builder
	q := func(query string, n int) {
		rows, err := s.Writer().QueryContext(context.Background(), query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			vals := make([]any, n)
			ptrs := make([]any, n)
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%v\t", v)
			}
			b.WriteString("\n")
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	q(`SELECT workspace_id, id, user_name, user_name_key, external_id, display_name, active, email, email_key,
		email_values, attributes, created, last_modified, version FROM users ORDER BY id`, 14)
	q(`SELECT u.id, e.workspace_id, e.value_key FROM user_emails e JOIN users u ON u.pk = e.user_pk ORDER BY u.id, e.value_key`, 3)
	return b.String()
}

// testLog sends the bench's progress lines to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
