package storetest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"birdie"
	"birdie/scim"
)

// testListCursor walks lists with cursors (RFC 9865) forwards and then
// backwards, for filters the store translates exactly, partly and not at
// all, and in several orders: every walk must see exactly what one big
// index-paginated page holds, in the same order.
func testListCursor(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	t0 := now().Add(-time.Hour)
	for _, u := range filterUsers(t, 23, t0) {
		createUser(t, s, ws.ID, u)
	}
	// The meta ranges are an incremental sync's "changed since": stores
	// may read their matches through another index and sort them.
	since := t0.Add(5*time.Minute + 30*time.Second).Format(time.RFC3339Nano)
	filters := []string{"", `userName sw "user"`, `active eq true`, `active eq true and name.givenName eq "bob"`, `emails.type eq "work"`,
		fmt.Sprintf(`meta.lastModified gt %q`, since), fmt.Sprintf(`meta.created ge %q and active eq true`, since)}
	sorts := []struct {
		by   string
		desc bool
	}{{"", false}, {birdie.SortUserName, true}, {birdie.SortActive, false}, {birdie.SortExternalID, true}}
	for _, text := range filters {
		var f birdie.Filter
		if text != "" {
			var err error
			f, err = scim.ParseFilter(text)
			must(t, err, "ParseFilter")
		}
		for _, so := range sorts {
			q := birdie.UserQuery{Filter: f, SortBy: so.by, Descending: so.desc}
			total, all := listAll(t, s, ws.ID, q, 1000)
			want := ids(all)

			// Forwards.
			q.UseCursor, q.Count = true, 4
			var got []string
			var last birdie.UserPage
			for pages := 0; ; pages++ {
				page, err := s.ListUsers(ctx(t), ws.ID, q)
				must(t, err, "ListUsers with cursor")
				if page.Total != total {
					t.Fatalf("%q sort %v: cursor page total %d, want %d", text, so, page.Total, total)
				}
				if pages == 0 && page.PrevCursor != "" {
					t.Errorf("%q sort %v: the first page has a previous cursor", text, so)
				}
				got = append(got, ids(page.Users)...)
				last = page
				if page.NextCursor == "" || pages > 50 {
					break
				}
				q.Cursor = page.NextCursor
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%q sort %v: forwards with cursors %v, want %v", text, so, got, want)
			}
			// Backwards from the last page.
			back := slices.Clone(ids(last.Users))
			q.Cursor = last.PrevCursor
			for pages := 0; q.Cursor != "" && pages < 50; pages++ {
				page, err := s.ListUsers(ctx(t), ws.ID, q)
				must(t, err, "ListUsers with previous cursor")
				if len(page.Users) != 4 {
					t.Fatalf("%q sort %v: a previous page has %d users, want 4", text, so, len(page.Users))
				}
				if page.NextCursor == "" {
					t.Errorf("%q sort %v: a previous page has no next cursor", text, so)
				}
				back = append(ids(page.Users), back...)
				q.Cursor = page.PrevCursor
			}
			if len(want) > 0 && !slices.Equal(back, want) {
				t.Fatalf("%q sort %v: backwards with cursors %v, want %v", text, so, back, want)
			}
		}
	}

	// A cursor of one query is refused by another, and garbage is refused.
	first, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{UseCursor: true, Count: 2})
	must(t, err, "ListUsers first cursor page")
	_, err = s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{UseCursor: true, Count: 2, Cursor: first.NextCursor, SortBy: birdie.SortUserName})
	wantCode(t, err, birdie.EINVALIDCURSOR, "cursor of another sort order")
	_, err = s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{UseCursor: true, Count: 2, Cursor: "not-a-cursor!"})
	wantCode(t, err, birdie.EINVALIDCURSOR, "garbage cursor")
	other := newWorkspace(t, s, "other")
	_, err = s.ListUsers(ctx(t), other.ID, birdie.UserQuery{UseCursor: true, Count: 2, Cursor: first.NextCursor})
	wantCode(t, err, birdie.EINVALIDCURSOR, "cursor of another workspace")

	// Cursors are not signed: one edited by the client to hold a
	// position of the wrong type (or a string no column holds) is
	// refused, never sent to the database. This knows the format of
	// sqlstore's cursors (base64 of a JSON object whose "v" is the
	// position); a store with another format checks nothing here.
	byName, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{UseCursor: true, Count: 2, SortBy: birdie.SortUserName})
	must(t, err, "ListUsers first cursor page by userName")
	for _, c := range []struct {
		cursor string
		sortBy string
		v      any
	}{
		{first.NextCursor, "", "abc"},
		{first.NextCursor, "", true},
		{first.NextCursor, "", 1.5},
		{byName.NextCursor, birdie.SortUserName, 42},
		{byName.NextCursor, birdie.SortUserName, false},
		{byName.NextCursor, birdie.SortUserName, "a\x00b"},
	} {
		forged, ok := forgeCursor(c.cursor, c.v)
		if !ok {
			continue
		}
		_, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{UseCursor: true, Count: 2, Cursor: forged, SortBy: c.sortBy})
		wantCode(t, err, birdie.EINVALIDCURSOR, fmt.Sprintf("cursor sorted by %q with its position edited to %#v", c.sortBy, c.v))
	}
}

// forgeCursor replaces the position "v" of a base64-JSON cursor.
func forgeCursor(cursor string, v any) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", false
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil || m["v"] == nil {
		return "", false
	}
	m["v"] = v
	b, err := json.Marshal(m)
	if err != nil {
		return "", false
	}
	return base64.RawURLEncoding.EncodeToString(b), true
}
