package storetest

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"birdie"
	"birdie/scim"
)

// makeUser returns a new user with the canonical attribute document attrs
// and the derived fields set from it, as the server would create it.
func makeUser(t *testing.T, attrs map[string]any, created time.Time) birdie.User {
	t.Helper()
	u := birdie.User{ID: birdie.NewID(), Attributes: attrs, Created: created, LastModified: created, Version: 1}
	must(t, scim.Derive(&u), "scim.Derive")
	return u
}

// simpleUser is a user with an email address as userName.
func simpleUser(t *testing.T, userName string) birdie.User {
	return makeUser(t, map[string]any{"userName": userName}, now())
}

func createUser(t *testing.T, s birdie.Store, ws int64, u birdie.User) birdie.User {
	t.Helper()
	must(t, s.CreateUser(ctx(t), ws, u), "CreateUser "+u.UserName)
	return u
}

// diffUser describes how got differs from want, or returns "".
func diffUser(got, want birdie.User) string {
	var d []string
	check := func(name string, ok bool, g, w any) {
		if !ok {
			d = append(d, fmt.Sprintf("%s = %#v, want %#v", name, g, w))
		}
	}
	check("ID", got.ID == want.ID, got.ID, want.ID)
	check("UserName", got.UserName == want.UserName, got.UserName, want.UserName)
	check("ExternalID", got.ExternalID == want.ExternalID, got.ExternalID, want.ExternalID)
	check("DisplayName", got.DisplayName == want.DisplayName, got.DisplayName, want.DisplayName)
	check("Active", got.Active == want.Active, got.Active, want.Active)
	check("Email", got.Email == want.Email, got.Email, want.Email)
	check("EmailValues", len(got.EmailValues) == 0 && len(want.EmailValues) == 0 || reflect.DeepEqual(got.EmailValues, want.EmailValues), got.EmailValues, want.EmailValues)
	check("Attributes", reflect.DeepEqual(got.Attributes, want.Attributes), got.Attributes, want.Attributes)
	check("Created", got.Created.Equal(want.Created), got.Created, want.Created)
	check("LastModified", got.LastModified.Equal(want.LastModified), got.LastModified, want.LastModified)
	check("Version", got.Version == want.Version, got.Version, want.Version)
	return strings.Join(d, "; ")
}

func testCreateAndGetUser(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	created := now().Add(-time.Hour)
	u := makeUser(t, map[string]any{
		"userName":    "jdoe",
		"externalId":  "00u1abc",
		"displayName": "Jane Doe",
		"active":      false,
		"name":        map[string]any{"givenName": "Jane", "familyName": "Doe", "formatted": "Jane Doe"},
		"emails": []any{
			map[string]any{"value": "jane@home.example", "type": "home"},
			map[string]any{"value": "Jane.Doe@Corp.example", "type": "work", "primary": true},
		},
		"phoneNumbers": []any{map[string]any{"value": "+1 555 0100", "type": "work"}},
		"title":        "Engineer ü 日本",
		scim.URNEnterprise: map[string]any{
			"department": "R&D",
			"manager":    map[string]any{"value": "0f8f1b1e-0000-4000-8000-000000000001", "displayName": "Boss"},
		},
	}, created)
	u.LastModified = created.Add(time.Minute)
	u.Version = 3
	createUser(t, s, ws.ID, u)

	got, err := s.User(ctx(t), ws.ID, u.ID)
	must(t, err, "User")
	if d := diffUser(got, u); d != "" {
		t.Errorf("User does not round-trip: %s", d)
	}
	if got.Email != "Jane.Doe@Corp.example" || len(got.EmailValues) != 2 {
		t.Errorf("derived email fields did not round-trip: %q %v", got.Email, got.EmailValues)
	}
	_, err = s.User(ctx(t), ws.ID, birdie.NewID())
	wantCode(t, err, birdie.ENOTFOUND, "User of an unknown id")
}

func testDuplicateUserName(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	createUser(t, s, ws.ID, simpleUser(t, "Alice@Example.com"))
	dup := simpleUser(t, "alice@EXAMPLE.COM")
	err := s.CreateUser(ctx(t), ws.ID, dup)
	wantCode(t, err, birdie.ECONFLICT, "CreateUser with a userName differing only in case")
	if !strings.Contains(birdie.ErrorMessage(err), "alice@EXAMPLE.COM") {
		t.Errorf("the conflict message %q does not name the userName", birdie.ErrorMessage(err))
	}
	_, err = s.User(ctx(t), ws.ID, dup.ID)
	wantCode(t, err, birdie.ENOTFOUND, "User of the refused duplicate")
	page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Count: 10})
	must(t, err, "ListUsers")
	if page.Total != 1 {
		t.Errorf("after a refused duplicate the workspace has %d users, want 1", page.Total)
	}
	// The refused user's emails must not be findable either.
	page, err = s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Filter: emailsValueEq("alice@example.com"), Count: 10})
	must(t, err, "ListUsers by emails.value")
	if page.Total != 0 {
		t.Errorf("emails.value filter found %d users; the userName is not in emails so want 0", page.Total)
	}
}

