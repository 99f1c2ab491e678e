package server_test

// Tenant isolation seen from the outside: with workspace B's token, no
// request of any kind reads, changes, or even reveals the existence of
// workspace A's users.

import (
	"bytes"
	"net/http"
	"slices"
	"testing"
)

// isolationFixture creates A's users (one of them inactive and one
// managed by another) and B's, and returns their ids.
func isolationFixture(t *testing.T, e *env) (aIDs, bIDs []string) {
	t.Helper()
	a1 := e.createA(t, "shared@example.com", "externalId", "ext-shared", "displayName", "Shared Name",
		"emails", arr{obj{"type": "work", "value": "a1.work@example.com", "primary": true}},
		urnEnterprise, obj{"employeeNumber": "42"})
	a2 := e.createA(t, "a-only", "externalId", "ext-a-only", "title", "Secret Title",
		"emails", arr{obj{"type": "home", "value": "a2.home@example.com"}},
		urnEnterprise, obj{"employeeNumber": "43", "manager": obj{"value": a1}})
	a3 := e.createA(t, "a-inactive@example.com", "active", false)
	b1 := getStr(e.create(t, e.TokenB, newUser("shared@example.com", "externalId", "ext-shared-b")), "id")
	b2 := getStr(e.create(t, e.TokenB, newUser("b-only@example.com")), "id")
	return []string{a1, a2, a3}, []string{b1, b2}
}

func TestIsolationEveryVerbOnAnotherWorkspacesUser(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		aIDs, _ := isolationFixture(t, e)
		before := map[string]*response{}
		for _, id := range aIDs {
			before[id] = e.A(t, "GET", base+"/Users/"+id, nil)
		}
		for _, id := range aIDs {
			etag := before[id].Header.Get("ETag")
			path := base + "/Users/" + id
			for _, c := range []struct {
				method string
				body   any
				hdr    []string
			}{
				{"GET", nil, nil},
				{"GET", nil, []string{"If-None-Match", etag}},
				{"GET", nil, []string{"If-None-Match", "*"}},
				{"PUT", newUser("b-took-over@example.com", "active", false), nil},
				{"PUT", newUser("b-took-over@example.com"), []string{"If-Match", etag}},
				{"PUT", newUser("b-took-over@example.com"), []string{"If-Match", `W/"999"`}},
				{"PATCH", patchOps(op("replace", "active", false)), nil},
				{"PATCH", patchOps(op("replace", "", obj{"displayName": "pwned"})), []string{"If-Match", etag}},
				{"PATCH", patchOps(op("replace", "active", false)), []string{"If-Match", `W/"999"`}},
				{"PATCH", patchOps(op("remove", "emails", nil)), nil},
				{"DELETE", nil, nil},
				{"DELETE", nil, []string{"If-Match", etag}},
				{"DELETE", nil, []string{"If-Match", `W/"999"`}},
				{"GET", nil, []string{"Authorization", "Bearer Bearer " + e.TokenB}},
			} {
				// 404 whatever the preconditions: a 304 or 412 would reveal
				// that the id exists elsewhere.
				r := e.B(t, c.method, path, c.body, c.hdr...)
				wantError(t, r, http.StatusNotFound, "")
				for _, v := range []string{"shared@example.com", "a-only", "Secret Title", "a1.work@example.com"} {
					if bytes.Contains(r.Raw, []byte(v)) {
						t.Errorf("%s %s with B's token reveals %q: %s", c.method, path, v, r.Raw)
					}
				}
			}
			// Projection parameters change nothing.
			wantError(t, e.B(t, "GET", path+"?attributes=id", nil), http.StatusNotFound, "")
		}
		for _, id := range aIDs {
			after := e.A(t, "GET", base+"/Users/"+id, nil)
			if !bytes.Equal(after.Raw, before[id].Raw) || after.Header.Get("ETag") != before[id].Header.Get("ETag") {
				t.Errorf("B's requests changed A's user %s:\nbefore %s\nafter  %s", id, before[id].Raw, after.Raw)
			}
		}
		if n := total(e.list(t, e.TokenA, base+"/Users")); n != len(aIDs) {
			t.Errorf("workspace A has %d users, want %d", n, len(aIDs))
		}
		if n := total(e.filterA(t, `userName eq "b-took-over@example.com"`)); n != 0 {
			t.Errorf("B's PUT created a user in A")
		}
	})
}

