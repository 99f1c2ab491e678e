package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"birdie"
	"birdie/sqlite"
	"birdie/sqlstore"
	"birdie/storetest"
)

// openTemp opens a store on a fresh file in a temporary directory.
func openTemp(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "birdie.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openWithWorkspace is openTemp with one workspace, "acme", in it.
func openWithWorkspace(t testing.TB) (*sqlstore.Store, birdie.Workspace) {
	t.Helper()
	s := openTemp(t)
	ws, err := s.CreateWorkspace(context.Background(), "acme", "Acme")
	if err != nil {
		t.Fatal(err)
	}
	return s, ws
}

func TestConformance(t *testing.T) {
	storetest.RunTests(t, func(t *testing.T) birdie.Store { return openTemp(t) })
}

func TestPath(t *testing.T) {
	for dsn, want := range map[string]string{
		"birdie.db":                    "birdie.db",
		"/var/lib/birdie/birdie.db":    "/var/lib/birdie/birdie.db",
		"sqlite:birdie.db":             "birdie.db",
		"sqlite:/var/lib/birdie.db":    "/var/lib/birdie.db",
		"sqlite://birdie.db":           "birdie.db",
		"sqlite:///var/lib/birdie.db":  "/var/lib/birdie.db",
		"sqlite:///tmp/a b?c#d%20e.db": "/tmp/a b?c#d%20e.db",
	} {
		got, err := sqlite.Path(dsn)
		if err != nil || got != want {
			t.Errorf("Path(%q) = %q, %v; want %q", dsn, got, err, want)
		}
	}
	for _, dsn := range []string{"", "sqlite:", "sqlite://", ":memory:", "sqlite::memory:", "file:x.db?mode=memory"} {
		if _, err := sqlite.Path(dsn); err == nil {
			t.Errorf("Path(%q) accepted it", dsn)
		}
	}
}

// TestOddPath checks that a path with URI-special characters names that
// very file.
func TestOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a b?c#d%20e.db")
	s, err := sqlite.Open(t.Context(), "sqlite://"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateWorkspace(t.Context(), "x", "X"); err != nil {
		t.Fatal(err)
	}
	var file string
	if err := s.Reader().QueryRow("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&file); err != nil {
		t.Fatal(err)
	}
	if file != path {
		t.Errorf("database file is %q, want %q", file, path)
	}
}

func TestPragmas(t *testing.T) {
	s := openTemp(t)
	for _, c := range []struct {
		db     *sql.DB
		pragma string
		want   string
	}{
		{s.Writer(), "journal_mode", "wal"},
		{s.Writer(), "synchronous", "1"}, // NORMAL
		{s.Writer(), "foreign_keys", "1"},
		{s.Writer(), "busy_timeout", "10000"},
		{s.Writer(), "temp_store", "2"}, // MEMORY: savepoint sub-journals without file writes
		{s.Reader(), "query_only", "1"},
		{s.Reader(), "busy_timeout", "10000"},
		{s.Writer(), "cache_size", fmt.Sprint(-sqlite.WriterCacheKiB)},
		{s.Reader(), "cache_size", fmt.Sprint(-sqlite.ReaderCacheKiB)},
	} {
		var got string
		if err := c.db.QueryRow("PRAGMA " + c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !strings.EqualFold(got, c.want) {
			t.Errorf("PRAGMA %s = %s, want %s", c.pragma, got, c.want)
		}
	}
}

func TestMigrate(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "birdie.db")
	applied, err := sqlite.Migrate(ctx, path)
	if err != nil || len(applied) == 0 || applied[0] != "0001_init.sql" {
		t.Fatalf("Migrate on a new file applied %v, %v", applied, err)
	}
	applied, err = sqlite.Migrate(ctx, path)
	if err != nil || len(applied) != 0 {
		t.Fatalf("Migrate on a current file applied %v, %v", applied, err)
	}

	// A schema from the future is refused with a message saying what to do.
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Writer().Exec(`INSERT INTO schema_migrations (version, name, applied) VALUES (999, '0999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = sqlite.Open(ctx, path)
	if !errors.Is(err, sqlstore.ErrSchemaTooNew) || !strings.Contains(err.Error(), "database schema version 999 is newer than this birdie binary supports") || !strings.Contains(err.Error(), "upgrade birdie") {
		t.Errorf("Open of a newer schema: %v", err)
	}
}

// TestReopen checks that data survives closing and reopening.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "birdie.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateWorkspace(ctx, "keep", "Keep"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Workspace(ctx, "keep"); err != nil {
		t.Fatal(err)
	}
}

// TestPruneLogsDeletesUserMinutes checks that pruning also empties
// provisioning_log_users of the minutes it removed, which no query through
// the Store can see (the entries are gone either way) but which would
// otherwise grow forever.
func TestPruneLogsDeletesUserMinutes(t *testing.T) {
	s, ws := openWithWorkspace(t)
	ctx := t.Context()
	cutoff := time.Now().Add(-30 * 24 * time.Hour)
	var entries []birdie.LogEntry
	for i := range 1500 { // more than one pruning chunk
		entries = append(entries, birdie.LogEntry{WorkspaceID: ws.ID, Time: cutoff.Add(-time.Duration(i+2) * time.Minute),
			Method: "GET", Path: "/scim/v2/Users/x", Operation: birdie.OpRead, UserID: fmt.Sprint("id", i%700), UserName: fmt.Sprint("u", i%500), Status: 200})
	}
	entries = append(entries, birdie.LogEntry{WorkspaceID: ws.ID, Time: time.Now(), Method: "GET", Path: "/new", Operation: birdie.OpRead, UserID: "id1", Status: 200})
	if err := s.AppendLog(ctx, entries); err != nil {
		t.Fatal(err)
	}
	count := func() (n int) {
		if err := s.Reader().QueryRowContext(ctx, "SELECT count(*) FROM provisioning_log_users").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 3001 {
		t.Fatalf("%d rows in provisioning_log_users before pruning, want 3001 (two per old entry, one for the new)", n)
	}
	if _, err := s.PruneLogs(ctx, cutoff); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("%d rows in provisioning_log_users after pruning, want 1 (the new entry's minute)", n)
	}
}

// TestManyQueryShapes lists with more distinct query texts than the store
// keeps prepared statements for (sqlstore/stmtcache.go): every filter
// attribute, sort key, direction and number of OR-ed terms makes a new
// text, and every one must still answer right, prepared or not.
func TestManyQueryShapes(t *testing.T) {
	s, ws := openWithWorkspace(t)
	ctx := t.Context()
	now := time.Now().UTC()
	users := make([]birdie.User, 3)
	for i := range users {
		users[i] = benchUser(i, now)
		if err := s.CreateUser(ctx, ws.ID, users[i]); err != nil {
			t.Fatal(err)
		}
	}
	value := map[string]func(u birdie.User) string{
		"userName":    func(u birdie.User) string { return u.UserName },
		"externalId":  func(u birdie.User) string { return u.ExternalID },
		"displayName": func(u birdie.User) string { return u.DisplayName },
		"id":          func(u birdie.User) string { return u.ID },
	}
	sorts := []string{birdie.SortID, birdie.SortUserName, birdie.SortExternalID, birdie.SortDisplayName,
		birdie.SortEmail, birdie.SortCreated, birdie.SortLastModified, birdie.SortActive}
	shapes := 0
	for attr, val := range value {
		for _, sortBy := range sorts {
			for _, desc := range []bool{false, true} {
				var f birdie.Filter
				for terms := 1; terms <= 8; terms++ {
					eq := birdie.Compare{Path: birdie.AttrPath{Attr: attr}, Op: birdie.OpEq, Value: val(users[(terms-1)%3])}
					if f == nil {
						f = eq
					} else {
						f = birdie.Or{Left: f, Right: eq}
					}
					page, err := s.ListUsers(ctx, ws.ID, birdie.UserQuery{Filter: f, SortBy: sortBy, Descending: desc, Count: 10})
					if err != nil {
						t.Fatalf("%s, %d terms, sorted by %s: %v", attr, terms, sortBy, err)
					}
					if want := min(terms, 3); page.Total != want || len(page.Users) != want {
						t.Fatalf("%s, %d terms, sorted by %s: total %d, %d users; want %d", attr, terms, sortBy, page.Total, len(page.Users), want)
					}
					shapes++
				}
			}
		}
	}
	if shapes < 2*256 {
		t.Fatalf("only %d queries: too few to fill the cache of 256 texts and go past it", shapes)
	}
}

// TestWritesAfterClose checks that writes racing with Close fail at once
// with an error, instead of waiting for a batcher that has stopped.
func TestWritesAfterClose(t *testing.T) {
	s, ws := openWithWorkspace(t)
	ctx := t.Context()
	now := time.Now().UTC()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			err := s.CreateUser(wctx, ws.ID, benchUser(i, now))
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("write %d still waiting 30 s after Close", i)
			} else {
				err = nil
			}
			errs <- err
		})
		if i == 10 {
			s.Close()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestBatchWithFailingWrites queues writes while the writer is held by an
// update, so that they run as one group-commit batch when it is released:
// the writes that fail (a taken userName, a refused update, a panicking
// update, a bulk create that fails after writing its first user) are
// rolled back to their savepoints and answered with their own error, and
// the others commit.
func TestBatchWithFailingWrites(t *testing.T) {
	s, ws := openWithWorkspace(t)
	ctx := t.Context()
	now := time.Now().UTC()
	held := benchUser(0, now)
	if err := s.CreateUser(ctx, ws.ID, held); err != nil {
		t.Fatal(err)
	}
	inside, release := make(chan struct{}), make(chan struct{})
	holderErr := make(chan error, 1)
	go func() {
		_, err := s.UpdateUser(ctx, ws.ID, held.ID, func(u *birdie.User) error {
			close(inside)
			<-release
			u.DisplayName = "held"
			return nil
		})
		holderErr <- err
	}()
	<-inside

	refused := errors.New("refused by the update function")
	dup := benchUser(1, now)
	dup.UserName, dup.Attributes["userName"] = held.UserName, held.UserName
	writes := []struct {
		name string
		run  func() error
		want func(error) bool
	}{
		{"create 2", func() error { return s.CreateUser(ctx, ws.ID, benchUser(2, now)) }, func(err error) bool { return err == nil }},
		{"create with a taken userName", func() error { return s.CreateUser(ctx, ws.ID, dup) },
			func(err error) bool { return birdie.ErrorCode(err) == birdie.ECONFLICT }},
		{"create 3", func() error { return s.CreateUser(ctx, ws.ID, benchUser(3, now)) }, func(err error) bool { return err == nil }},
		{"refused update", func() error {
			_, err := s.UpdateUser(ctx, ws.ID, held.ID, func(*birdie.User) error { return refused })
			return err
		}, func(err error) bool { return err == refused }},
		{"panicking update", func() (err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("panicked: %v", p)
				}
			}()
			_, err = s.UpdateUser(ctx, ws.ID, held.ID, func(*birdie.User) error { panic("boom") })
			return err
		}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "panicked: boom") }},
		{"create 4", func() error { return s.CreateUser(ctx, ws.ID, benchUser(4, now)) }, func(err error) bool { return err == nil }},
		// Fails after writing user 5: its savepoint must be rolled back.
		{"bulk create of 5 and a taken userName", func() error { return s.BulkCreateUsers(ctx, ws.ID, []birdie.User{benchUser(5, now), dup}) },
			func(err error) bool { return birdie.ErrorCode(err) == birdie.ECONFLICT }},
	}
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Go(func() { errs[i] = w.run() })
	}
	// Give the writes time to queue behind the held writer; should one
	// not have queued yet, it runs in a later batch and the checks below
	// still hold.
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	if err := <-holderErr; err != nil {
		t.Fatalf("the holding update: %v", err)
	}
	for i, w := range writes {
		if !w.want(errs[i]) {
			t.Errorf("%s: got %v", w.name, errs[i])
		}
	}
	page, err := s.ListUsers(ctx, ws.ID, birdie.UserQuery{Count: 100})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 4 || len(page.Users) != 4 {
		t.Errorf("the workspace has %d users (%d listed), want 4: the held one and creates 2, 3, 4 (not the bulk create's user 5)", page.Total, len(page.Users))
	}
	got, err := s.User(ctx, ws.ID, held.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.DisplayName != "held" || got.Version != held.Version+1 {
		t.Errorf("held user: displayName %q, version %d; want %q, %d (only the holding update may have landed)", got.DisplayName, got.Version, "held", held.Version+1)
	}
}