func testSameUserNameInTwoWorkspaces(t *testing.T, s birdie.Store) {
	a := newWorkspace(t, s, "a")
	b := newWorkspace(t, s, "b")
	createUser(t, s, a.ID, simpleUser(t, "sam@example.com"))
	createUser(t, s, b.ID, simpleUser(t, "sam@example.com"))
}

func testTenantIsolation(t *testing.T, s birdie.Store) {
	a := newWorkspace(t, s, "a")
	b := newWorkspace(t, s, "b")
	u := createUser(t, s, a.ID, simpleUser(t, "kim@example.com"))

	_, err := s.User(ctx(t), b.ID, u.ID)
	wantCode(t, err, birdie.ENOTFOUND, "User with another workspace's id")
	_, err = s.UpdateUser(ctx(t), b.ID, u.ID, func(u *birdie.User) error { u.DisplayName = "x"; return nil })
	wantCode(t, err, birdie.ENOTFOUND, "UpdateUser with another workspace's id")
	err = s.DeleteUser(ctx(t), b.ID, u.ID, nil)
	wantCode(t, err, birdie.ENOTFOUND, "DeleteUser with another workspace's id")
	for _, f := range []birdie.Filter{nil, userNameEq("kim@example.com"), emailsValueEq("kim@example.com"), idEq(u.ID)} {
		page, err := s.ListUsers(ctx(t), b.ID, birdie.UserQuery{Filter: f, Count: 10})
		must(t, err, "ListUsers in another workspace")
		if page.Total != 0 || len(page.Users) != 0 {
			t.Errorf("ListUsers(filter %#v) in another workspace listed %d (total %d)", f, len(page.Users), page.Total)
		}
	}
	got, err := s.User(ctx(t), a.ID, u.ID)
	must(t, err, "User in its own workspace")
	if d := diffUser(got, u); d != "" {
		t.Errorf("the user changed through another workspace: %s", d)
	}
}

func testUpdateUser(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	u := simpleUser(t, "lee@example.com")
	u.Created = now().Add(-time.Hour)
	u.LastModified = u.Created
	createUser(t, s, ws.ID, u)

	before := now()
	var seen string
	got, err := s.UpdateUser(ctx(t), ws.ID, u.ID, func(x *birdie.User) error {
		seen = diffUser(*x, u)
		x.Attributes["displayName"] = "Lee"
		x.Attributes["name"] = map[string]any{"givenName": "Lee"}
		return scim.Derive(x)
	})
	must(t, err, "UpdateUser")
	if seen != "" {
		t.Errorf("update saw a user different from the stored one: %s", seen)
	}
	if got.Version != u.Version+1 {
		t.Errorf("Version = %d, want %d", got.Version, u.Version+1)
	}
	if got.LastModified.Before(before) || !got.Created.Equal(u.Created) || got.ID != u.ID {
		t.Errorf("after UpdateUser LastModified %v (want ≥ %v), Created %v (want %v), ID %q", got.LastModified, before, got.Created, u.Created, got.ID)
	}
	if got.DisplayName != "Lee" {
		t.Errorf("DisplayName = %q, want Lee", got.DisplayName)
	}
	stored, err := s.User(ctx(t), ws.ID, u.ID)
	must(t, err, "User after UpdateUser")
	if d := diffUser(stored, got); d != "" {
		t.Errorf("stored user differs from UpdateUser's result: %s", d)
	}
	_, err = s.UpdateUser(ctx(t), ws.ID, birdie.NewID(), func(*birdie.User) error { return nil })
	wantCode(t, err, birdie.ENOTFOUND, "UpdateUser of an unknown id")
}

var errRefused = errors.New("refused by the caller")

