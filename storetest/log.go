package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"birdie"
)

// logEntry returns an entry of workspace ws at time at; change adjusts it.
func logEntry(ws int64, at time.Time, change func(*birdie.LogEntry)) birdie.LogEntry {
	e := birdie.LogEntry{
		WorkspaceID: ws, Time: at, TokenID: "tok_0123456789abcdef", Method: "GET", Path: "/scim/v2/Users",
		Operation: birdie.OpList, Status: 200, Duration: 1500 * time.Microsecond, Client: "Okta SCIM Client 1.0.0",
	}
	if change != nil {
		change(&e)
	}
	return e
}

// logPaths returns the Path of each entry, which tests make unique.
func logPaths(list []birdie.LogEntry) []string {
	var out []string
	for _, e := range list {
		out = append(out, e.Path)
	}
	return out
}

func wantLog(t *testing.T, s birdie.Store, ws int64, q birdie.LogQuery, want []string, what string) []birdie.LogEntry {
	t.Helper()
	list, err := s.Logs(ctx(t), ws, q)
	must(t, err, what)
	if got := logPaths(list); !slices.Equal(got, want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
	return list
}

func testLogAppendAndQuery(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	other := newWorkspace(t, s, "other")
	t0 := now().Add(-time.Hour)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	const jane = "0190c0de-0000-7000-8000-00000000000a"

	must(t, s.AppendLog(ctx(t), nil), "AppendLog of no entries")
	// Appended out of time order, as requests of different lengths end.
	batch := []birdie.LogEntry{
		logEntry(ws.ID, at(0), func(e *birdie.LogEntry) { e.Path = "/list0" }),
		logEntry(ws.ID, at(2), func(e *birdie.LogEntry) {
			e.Path, e.Method, e.Operation, e.Status = "/create2", "POST", birdie.OpCreate, 201
			e.UserID, e.UserName = jane, "Jane.Doe@Example.com"
			e.Body = `{"userName":"Jane.Doe@Example.com","password":"[redacted]"}`
		}),
		logEntry(ws.ID, at(1), func(e *birdie.LogEntry) {
			e.Path, e.Status, e.ScimType, e.Detail = "/filter1", 400, "invalidFilter", `unknown operator "zz"`
		}),
		logEntry(ws.ID, at(3), func(e *birdie.LogEntry) {
			e.Path, e.Method, e.Operation, e.Status, e.UserID = "/read3", "GET", birdie.OpRead, 404, birdie.NewID()
			e.Detail = "user not found"
		}),
		logEntry(ws.ID, at(4), func(e *birdie.LogEntry) {
			e.Path, e.Method, e.Operation, e.Status, e.UserID, e.UserName = "/patch4", "PATCH", birdie.OpPatch, 200, jane, "jane.doe@example.com"
		}),
		logEntry(other.ID, at(2), func(e *birdie.LogEntry) {
			e.Path, e.UserID, e.UserName, e.Status = "/other", jane, "Jane.Doe@Example.com", 500
		}),
	}
	must(t, s.AppendLog(ctx(t), batch), "AppendLog")
	must(t, s.AppendLog(ctx(t), []birdie.LogEntry{logEntry(ws.ID, at(5), func(e *birdie.LogEntry) { e.Path = "/list5" })}), "AppendLog of one entry")

	all := wantLog(t, s, ws.ID, birdie.LogQuery{}, []string{"/list0", "/filter1", "/create2", "/read3", "/patch4", "/list5"}, "Logs, no conditions (time order)")
	if len(all) == 6 {
		got, want := all[2], batch[1]
		want.ID = got.ID
		if got.Time.Equal(want.Time) {
			want.Time = got.Time // same instant; == compares representations
		}
		if got != want {
			t.Errorf("Logs returned\n%+v\nwant\n%+v", got, want)
		}
		if all[1].ID <= all[0].ID || all[5].ID <= all[4].ID || all[2].ID <= all[0].ID {
			t.Errorf("IDs do not increase in the order entries were appended: %v", logIDs(all))
		}
	}
	wantLog(t, s, ws.ID, birdie.LogQuery{Since: at(3)}, []string{"/read3", "/patch4", "/list5"}, "Since (inclusive)")
	wantLog(t, s, ws.ID, birdie.LogQuery{FailedOnly: true}, []string{"/filter1", "/read3"}, "FailedOnly")
	wantLog(t, s, ws.ID, birdie.LogQuery{User: jane}, []string{"/create2", "/patch4"}, "User by id")
	wantLog(t, s, ws.ID, birdie.LogQuery{User: "JANE.doe@EXAMPLE.COM"}, []string{"/create2", "/patch4"}, "User by userName, case-insensitively")
	wantLog(t, s, ws.ID, birdie.LogQuery{User: "nobody"}, nil, "User unknown")
	wantLog(t, s, ws.ID, birdie.LogQuery{User: jane, FailedOnly: true}, nil, "User and FailedOnly")
	wantLog(t, s, ws.ID, birdie.LogQuery{FailedOnly: true, Since: at(2)}, []string{"/read3"}, "FailedOnly and Since")

	// Limit keeps the most recent, returned in time order.
	wantLog(t, s, ws.ID, birdie.LogQuery{Limit: 2}, []string{"/patch4", "/list5"}, "Limit 2")
	wantLog(t, s, ws.ID, birdie.LogQuery{Since: at(1), Limit: 3}, []string{"/read3", "/patch4", "/list5"}, "Since and Limit")

	// AfterID follows in the order entries were appended.
	if len(all) == 6 {
		wantLog(t, s, ws.ID, birdie.LogQuery{AfterID: all[0].ID}, []string{"/create2", "/filter1", "/read3", "/patch4", "/list5"}, "AfterID (append order)")
		wantLog(t, s, ws.ID, birdie.LogQuery{AfterID: all[0].ID, Limit: 2}, []string{"/create2", "/filter1"}, "AfterID and Limit: the first after it")
		wantLog(t, s, ws.ID, birdie.LogQuery{AfterID: all[5].ID}, nil, "AfterID of the last entry")
		wantLog(t, s, ws.ID, birdie.LogQuery{AfterID: all[0].ID, FailedOnly: true}, []string{"/filter1", "/read3"}, "AfterID and FailedOnly")
	}

	// Tenant isolation: the other workspace sees only its own entry, even
	// about a user with the same id and userName.
	wantLog(t, s, other.ID, birdie.LogQuery{}, []string{"/other"}, "the other workspace's log")
	wantLog(t, s, other.ID, birdie.LogQuery{User: "jane.doe@example.com"}, []string{"/other"}, "the other workspace's log by userName")

	_, err := s.Logs(ctx(t), 987654, birdie.LogQuery{})
	wantCode(t, err, birdie.ENOTFOUND, "Logs of an unknown workspace")

	// A batch naming an unknown workspace is refused whole.
	err = s.AppendLog(ctx(t), []birdie.LogEntry{
		logEntry(ws.ID, at(6), func(e *birdie.LogEntry) { e.Path = "/refused" }),
		logEntry(987654, at(6), nil),
	})
	wantCode(t, err, birdie.ENOTFOUND, "AppendLog naming an unknown workspace")
	wantLog(t, s, ws.ID, birdie.LogQuery{Since: at(6)}, nil, "after a refused batch")
}

// testLogUserAcrossMinutes queries one user's entries spread over more
// minutes than one read of a store's per-user index returns, among other
// users' entries in the same minutes, and after a refused batch about the
// same user and minute (which a store must not remember as written).
func testLogUserAcrossMinutes(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	other := newWorkspace(t, s, "other")
	const jane, bob = "0190c0de-0000-7000-8000-0000000000aa", "0190c0de-0000-7000-8000-0000000000bb"
	t0 := now().Add(-24 * time.Hour).Truncate(time.Minute)
	const minutes = 150
	var batch, want []birdie.LogEntry
	for m := range minutes {
		at := t0.Add(time.Duration(m)*time.Minute + 30*time.Second)
		// Jane by id (a read), Bob in the same second, then Jane by
		// userName only (a failed create, no id) every third minute.
		batch = append(batch,
			logEntry(ws.ID, at, func(e *birdie.LogEntry) {
				e.Path, e.Operation, e.UserID, e.UserName = fmt.Sprintf("/jane%d", m), birdie.OpRead, jane, "jane@example.com"
			}),
			logEntry(ws.ID, at, func(e *birdie.LogEntry) {
				e.Path, e.Operation, e.UserID, e.UserName = fmt.Sprintf("/bob%d", m), birdie.OpRead, bob, "bob@example.com"
			}))
		want = append(want, batch[len(batch)-2])
		if m%3 == 0 {
			batch = append(batch, logEntry(ws.ID, at.Add(time.Second), func(e *birdie.LogEntry) {
				e.Path, e.Method, e.Operation, e.UserName, e.Status = fmt.Sprintf("/jane-create%d", m), "POST", birdie.OpCreate, "Jane@Example.com", 409
			}))
			want = append(want, batch[len(batch)-1])
		}
	}
	must(t, s.AppendLog(ctx(t), batch), "AppendLog")
	must(t, s.AppendLog(ctx(t), []birdie.LogEntry{logEntry(other.ID, t0, func(e *birdie.LogEntry) {
		e.Path, e.UserID, e.UserName = "/other-jane", jane, "jane@example.com"
	})}), "AppendLog in the other workspace")

	paths := logPaths(want)
	wantLog(t, s, ws.ID, birdie.LogQuery{User: "JANE@example.com", Limit: 1000}, paths, "by userName: every entry, in time order")
	var byID []string
	for _, p := range paths {
		if !strings.Contains(p, "create") {
			byID = append(byID, p)
		}
	}
	wantLog(t, s, ws.ID, birdie.LogQuery{User: jane, Limit: 1000}, byID, "by id")
	wantLog(t, s, ws.ID, birdie.LogQuery{User: "jane@example.com", Limit: 3}, paths[len(paths)-3:], "by userName, Limit 3: the newest")
	since := t0.Add(100 * time.Minute)
	var recent []string
	for _, e := range want {
		if !e.Time.Before(since) {
			recent = append(recent, e.Path)
		}
	}
	wantLog(t, s, ws.ID, birdie.LogQuery{User: "jane@example.com", Since: since, Limit: 1000}, recent, "by userName since minute 100")
	wantLog(t, s, ws.ID, birdie.LogQuery{User: "bob@example.com", Limit: 2}, []string{fmt.Sprintf("/bob%d", minutes-2), fmt.Sprintf("/bob%d", minutes-1)}, "Bob, Limit 2")
	wantLog(t, s, other.ID, birdie.LogQuery{User: jane}, []string{"/other-jane"}, "the other workspace, by id")

	// A refused batch about a new user leaves nothing behind; the same
	// entry appended again is found.
	at := now()
	carol := func(e *birdie.LogEntry) { e.Path, e.UserID, e.UserName = "/carol", birdie.NewID(), "carol@example.com" }
	err := s.AppendLog(ctx(t), []birdie.LogEntry{logEntry(ws.ID, at, carol), logEntry(987654, at, nil)})
	wantCode(t, err, birdie.ENOTFOUND, "AppendLog naming an unknown workspace")
	wantLog(t, s, ws.ID, birdie.LogQuery{User: "carol@example.com"}, nil, "after the refused batch")
	must(t, s.AppendLog(ctx(t), []birdie.LogEntry{logEntry(ws.ID, at, carol)}), "AppendLog again")
	wantLog(t, s, ws.ID, birdie.LogQuery{User: "carol@example.com"}, []string{"/carol"}, "after appending again")
}

func logIDs(list []birdie.LogEntry) []int64 {
	var out []int64
	for _, e := range list {
		out = append(out, e.ID)
	}
	return out
}

// testLogBounds checks that entries are stored bounded: long texts cut,
// invalid UTF-8 and NUL bytes replaced (PostgreSQL refuses both).
func testLogBounds(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	long := strings.Repeat("é", 20<<10) // 40 KiB of two-byte runes
	e := logEntry(ws.ID, now(), func(e *birdie.LogEntry) {
		e.Path = "/scim/v2/Users/\x00\xff" + long
		e.Detail, e.Body, e.Client, e.UserName = long, long, long, "bad\xffname"
	})
	must(t, s.AppendLog(ctx(t), []birdie.LogEntry{e}), "AppendLog of an oversized entry")
	list, err := s.Logs(ctx(t), ws.ID, birdie.LogQuery{})
	must(t, err, "Logs")
	if len(list) != 1 {
		t.Fatalf("Logs returned %d entries, want 1", len(list))
	}
	got := list[0]
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"Path", got.Path, birdie.MaxLogText},
		{"Client", got.Client, birdie.MaxLogText},
		{"Detail", got.Detail, birdie.MaxLogDetail},
		{"Body", got.Body, birdie.MaxLogBody},
		{"UserName", got.UserName, birdie.MaxLogText},
	} {
		if len(f.value) > f.max || !utf8.ValidString(f.value) || strings.Contains(f.value, "\x00") {
			t.Errorf("%s stored as %d bytes (valid UTF-8 %v, NUL %v), want at most %d bytes of valid UTF-8 without NUL",
				f.name, len(f.value), utf8.ValidString(f.value), strings.Contains(f.value, "\x00"), f.max)
		}
	}
	if !strings.HasSuffix(got.Body, "…") || len(got.Body) < birdie.MaxLogBody-8 {
		t.Errorf("Body cut to %d bytes ending %q, want close to %d ending in …", len(got.Body), got.Body[max(0, len(got.Body)-8):], birdie.MaxLogBody)
	}
	if !strings.HasPrefix(got.Path, "/scim/v2/Users/") {
		t.Errorf("Path stored as %q…", got.Path[:min(len(got.Path), 40)])
	}
	if got.UserName != "bad\uFFFDname" {
		t.Errorf("UserName stored as %q, want the invalid byte replaced", got.UserName)
	}
}