func TestIsolationListsFiltersAndSearch(t *testing.T) {
	eachBackendWith(t, noRateLimit, func(t *testing.T, e *env) {
		aIDs, bIDs := isolationFixture(t, e)
		a1, a2 := aIDs[0], aIDs[1]
		filters := []string{
			`id eq "` + a1 + `"`,
			`id eq "` + a1 + `" or id eq "` + a2 + `"`,
			`id eq "` + a2 + `" and manager eq "` + a1 + `"`,
			`userName eq "a-only"`,
			`userName eq "A-ONLY"`,
			`userName sw "a-"`,
			`userName eq a-only`,
			`externalId eq "ext-shared"`,
			`externalId eq "ext-a-only"`,
			`emails.value eq "a1.work@example.com"`,
			`emails[type eq "work"].value eq "a1.work@example.com"`,
			`emails[type eq "home"]`,
			urnAccount + `:email eq "a2.home@example.com"`,
			urnAccount + `:email eq "a-inactive@example.com"`,
			urnEnterprise + `:employeeNumber eq "42"`,
			urnEnterprise + `:manager.value eq "` + a1 + `"`,
			`title co "Secret"`,
			`displayName eq "Shared Name"`,
			`active eq false`,
			`userName pr`,
			`not (id eq "` + a1 + `")`,
			`meta.created gt "2000-01-01T00:00:00Z"`,
		}
		leaks := func(what string, l obj) {
			t.Helper()
			for _, id := range ids(l) {
				if slices.Contains(aIDs, id) {
					t.Errorf("%s with B's token returns A's user %s", what, id)
				}
				if !slices.Contains(bIDs, id) {
					t.Errorf("%s with B's token returns %s, not one of B's users", what, id)
				}
			}
			if total(l) > len(bIDs) {
				t.Errorf("%s with B's token: totalResults %d counts users of other workspaces", what, total(l))
			}
		}
		for _, f := range filters {
			leaks("filter "+f, e.list(t, e.TokenB, base+"/Users?count=1000&filter="+encodeFilter(f)))
			s := e.B(t, "POST", base+"/Users/.search", obj{"schemas": arr{urnSearch}, "filter": f, "count": 1000})
			wantStatus(t, s, http.StatusOK)
			leaks(".search "+f, s.Body)
		}
		all := e.list(t, e.TokenB, base+"/Users")
		leaks("list", all)
		if !sameSet(ids(all), bIDs) {
			t.Errorf("B's list: %v, want %v", ids(all), bIDs)
		}
		for _, q := range []string{"?count=0", "?startIndex=2&count=1", "?sortBy=userName", "?sortBy=" + urnAccount + ":email&sortOrder=descending", "?attributes=id"} {
			leaks("list "+q, e.list(t, e.TokenB, base+"/Users"+q))
		}
		// And the other way round: A never sees B's users.
		for _, id := range ids(e.list(t, e.TokenA, base+"/Users")) {
			if slices.Contains(bIDs, id) {
				t.Errorf("A's list shows B's user %s", id)
			}
		}
		wantJSON(t, "A's shared@example.com", ids(e.filterA(t, `userName eq "shared@example.com"`)), []string{a1})
	})
}

func TestIsolationSameUserNameInBothWorkspaces(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		a := e.create(t, e.TokenA, newUser("Same.Name@example.com", "displayName", "In A"))
		b := e.create(t, e.TokenB, newUser("same.name@example.com", "displayName", "In B"))
		if a["id"] == b["id"] {
			t.Fatalf("both workspaces' users got id %v", a["id"])
		}
		// Each workspace's uniqueness still holds on its own.
		wantError(t, e.B(t, "POST", base+"/Users", newUser("SAME.NAME@example.com")), http.StatusConflict, "uniqueness")
		// Renames: B may take a userName that only A uses.
		bOther := getStr(e.create(t, e.TokenB, newUser("other@example.com")), "id")
		e.createA(t, "only.in.a@example.com")
		wantStatus(t, e.B(t, "PATCH", base+"/Users/"+bOther, patchOps(op("replace", "userName", "only.in.a@example.com"))), http.StatusOK)
		// Deleting in one workspace leaves the other alone.
		wantStatus(t, e.B(t, "DELETE", base+"/Users/"+getStr(b, "id"), nil), http.StatusNoContent)
		if u := e.getUser(t, e.TokenA, getStr(a, "id")); u["displayName"] != "In A" {
			t.Errorf("A's user changed: %s", jsonString(u))
		}
		// A client-chosen id in B's body cannot touch A's user.
		forged := newUser("forged@example.com")
		forged["id"] = getStr(a, "id")
		r := e.B(t, "POST", base+"/Users", forged)
		wantStatus(t, r, http.StatusCreated)
		if r.Body["id"] == a["id"] {
			t.Errorf("B's POST took A's id")
		}
		wantJSON(t, "A's user after B's requests", withoutVolatile(e.getUser(t, e.TokenA, getStr(a, "id"))), withoutVolatile(a))
	})
}

func TestIsolationTokensAreIndependent(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.createA(t, "a@example.com")
		wantStatus(t, e.B(t, "GET", base+"/Users", nil), http.StatusOK)
		// Revoking B's token leaves A's working.
		e.revokeToken(t, e.TokenBID)
		wantError(t, e.B(t, "GET", base+"/Users", nil), http.StatusUnauthorized, "")
		if n := total(e.list(t, e.TokenA, base+"/Users")); n != 1 {
			t.Errorf("A sees %d users after B's token was revoked", n)
		}
		// A new token of B sees B's (empty) workspace only.
		newB, _ := e2eNewToken(t, e.Store, e.WSB.ID)
		if n := total(e.list(t, newB, base+"/Users")); n != 0 {
			t.Errorf("B's new token sees %d users", n)
		}
	})
}