func testUpdateUserRefused(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	u := createUser(t, s, ws.ID, simpleUser(t, "ann@example.com"))
	_, err := s.UpdateUser(ctx(t), ws.ID, u.ID, func(x *birdie.User) error {
		x.Attributes["displayName"] = "changed"
		x.DisplayName = "changed"
		return errRefused
	})
	if err != errRefused {
		t.Errorf("UpdateUser returned %v, want the update function's error unchanged", err)
	}
	pre := birdie.Errorf(birdie.EPRECONDITION, "stale")
	_, err = s.UpdateUser(ctx(t), ws.ID, u.ID, func(*birdie.User) error { return pre })
	if err != error(pre) {
		t.Errorf("UpdateUser returned %v, want the update function's *birdie.Error unchanged", err)
	}
	got, err := s.User(ctx(t), ws.ID, u.ID)
	must(t, err, "User")
	if d := diffUser(got, u); d != "" {
		t.Errorf("a refused update wrote: %s", d)
	}
}

func testUpdateUserRename(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	a := createUser(t, s, ws.ID, simpleUser(t, "a@example.com"))
	b := createUser(t, s, ws.ID, simpleUser(t, "b@example.com"))
	rename := func(name string) func(*birdie.User) error {
		return func(u *birdie.User) error {
			u.Attributes["userName"] = name
			return scim.Derive(u)
		}
	}
	_, err := s.UpdateUser(ctx(t), ws.ID, b.ID, rename("A@EXAMPLE.com"))
	wantCode(t, err, birdie.ECONFLICT, "renaming to a taken userName")
	got, err := s.User(ctx(t), ws.ID, b.ID)
	must(t, err, "User")
	if d := diffUser(got, b); d != "" {
		t.Errorf("a refused rename wrote: %s", d)
	}
	// Changing the case of one's own userName is not a conflict.
	got, err = s.UpdateUser(ctx(t), ws.ID, a.ID, rename("A@Example.com"))
	must(t, err, "changing the case of one's own userName")
	if got.UserName != "A@Example.com" {
		t.Errorf("UserName = %q", got.UserName)
	}
	// The old name is free once renamed away.
	_, err = s.UpdateUser(ctx(t), ws.ID, b.ID, rename("c@example.com"))
	must(t, err, "rename b to c")
	createUser(t, s, ws.ID, simpleUser(t, "B@example.com"))
	page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Filter: userNameEq("c@example.com"), Count: 10})
	must(t, err, "ListUsers by new userName")
	if page.Total != 1 || page.Users[0].ID != b.ID {
		t.Errorf("userName eq the new name found %d users", page.Total)
	}
}

// testUpdateUserIndexedAttributes changes each attribute a store indexes
// (userName, externalId, displayName, the account email) on its own, then
// none of them, and checks after each update that filters on the old and
// new values find what they should: a store may skip rewriting an index
// whose attribute did not change, and must not skip one that did.
func testUpdateUserIndexedAttributes(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	attrEq := func(attr, v string) birdie.Filter {
		return birdie.Compare{Path: birdie.AttrPath{Attr: attr}, Op: birdie.OpEq, Value: v}
	}
	u := createUser(t, s, ws.ID, makeUser(t, map[string]any{
		"userName": "kim", "externalId": "ext-1", "displayName": "Kim One",
		"emails": []any{map[string]any{"value": "kim1@example.com", "type": "work"}},
	}, now()))
	current := map[string]string{"userName": "kim", "externalId": "ext-1", "displayName": "Kim One", "email": "kim1@example.com"}
	check := func(step string, old map[string]string) {
		t.Helper()
		for attr, v := range current {
			f := attrEq(attr, v)
			if attr == "email" {
				f = accountEmailEq(v)
			}
			page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Filter: f, Count: 10})
			must(t, err, "ListUsers")
			if page.Total != 1 || page.Users[0].ID != u.ID {
				t.Errorf("%s: %s eq %q (current) found %d users, want the user", step, attr, v, page.Total)
			}
			if ov := old[attr]; ov != v {
				if attr == "email" {
					f = accountEmailEq(ov)
				} else {
					f = attrEq(attr, ov)
				}
				page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Filter: f, Count: 10})
				must(t, err, "ListUsers")
				if page.Total != 0 {
					t.Errorf("%s: %s eq %q (the old value) found %d users, want none", step, attr, ov, page.Total)
				}
			}
		}
	}
	for _, c := range []struct{ attr, value string }{
		{"userName", "kim.two"}, {"externalId", "ext-2"}, {"displayName", "Kim Two"}, {"email", "kim2@example.com"}, {"title", "Engineer"},
	} {
		old := maps.Clone(current)
		_, err := s.UpdateUser(ctx(t), ws.ID, u.ID, func(x *birdie.User) error {
			if c.attr == "email" {
				x.Attributes["emails"] = []any{map[string]any{"value": c.value, "type": "work"}}
			} else {
				x.Attributes[c.attr] = c.value
			}
			return scim.Derive(x)
		})
		must(t, err, "UpdateUser "+c.attr)
		if _, ok := current[c.attr]; ok {
			current[c.attr] = c.value
		}
		check("after changing "+c.attr, old)
	}
}

