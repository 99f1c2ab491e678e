package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"birdie"
)

func testWorkspaces(t *testing.T, s birdie.Store) {
	before := now()
	ws, err := s.CreateWorkspace(ctx(t), "beta", "Beta Inc.")
	must(t, err, "CreateWorkspace")
	if ws.ID == 0 || ws.Slug != "beta" || ws.Name != "Beta Inc." {
		t.Errorf("CreateWorkspace returned %+v", ws)
	}
	if ws.Created.Before(before) || ws.Created.After(now().Add(time.Second)) {
		t.Errorf("Created = %v, want about %v", ws.Created, before)
	}

	_, err = s.CreateWorkspace(ctx(t), "beta", "Another")
	wantCode(t, err, birdie.ECONFLICT, "CreateWorkspace with a taken slug")

	got, err := s.Workspace(ctx(t), "beta")
	must(t, err, "Workspace")
	if got.ID != ws.ID || got.Slug != ws.Slug || got.Name != ws.Name || !got.Created.Equal(ws.Created) {
		t.Errorf("Workspace = %+v, want %+v", got, ws)
	}
	_, err = s.Workspace(ctx(t), "nope")
	wantCode(t, err, birdie.ENOTFOUND, "Workspace of an unknown slug")

	newWorkspace(t, s, "gamma")
	newWorkspace(t, s, "alpha")
	list, err := s.Workspaces(ctx(t))
	must(t, err, "Workspaces")
	var slugs []string
	for _, w := range list {
		slugs = append(slugs, w.Slug)
	}
	if want := []string{"alpha", "beta", "gamma"}; !slices.Equal(slugs, want) {
		t.Errorf("Workspaces slugs = %v, want %v (ordered by slug)", slugs, want)
	}
}

func testCreateFirstWorkspace(t *testing.T, s birdie.Store) {
	ws, created, err := s.CreateFirstWorkspace(ctx(t), "first", "First")
	must(t, err, "CreateFirstWorkspace on an empty store")
	if !created || ws.Slug != "first" || ws.ID == 0 {
		t.Fatalf("CreateFirstWorkspace on an empty store = %+v, created %v; want it created", ws, created)
	}
	again, created, err := s.CreateFirstWorkspace(ctx(t), "second", "Second")
	must(t, err, "CreateFirstWorkspace on a non-empty store")
	if created || again.ID != ws.ID {
		t.Errorf("CreateFirstWorkspace on a non-empty store = %+v, created %v; want the existing %+v, not created", again, created, ws)
	}
	if _, err := s.Workspace(ctx(t), "second"); birdie.ErrorCode(err) != birdie.ENOTFOUND {
		t.Errorf("CreateFirstWorkspace on a non-empty store created a workspace (err %v)", err)
	}
}

func testCreateFirstWorkspaceRace(t *testing.T, s birdie.Store) {
	const n = 10
	var wg sync.WaitGroup
	results := make([]struct {
		ws      birdie.Workspace
		created bool
		err     error
	}, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[i]
			r.ws, r.created, r.err = s.CreateFirstWorkspace(ctx(t), "default", "Default")
		}()
	}
	wg.Wait()
	created := 0
	for i, r := range results {
		must(t, r.err, "racing CreateFirstWorkspace")
		if r.created {
			created++
		}
		if r.ws.ID != results[0].ws.ID {
			t.Errorf("racer %d got workspace %+v, racer 0 got %+v", i, r.ws, results[0].ws)
		}
	}
	if created != 1 {
		t.Errorf("%d racers got created == true, want exactly 1", created)
	}
	list, err := s.Workspaces(ctx(t))
	must(t, err, "Workspaces")
	if len(list) != 1 {
		t.Errorf("after the race the store holds %d workspaces, want 1", len(list))
	}
}

// testUnknownWorkspace checks that writes and lists naming a workspace that
// does not exist fail with ENOTFOUND rather than writing orphans.
func testUnknownWorkspace(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "real")
	const missing = 987654
	if ws.ID == missing {
		t.Skip("the store happened to assign the id used as unknown")
	}
	_, tok := birdie.NewToken(missing, now())
	wantCode(t, s.CreateToken(ctx(t), tok), birdie.ENOTFOUND, "CreateToken in an unknown workspace")
	wantCode(t, s.CreateUser(ctx(t), missing, simpleUser(t, "x@example.com")), birdie.ENOTFOUND, "CreateUser in an unknown workspace")
	_, err := s.ListUsers(ctx(t), missing, birdie.UserQuery{Count: 10})
	wantCode(t, err, birdie.ENOTFOUND, "ListUsers in an unknown workspace")
	_, err = s.ListUsers(ctx(t), missing, birdie.UserQuery{Count: 0})
	wantCode(t, err, birdie.ENOTFOUND, "ListUsers with count 0 (the total only) in an unknown workspace")
	page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Count: 0})
	must(t, err, "ListUsers with count 0 in an empty workspace")
	if page.Total != 0 || len(page.Users) != 0 {
		t.Errorf("count 0 in an empty workspace: total %d, %d users; want 0, 0", page.Total, len(page.Users))
	}
	_, err = s.User(ctx(t), missing, birdie.NewID())
	wantCode(t, err, birdie.ENOTFOUND, "User in an unknown workspace")
	wantCode(t, s.TouchToken(ctx(t), "tok_unknown", now()), birdie.ENOTFOUND, "TouchToken of an unknown token")
	list, err := s.Tokens(ctx(t), missing)
	must(t, err, "Tokens of an unknown workspace")
	if len(list) != 0 {
		t.Errorf("Tokens of an unknown workspace listed %d", len(list))
	}
}
