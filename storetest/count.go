package storetest

import (
	"fmt"
	"sync"
	"testing"

	"birdie"
)

// testUserCount checks the unfiltered total, which stores may keep as a
// counter rather than count rows: it must follow creates (alone and
// concurrent), failed creates and deletes, per workspace.
func testUserCount(t *testing.T, s birdie.Store) {
	a := newWorkspace(t, s, "acme")
	b := newWorkspace(t, s, "other")
	total := func(ws int64) int {
		t.Helper()
		page, err := s.ListUsers(ctx(t), ws, birdie.UserQuery{Count: 0})
		must(t, err, "ListUsers count 0")
		return page.Total
	}
	var users []birdie.User
	for i := range 5 {
		users = append(users, createUser(t, s, a.ID, simpleUser(t, fmt.Sprintf("u%d@example.com", i))))
	}
	createUser(t, s, b.ID, simpleUser(t, "b1@example.com"))
	if err := s.CreateUser(ctx(t), a.ID, simpleUser(t, "U0@EXAMPLE.COM")); birdie.ErrorCode(err) != birdie.ECONFLICT {
		t.Fatalf("duplicate create: %v", err)
	}
	must(t, s.DeleteUser(ctx(t), a.ID, users[0].ID, nil), "DeleteUser")
	if err := s.DeleteUser(ctx(t), b.ID, users[1].ID, nil); birdie.ErrorCode(err) != birdie.ENOTFOUND {
		t.Fatalf("delete through the other workspace: %v", err)
	}
	refused := fmt.Errorf("refused")
	if err := s.DeleteUser(ctx(t), a.ID, users[1].ID, func(birdie.User) error { return refused }); err != refused {
		t.Fatalf("refused delete: %v", err)
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.CreateUser(ctx(t), a.ID, simpleUser(t, fmt.Sprintf("c%d@example.com", i))); err != nil {
				t.Errorf("concurrent create: %v", err)
			}
		}()
	}
	wg.Wait()
	if got := total(a.ID); got != 24 {
		t.Errorf("workspace total %d, want 24 (5 created, 1 deleted, 20 concurrent)", got)
	}
	if got := total(b.ID); got != 1 {
		t.Errorf("other workspace total %d, want 1", got)
	}
	if n, all := listAll(t, s, a.ID, birdie.UserQuery{}, 7); n != 24 || len(all) != 24 {
		t.Errorf("listing gives total %d and %d users, want 24", n, len(all))
	}
}