func testUpdateUserEmails(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	u := createUser(t, s, ws.ID, makeUser(t, map[string]any{
		"userName": "pat",
		"emails":   []any{map[string]any{"value": "old@example.com", "type": "work"}},
	}, now()))
	_, err := s.UpdateUser(ctx(t), ws.ID, u.ID, func(x *birdie.User) error {
		x.Attributes["emails"] = []any{map[string]any{"value": "New@Example.com", "type": "work"}}
		return scim.Derive(x)
	})
	must(t, err, "UpdateUser emails")
	for _, c := range []struct {
		filter birdie.Filter
		want   int
	}{
		{emailsValueEq("old@example.com"), 0},
		{emailsValueEq("new@example.com"), 1},
		{accountEmailEq("new@EXAMPLE.com"), 1},
		{accountEmailEq("old@example.com"), 0},
	} {
		page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Filter: c.filter, Count: 10})
		must(t, err, "ListUsers")
		if page.Total != c.want {
			t.Errorf("after changing emails, filter %#v matches %d users, want %d", c.filter, page.Total, c.want)
		}
	}

	// Every email of a user with one to seven of them is found, on create
	// and after an update to another count: the stores write a user's
	// emails in statements of several rows.
	for n := 1; n <= 7; n++ {
		emails := func(prefix string, n int) []any {
			list := make([]any, n)
			for i := range list {
				list[i] = map[string]any{"value": fmt.Sprintf("%s%d-%d@example.com", prefix, n, i)}
			}
			return list
		}
		u := createUser(t, s, ws.ID, makeUser(t, map[string]any{"userName": fmt.Sprintf("many%d", n), "emails": emails("a", n)}, now()))
		for i := range n {
			if page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Filter: emailsValueEq(fmt.Sprintf("a%d-%d@example.com", n, i)), Count: 10}); err != nil || page.Total != 1 {
				t.Errorf("user with %d emails: email %d found %d times (%v), want once", n, i, page.Total, err)
			}
		}
		m := 8 - n
		_, err := s.UpdateUser(ctx(t), ws.ID, u.ID, func(x *birdie.User) error {
			x.Attributes["emails"] = emails("b", m)
			return scim.Derive(x)
		})
		must(t, err, "UpdateUser emails")
		for i := range m {
			if page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Filter: emailsValueEq(fmt.Sprintf("b%d-%d@example.com", m, i)), Count: 10}); err != nil || page.Total != 1 {
				t.Errorf("user updated from %d to %d emails: email %d found %d times (%v), want once", n, m, i, page.Total, err)
			}
		}
		if page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Filter: emailsValueEq(fmt.Sprintf("a%d-0@example.com", n)), Count: 10}); err != nil || page.Total != 0 {
			t.Errorf("user updated from %d emails: an old email still matches %d users (%v)", n, page.Total, err)
		}
	}
}

func testConcurrentUpdates(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	u := createUser(t, s, ws.ID, simpleUser(t, "counter@example.com"))
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdateUser(ctx(t), ws.ID, u.ID, func(x *birdie.User) error {
				c, _ := strconv.Atoi(fmt.Sprint(x.Attributes["nickName"]))
				x.Attributes["nickName"] = strconv.Itoa(c + 1)
				seen, _ := x.Attributes["roles"].([]any)
				x.Attributes["roles"] = append(seen, map[string]any{"value": strconv.Itoa(i)})
				return nil
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err, "concurrent UpdateUser")
	}
	got, err := s.User(ctx(t), ws.ID, u.ID)
	must(t, err, "User")
	roles, _ := got.Attributes["roles"].([]any)
	if got.Attributes["nickName"] != strconv.Itoa(n) || len(roles) != n || got.Version != u.Version+n {
		t.Errorf("after %d concurrent updates: counter %v, %d roles, version %d; want %d, %d, %d (an update was lost)",
			n, got.Attributes["nickName"], len(roles), got.Version, n, n, u.Version+n)
	}
}