func testPruneLogs(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	other := newWorkspace(t, s, "other")
	cutoff := now().Add(-30 * 24 * time.Hour)
	// More old entries in ws than one pruning statement deletes.
	const old = 2200
	var batch []birdie.LogEntry
	for i := range old {
		w := ws.ID
		if i%4 == 0 {
			w = other.ID
		}
		batch = append(batch, logEntry(w, cutoff.Add(-time.Duration(i+1)*time.Second), func(e *birdie.LogEntry) { e.Path = fmt.Sprintf("/old%d", i) }))
	}
	batch = append(batch,
		logEntry(ws.ID, cutoff, func(e *birdie.LogEntry) { e.Path = "/at-cutoff" }),
		logEntry(ws.ID, now(), func(e *birdie.LogEntry) { e.Path = "/new" }),
		logEntry(other.ID, now(), func(e *birdie.LogEntry) { e.Path = "/other-new" }),
	)
	must(t, s.AppendLog(ctx(t), batch), "AppendLog")
	before, err := s.Logs(ctx(t), ws.ID, birdie.LogQuery{Limit: 1})
	must(t, err, "Logs")

	n, err := s.PruneLogs(ctx(t), cutoff)
	must(t, err, "PruneLogs")
	if n != old {
		t.Errorf("PruneLogs deleted %d entries, want %d", n, old)
	}
	wantLog(t, s, ws.ID, birdie.LogQuery{Limit: 10000}, []string{"/at-cutoff", "/new"}, "after PruneLogs")
	wantLog(t, s, other.ID, birdie.LogQuery{Limit: 10000}, []string{"/other-new"}, "the other workspace after PruneLogs")
	n, err = s.PruneLogs(ctx(t), cutoff)
	must(t, err, "PruneLogs again")
	if n != 0 {
		t.Errorf("PruneLogs again deleted %d entries, want 0", n)
	}

	// IDs keep increasing after every entry was pruned, and an entry about
	// a user in a minute whose entries were pruned is found by user.
	at := now()
	jane := func(path string) func(*birdie.LogEntry) {
		return func(e *birdie.LogEntry) {
			e.Path, e.UserID, e.UserName = path, "0190c0de-0000-7000-8000-0000000000cc", "jane@example.com"
		}
	}
	must(t, s.AppendLog(ctx(t), []birdie.LogEntry{logEntry(ws.ID, at, jane("/pruned"))}), "AppendLog")
	_, err = s.PruneLogs(ctx(t), now().Add(time.Hour))
	must(t, err, "PruneLogs of everything")
	must(t, s.AppendLog(ctx(t), []birdie.LogEntry{logEntry(ws.ID, at, jane("/after"))}), "AppendLog")
	list := wantLog(t, s, ws.ID, birdie.LogQuery{}, []string{"/after"}, "after pruning everything")
	wantLog(t, s, ws.ID, birdie.LogQuery{User: "jane@example.com"}, []string{"/after"}, "by user, in a minute pruned before")
	wantLog(t, s, ws.ID, birdie.LogQuery{User: "jane\x00@example.com"}, nil, "by a user name no entry can hold")
	if len(list) == 1 && len(before) == 1 && list[0].ID <= before[0].ID {
		t.Errorf("an entry appended after pruning got ID %d, not above the earlier %d: a follower would miss it", list[0].ID, before[0].ID)
	}
}

