package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"birdie"
)

func ids(users []birdie.User) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

// listAll lists every user matching q, one page of pageSize at a time,
// checking that every page reports the same total.
func listAll(t *testing.T, s birdie.Store, ws int64, q birdie.UserQuery, pageSize int) (total int, all []birdie.User) {
	t.Helper()
	q.Count = pageSize
	for start := 1; ; start += pageSize {
		q.StartIndex = start
		page, err := s.ListUsers(ctx(t), ws, q)
		must(t, err, "ListUsers")
		if start == 1 {
			total = page.Total
		} else if page.Total != total {
			t.Fatalf("page at %d reports total %d, the first page %d", start, page.Total, total)
		}
		all = append(all, page.Users...)
		if len(page.Users) < pageSize {
			return total, all
		}
	}
}

func testListPaging(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	other := newWorkspace(t, s, "other")
	t0 := now()
	var want []string
	for i := range 25 {
		u := makeUser(t, map[string]any{"userName": fmt.Sprintf("user%02d@example.com", 24-i)}, t0.Add(time.Duration(i)*time.Second))
		createUser(t, s, ws.ID, u)
		want = append(want, u.ID)
	}
	createUser(t, s, other.ID, simpleUser(t, "stranger@example.com"))

	for _, c := range []struct {
		start, count int
		from, to     int // want[from:to]
	}{
		{1, 10, 0, 10},
		{11, 10, 10, 20},
		{21, 10, 20, 25},
		{25, 10, 24, 25},
		{26, 10, 25, 25},
		{100, 10, 25, 25},
		{0, 5, 0, 5},  // startIndex < 1 means 1
		{-3, 5, 0, 5}, // likewise
		{3, 1, 2, 3},
		{1, 1000, 0, 25},
		{5, 0, 25, 25}, // count 0: the total only
	} {
		page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{StartIndex: c.start, Count: c.count})
		must(t, err, "ListUsers")
		if page.Total != 25 {
			t.Errorf("startIndex %d count %d: Total = %d, want 25", c.start, c.count, page.Total)
		}
		if got := ids(page.Users); !slices.Equal(got, want[c.from:c.to]) {
			t.Errorf("startIndex %d count %d: got %d users %v, want %d (creation order)", c.start, c.count, len(got), got, c.to-c.from)
		}
	}
}

// sortKeys tells, for each sort key, how two users compare under it (ties
// are left to the store).
var sortKeys = map[string]func(a, b birdie.User) int{
	birdie.SortID: func(a, b birdie.User) int { return strings.Compare(a.ID, b.ID) },
	birdie.SortUserName: func(a, b birdie.User) int {
		return strings.Compare(birdie.FoldKey(a.UserName), birdie.FoldKey(b.UserName))
	},
	birdie.SortExternalID: func(a, b birdie.User) int {
		return strings.Compare(a.ExternalID, b.ExternalID)
	},
	birdie.SortDisplayName:  func(a, b birdie.User) int { return strings.Compare(a.DisplayName, b.DisplayName) },
	birdie.SortEmail:        func(a, b birdie.User) int { return strings.Compare(birdie.FoldKey(a.Email), birdie.FoldKey(b.Email)) },
	birdie.SortActive:       func(a, b birdie.User) int { return boolCmp(a.Active, b.Active) },
	birdie.SortCreated:      func(a, b birdie.User) int { return a.Created.Compare(b.Created) },
	birdie.SortLastModified: func(a, b birdie.User) int { return a.LastModified.Compare(b.LastModified) },
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func testListSort(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	t0 := now()
	var created []birdie.User
	for i := range 17 {
		attrs := map[string]any{
			"userName":    fmt.Sprintf("%c-user%d", "bAcaB"[i%5], i),
			"displayName": fmt.Sprintf("Person %d", i%4),
			"active":      i%3 != 0,
			"emails":      []any{map[string]any{"value": fmt.Sprintf("%c%d@corp.example", "zYx"[i%3], i%6), "primary": true}},
		}
		if i%4 != 0 {
			attrs["externalId"] = fmt.Sprintf("ext-%d", i%5)
		}
		u := makeUser(t, attrs, t0.Add(time.Duration(i/3)*time.Second)) // ties in created
		u.LastModified = t0.Add(time.Duration(i%4) * time.Minute)
		createUser(t, s, ws.ID, u)
		created = append(created, u)
	}

	keys := append([]string{""}, slices.Sorted(func(yield func(string) bool) {
		for k := range sortKeys {
			if !yield(k) {
				return
			}
		}
	})...)
	for _, key := range keys {
		t.Run("by="+key, func(t *testing.T) {
			_, asc := listAll(t, s, ws.ID, birdie.UserQuery{SortBy: key}, 1000)
			_, desc := listAll(t, s, ws.ID, birdie.UserQuery{SortBy: key, Descending: true}, 1000)
			_, paged := listAll(t, s, ws.ID, birdie.UserQuery{SortBy: key}, 4)
			_, again := listAll(t, s, ws.ID, birdie.UserQuery{SortBy: key}, 3)
			if len(asc) != len(created) || len(desc) != len(created) {
				t.Fatalf("listed %d ascending, %d descending, want %d", len(asc), len(desc), len(created))
			}
			cmp := sortKeys[key]
			if key == "" {
				cmp = sortKeys[birdie.SortCreated] // creation order
			}
			for i := 1; i < len(asc); i++ {
				if cmp(asc[i-1], asc[i]) > 0 {
					t.Errorf("ascending by %q: %s comes before %s", key, asc[i-1].ID, asc[i].ID)
				}
			}
			if !slices.Equal(ids(desc), reversed(ids(asc))) {
				t.Errorf("descending by %q is not the exact reverse of ascending (ties included):\n asc  %v\n desc %v", key, ids(asc), ids(desc))
			}
			if !slices.Equal(ids(paged), ids(asc)) || !slices.Equal(ids(again), ids(asc)) {
				t.Errorf("paging by %q is not stable: pages of 4 give %v, of 3 give %v, one page %v", key, ids(paged), ids(again), ids(asc))
			}
		})
	}
}

func testListUnknownSort(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	_, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{SortBy: "nickName", Count: 10})
	wantCode(t, err, birdie.EINVALID, "ListUsers sorted by an unsupported key")
	if msg := birdie.ErrorMessage(err); !strings.Contains(msg, "userName") {
		t.Errorf("the error %q does not list the supported sort keys", msg)
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}