// testUpdateUserRaced starts another write of the same user while an
// update is being computed, and waits for it a moment. A store that locks
// the row (or the database) before calling update makes the other write
// wait until it commits; a store that computed updates before taking its
// lock would have to notice the change and update the fresh user. Either
// way, whichever write went second must have seen the first.
func testUpdateUserRaced(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	u := createUser(t, s, ws.ID, simpleUser(t, "raced@example.com"))
	other := make(chan birdie.User, 1)
	otherErr := make(chan error, 1)
	calls := 0
	got, err := s.UpdateUser(ctx(t), ws.ID, u.ID, func(x *birdie.User) error {
		calls++
		if calls == 1 {
			go func() {
				o, err := s.UpdateUser(ctx(t), ws.ID, u.ID, func(y *birdie.User) error {
					y.Attributes["displayName"] = "Other"
					return scim.Derive(y)
				})
				otherErr <- err
				other <- o
			}()
			select {
			case err := <-otherErr: // it landed first
				otherErr <- err
			case <-time.After(300 * time.Millisecond): // it waits for this one
			}
		}
		x.Attributes["externalId"] = "saw " + x.DisplayName
		return scim.Derive(x)
	})
	must(t, err, "UpdateUser")
	must(t, <-otherErr, "the other UpdateUser")
	o := <-other
	final, err := s.User(ctx(t), ws.ID, u.ID)
	must(t, err, "User")
	switch {
	case final.Version != u.Version+2 || final.DisplayName != "Other":
		t.Errorf("after both writes: version %d, displayName %q; want %d, Other (a write was lost)", final.Version, final.DisplayName, u.Version+2)
	case o.Version == u.Version+1 && (got.ExternalID != "saw Other" || final.ExternalID != "saw Other"):
		t.Errorf("the other write landed first, but the update wrote %q (stored %q): it was computed on the user as read before", got.ExternalID, final.ExternalID)
	case o.Version == u.Version+2 && (got.ExternalID != "saw "+u.DisplayName || final.ExternalID != got.ExternalID):
		t.Errorf("the update landed first, yet wrote %q (stored %q after the other write)", got.ExternalID, final.ExternalID)
	}
}

func testConcurrentCreates(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	names := []string{"dup@example.com", "DUP@example.com", "Dup@Example.Com", "dup@EXAMPLE.COM"}
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		u := simpleUser(t, names[i%len(names)])
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.CreateUser(ctx(t), ws.ID, u)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch birdie.ErrorCode(err) {
		case "":
			ok++
		case birdie.ECONFLICT:
		default:
			t.Errorf("concurrent CreateUser: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d concurrent creates of one userName succeeded, want exactly 1", ok)
	}
	page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Count: 100})
	must(t, err, "ListUsers")
	if page.Total != 1 {
		t.Errorf("the workspace has %d users, want 1", page.Total)
	}
}

func testDeleteUser(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	u := createUser(t, s, ws.ID, simpleUser(t, "gone@example.com"))

	var seen birdie.User
	err := s.DeleteUser(ctx(t), ws.ID, u.ID, func(x birdie.User) error { seen = x; return errRefused })
	if err != errRefused {
		t.Errorf("DeleteUser returned %v, want check's error unchanged", err)
	}
	if d := diffUser(seen, u); d != "" {
		t.Errorf("check saw a user different from the stored one: %s", d)
	}
	if _, err := s.User(ctx(t), ws.ID, u.ID); err != nil {
		t.Fatalf("a refused DeleteUser deleted the user: %v", err)
	}

	must(t, s.DeleteUser(ctx(t), ws.ID, u.ID, func(birdie.User) error { return nil }), "DeleteUser")
	_, err = s.User(ctx(t), ws.ID, u.ID)
	wantCode(t, err, birdie.ENOTFOUND, "User after DeleteUser")
	err = s.DeleteUser(ctx(t), ws.ID, u.ID, nil)
	wantCode(t, err, birdie.ENOTFOUND, "DeleteUser of a deleted user")
	page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Filter: emailsValueEq("gone@example.com"), Count: 10})
	must(t, err, "ListUsers")
	if page.Total != 0 {
		t.Errorf("a deleted user is still listed")
	}

	again := createUser(t, s, ws.ID, simpleUser(t, "GONE@example.com"))
	must(t, s.DeleteUser(ctx(t), ws.ID, again.ID, nil), "DeleteUser with a nil check")
}

// Filters built directly, for tests that should not depend on the parser.

func userNameEq(v string) birdie.Filter {
	return birdie.Compare{Path: birdie.AttrPath{Attr: "userName"}, Op: birdie.OpEq, Value: v}
}

func idEq(v string) birdie.Filter {
	return birdie.Compare{Path: birdie.AttrPath{Attr: "id"}, Op: birdie.OpEq, Value: v}
}

func emailsValueEq(v string) birdie.Filter {
	return birdie.Compare{Path: birdie.AttrPath{Attr: "emails", Sub: "value"}, Op: birdie.OpEq, Value: v}
}

func accountEmailEq(v string) birdie.Filter {
	return birdie.Compare{Path: birdie.AttrPath{URN: scim.URNAccount, Attr: "email"}, Op: birdie.OpEq, Value: v}
}