func testWorkspaceDebug(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	newWorkspace(t, s, "other")
	if !ws.DebugUntil.IsZero() {
		t.Errorf("a new workspace has DebugUntil %v, want zero (off)", ws.DebugUntil)
	}
	secret, tok := birdie.NewToken(ws.ID, now())
	must(t, s.CreateToken(ctx(t), tok), "CreateToken")

	until := now().Add(time.Hour)
	got, err := s.SetWorkspaceDebug(ctx(t), "acme", until)
	must(t, err, "SetWorkspaceDebug")
	if got.ID != ws.ID || got.Slug != "acme" || !got.DebugUntil.Equal(until) || !got.Created.Equal(ws.Created) {
		t.Errorf("SetWorkspaceDebug returned %+v, want workspace %d with DebugUntil %v", got, ws.ID, until)
	}
	read, err := s.Workspace(ctx(t), "acme")
	must(t, err, "Workspace")
	if !read.DebugUntil.Equal(until) || !read.Debugging(now()) {
		t.Errorf("Workspace after SetWorkspaceDebug: DebugUntil %v, want %v", read.DebugUntil, until)
	}
	list, err := s.Workspaces(ctx(t))
	must(t, err, "Workspaces")
	for _, w := range list {
		if want := map[string]time.Time{"acme": until}[w.Slug]; !w.DebugUntil.Equal(want) {
			t.Errorf("Workspaces: %s has DebugUntil %v, want %v", w.Slug, w.DebugUntil, want)
		}
	}
	// The server learns the switch with the token.
	tk, err := s.TokenByHash(ctx(t), birdie.HashToken(secret))
	must(t, err, "TokenByHash")
	if !tk.WorkspaceDebugUntil.Equal(until) {
		t.Errorf("TokenByHash: WorkspaceDebugUntil %v, want the workspace's %v", tk.WorkspaceDebugUntil, until)
	}
	toks, err := s.Tokens(ctx(t), ws.ID)
	must(t, err, "Tokens")
	if len(toks) != 1 || !toks[0].WorkspaceDebugUntil.Equal(until) {
		t.Errorf("Tokens: %+v, want one token with WorkspaceDebugUntil %v", toks, until)
	}
	if o, err := s.Workspace(ctx(t), "other"); err != nil || !o.DebugUntil.IsZero() {
		t.Errorf("the other workspace: %+v, %v; want its switch off", o, err)
	}

	off, err := s.SetWorkspaceDebug(ctx(t), "acme", time.Time{})
	must(t, err, "SetWorkspaceDebug off")
	if !off.DebugUntil.IsZero() || off.Debugging(now()) {
		t.Errorf("SetWorkspaceDebug off returned DebugUntil %v, want zero", off.DebugUntil)
	}
	tk, err = s.TokenByHash(ctx(t), birdie.HashToken(secret))
	must(t, err, "TokenByHash")
	if !tk.WorkspaceDebugUntil.IsZero() {
		t.Errorf("TokenByHash after switching off: WorkspaceDebugUntil %v, want zero", tk.WorkspaceDebugUntil)
	}

	_, err = s.SetWorkspaceDebug(ctx(t), "nope", until)
	wantCode(t, err, birdie.ENOTFOUND, "SetWorkspaceDebug of an unknown slug")
}

// testPruneLogBodies: the bodies of entries older than the cutoff are
// removed, in every workspace and more than one statement's worth; the
// entries stay whole otherwise, and newer bodies are kept.
func testPruneLogBodies(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	other := newWorkspace(t, s, "other")
	cutoff := now().Add(-7 * 24 * time.Hour)
	const old = 2100 // in ws, more than one pruning statement changes
	var batch []birdie.LogEntry
	for i := range old {
		w := ws.ID
		if i%4 == 0 {
			w = other.ID
		}
		batch = append(batch, logEntry(w, cutoff.Add(-time.Duration(i+1)*time.Second), func(e *birdie.LogEntry) {
			e.Path, e.Body = fmt.Sprintf("/old%d", i), fmt.Sprintf(`{"userName":"u%d@example.com"}`, i)
		}))
	}
	batch = append(batch,
		logEntry(ws.ID, cutoff.Add(-time.Hour), func(e *birdie.LogEntry) { e.Path = "/old-without-body" }),
		logEntry(ws.ID, cutoff, func(e *birdie.LogEntry) { e.Path, e.Body = "/at-cutoff", `{"a":1}` }),
		logEntry(ws.ID, now(), func(e *birdie.LogEntry) { e.Path, e.Body = "/new", `{"b":2}` }),
		logEntry(other.ID, now(), func(e *birdie.LogEntry) { e.Path, e.Body = "/other-new", `{"c":3}` }),
	)
	must(t, s.AppendLog(ctx(t), batch), "AppendLog")

	n, err := s.PruneLogBodies(ctx(t), cutoff)
	must(t, err, "PruneLogBodies")
	if n != old {
		t.Errorf("PruneLogBodies changed %d entries, want %d", n, old)
	}
	entries := 0
	for _, w := range []int64{ws.ID, other.ID} {
		list, err := s.Logs(ctx(t), w, birdie.LogQuery{Limit: 10000})
		must(t, err, "Logs")
		entries += len(list)
		for _, e := range list {
			wantBody := ""
			switch e.Path {
			case "/at-cutoff":
				wantBody = `{"a":1}`
			case "/new":
				wantBody = `{"b":2}`
			case "/other-new":
				wantBody = `{"c":3}`
			}
			if e.Body != wantBody {
				t.Errorf("after PruneLogBodies, %s has body %q, want %q", e.Path, e.Body, wantBody)
			}
			if e.Status != 200 || e.Client == "" || e.TokenID == "" {
				t.Errorf("after PruneLogBodies, %s lost more than its body: %+v", e.Path, e)
			}
		}
	}
	if want := len(batch); entries != want {
		t.Errorf("after PruneLogBodies the log holds %d entries, want all %d", entries, want)
	}
	n, err = s.PruneLogBodies(ctx(t), cutoff)
	must(t, err, "PruneLogBodies again")
	if n != 0 {
		t.Errorf("PruneLogBodies again changed %d entries, want 0", n)
	}
}
