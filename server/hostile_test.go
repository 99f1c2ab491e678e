package server_test

// Hostile input through the real handler, on every backend: a table of
// several hundred requests generated from payload generators × endpoints
// (wrong types for each attribute, huge strings, deep nesting, invalid
// UTF-8, NUL bytes, duplicate keys, SQL and JSON injection in filters,
// paths, ids and values, absurd paging, unknown schemas, bad PATCH
// operations, bad media types, non-object bodies, hostile ids and paths).
//
// Each case says what it expects:
//
//   - hReject: a 4xx SCIM error, and a snapshot of both workspaces (every
//     user's full JSON from GET /Users?count=1000, by id, plus the
//     unfiltered totalResults) is the same after as before;
//   - hValid: the input is in fact valid (the case says why): a 2xx, the
//     case's own checks, and no user changes but the ones the case made
//     for itself (its scratch user, the user it created);
//   - hEither: Birdie may reasonably accept or refuse (the case says why):
//     a 4xx as hReject or a 2xx as hValid.
//
// Never a 5xx, never a 3xx, never a non-SCIM body. A case that wrongly
// changed the store is undone (the fixture restored) so that one failure
// does not cascade into the next cases.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"birdie/server"
)

type hKind int

const (
	hReject hKind = iota
	hValid
	hEither
)

func (k hKind) String() string { return [...]string{"reject", "valid", "either"}[k] }

// hCase is one hostile request. path is under /scim/v2 and may hold
// {id} (the victim: A's richest user), {zoe} (A's user whose userName is
// not an email), {scratch} (a user created for this case alone, deleted
// after it) and {idB} (a user of workspace B).
type hCase struct {
	group, name  string
	method, path string
	body         any // nil, string, []byte, io.Reader (chunked) or a JSON value
	hdr          []string
	kind         hKind
	status       int    // exact status wanted; 0: any 4xx (reject) or 2xx (valid)
	scimType     string // reject: the scimType wanted, if any
	why          string // valid/either: why the input is acceptable
	check        func(t *testing.T, c *hCtx, r *response)
}

// hCtx is what a case's check can look at.
type hCtx struct {
	h             *hRun
	before        hSnap // workspace A before the request
	scratch       string
	scratchBefore obj // the scratch user before the request
}

func reject(group, name, method, path string, body any, status int, scimType string, hdr ...string) hCase {
	return hCase{group: group, name: name, method: method, path: path, body: body, hdr: hdr, kind: hReject, status: status, scimType: scimType}
}

func valid(group, name, method, path string, body any, status int, why string, check func(*testing.T, *hCtx, *response), hdr ...string) hCase {
	return hCase{group: group, name: name, method: method, path: path, body: body, hdr: hdr, kind: hValid, status: status, why: why, check: check}
}

func either(group, name, method, path string, body any, why string, check func(*testing.T, *hCtx, *response), hdr ...string) hCase {
	return hCase{group: group, name: name, method: method, path: path, body: body, hdr: hdr, kind: hEither, why: why, check: check}
}

// --- the fixture ----------------------------------------------------------

// The victim: every kind of attribute, so that a wrongly applied write
// shows in its JSON.
func hVictimBody() obj {
	return obj{
		"schemas":     arr{urnUser, urnEnterprise},
		"userName":    "alice@example.com",
		"externalId":  "ext-alice",
		"displayName": "Alice Example",
		"nickName":    "Al",
		"title":       "Engineer",
		"active":      true,
		"name":        obj{"givenName": "Alice", "familyName": "Example", "formatted": "Alice Example"},
		"emails": arr{
			obj{"value": "alice@work.example.com", "type": "work", "primary": true},
			obj{"value": "alice@home.example.com", "type": "home"},
		},
		"phoneNumbers": arr{obj{"value": "+1 555 0100", "type": "work"}},
		"addresses":    arr{obj{"type": "work", "locality": "Zürich", "country": "CH"}},
		"roles":        arr{obj{"value": "admin"}},
		urnEnterprise:  obj{"employeeNumber": "42", "department": "R&D", "manager": obj{"value": "boss-id"}},
	}
}

type hFixtureUser struct {
	key, token string
	body       obj
}

// hFixture: A holds the victim, an inactive user and a user whose userName
// is not an email address; B holds one user. No userName, email or
// displayName contains '%', '_' or '\' (LIKE wildcards must match
// literally, so filters on them must find nothing).
func hFixture(e *env) []hFixtureUser {
	return []hFixtureUser{
		{"id", e.TokenA, hVictimBody()},
		{"bob", e.TokenA, obj{"schemas": arr{urnUser}, "userName": "bob@example.com", "displayName": "Bob", "active": false}},
		{"zoe", e.TokenA, obj{"schemas": arr{urnUser}, "userName": "zoë", "active": true, "name": obj{"givenName": "Zoë"},
			"emails": arr{obj{"value": "zoe@example.com", "type": "work"}}}},
		{"idB", e.TokenB, obj{"schemas": arr{urnUser}, "userName": "victim-b@example.com", "active": true, "title": "B's"}},
	}
}

// hRun is one backend's run of the table.
type hRun struct {
	e       *env
	fixture []hFixtureUser
	ids     map[string]string // fixture key -> id
	seq     int
}

func newHRun(t *testing.T, e *env) *hRun {
	h := &hRun{e: e, fixture: hFixture(e), ids: map[string]string{}}
	for _, f := range h.fixture {
		h.ids[f.key] = getStr(e.create(t, f.token, f.body), "id")
	}
	return h
}

func (h *hRun) next() int { h.seq++; return h.seq }

// hSnap is a workspace as its list shows it.
type hSnap struct {
	total int
	users map[string]string // id -> the user's full JSON
}

func (h *hRun) snap(t *testing.T, token string) hSnap {
	t.Helper()
	r := h.e.As(t, token, "GET", base+"/Users?count=1000", nil)
	wantStatus(t, r, http.StatusOK)
	res, _ := r.Body["Resources"].([]any)
	s := hSnap{total: total(r.Body), users: map[string]string{}}
	if s.total != len(res) {
		t.Errorf("the unfiltered list says totalResults %d but lists %d users", s.total, len(res))
	}
	if n, _ := r.Body["itemsPerPage"].(float64); int(n) != len(res) {
		t.Errorf("itemsPerPage %v for %d resources", r.Body["itemsPerPage"], len(res))
	}
	for _, u := range res {
		s.users[getStr(u, "id")] = jsonString(u)
	}
	return s
}

// diff describes how after differs from before, ignoring the given ids.
func (s hSnap) diff(after hSnap, ignore map[string]bool) []string {
	var out []string
	ids := map[string]bool{}
	for id := range s.users {
		ids[id] = true
	}
	for id := range after.users {
		ids[id] = true
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	slices.Sort(sorted)
	for _, id := range sorted {
		if ignore[id] {
			continue
		}
		b, inB := s.users[id]
		a, inA := after.users[id]
		switch {
		case !inA:
			out = append(out, fmt.Sprintf("user %s disappeared: %s", id, truncate(b, 400)))
		case !inB:
			out = append(out, fmt.Sprintf("user %s appeared: %s", id, truncate(a, 400)))
		case a != b:
			out = append(out, fmt.Sprintf("user %s changed:\n  before %s\n   after %s", id, truncate(b, 600), truncate(a, 600)))
		}
	}
	extra := 0
	for id := range ignore {
		_, inB := s.users[id]
		_, inA := after.users[id]
		if inA && !inB {
			extra++
		}
		if inB && !inA {
			extra--
		}
	}
	if after.total != s.total+extra {
		out = append(out, fmt.Sprintf("totalResults went from %d to %d (%+d expected from the case's own users)", s.total, after.total, extra))
	}
	return out
}

// restore puts the fixture back after a case that changed it wrongly:
// unknown users deleted, fixture users recreated or PUT back.
func (h *hRun) restore(t *testing.T) {
	t.Helper()
	keep := map[string]bool{}
	for _, f := range h.fixture {
		id := h.ids[f.key]
		keep[id] = true
		r := h.e.As(t, f.token, "GET", base+"/Users/"+id, nil)
		if r.Status == http.StatusNotFound {
			h.ids[f.key] = getStr(h.e.create(t, f.token, f.body), "id")
			keep[h.ids[f.key]] = true
			continue
		}
		wantStatus(t, h.e.As(t, f.token, "PUT", base+"/Users/"+id, f.body), http.StatusOK)
	}
	for _, tok := range []string{h.e.TokenA, h.e.TokenB} {
		for id := range h.snap(t, tok).users {
			if !keep[id] {
				wantStatus(t, h.e.As(t, tok, "DELETE", base+"/Users/"+id, nil), http.StatusNoContent)
			}
		}
	}
}

func (h *hRun) newScratch(t *testing.T) (string, obj) {
	t.Helper()
	n := h.next()
	u := h.e.create(t, h.e.TokenA, obj{"schemas": arr{urnUser}, "userName": fmt.Sprintf("scratch-%d@example.com", n), "title": "scratch", "active": true,
		"emails": arr{obj{"value": fmt.Sprintf("scratch-%d@work.example.com", n), "type": "work", "primary": true}, obj{"value": fmt.Sprintf("scratch-%d@home.example.com", n), "type": "home"}}})
	return getStr(u, "id"), u
}

func (h *hRun) expand(s, scratch string) string {
	for k, id := range h.ids {
		s = strings.ReplaceAll(s, "{"+k+"}", id)
	}
	return strings.ReplaceAll(s, "{scratch}", scratch)
}

// run sends one case and checks its outcome.
func (h *hRun) run(t *testing.T, c hCase) {
	t.Helper()
	e := h.e
	ctx := &hCtx{h: h}
	if strings.Contains(c.path, "{scratch}") || strings.Contains(fmt.Sprint(c.body), "{scratch}") {
		ctx.scratch, ctx.scratchBefore = h.newScratch(t)
	}
	ctx.before = h.snap(t, e.TokenA)
	beforeB := h.snap(t, e.TokenB)
	path := h.expand(c.path, ctx.scratch)
	body := c.body
	if s, ok := body.(string); ok {
		body = h.expand(s, ctx.scratch)
	}
	r := e.A(t, c.method, base+path, body, c.hdr...)

	ignore := map[string]bool{}
	if ctx.scratch != "" {
		ignore[ctx.scratch] = true
	}
	created := ""
	if c.method == "POST" && r.Status == http.StatusCreated {
		created = getStr(r.Body, "id")
		ignore[created] = true
	}

	kind := c.kind
	if kind == hEither {
		kind = hValid
		if r.Status >= 400 && r.Status < 500 {
			kind = hReject
		}
	}
	ok := true
	switch {
	case r.Status >= 500:
		t.Errorf("%s %s -> %d: a server error for a client's input (want %s): %s", c.method, path, r.Status, c.kind, truncate(string(r.Raw), 600))
		ok = false
	case kind == hReject:
		if r.Status < 400 || r.Status > 499 || c.status != 0 && r.Status != c.status {
			want := "a 4xx"
			if c.status != 0 {
				want = strconv.Itoa(c.status)
			}
			t.Errorf("%s %s -> %d, want %s SCIM error: %s", c.method, path, r.Status, want, truncate(string(r.Raw), 600))
			ok = false
		} else {
			scimType := c.scimType
			if c.kind == hEither {
				scimType = ""
			}
			checkErrorBody(t, r, scimType)
			if c.kind == hReject {
				ignore = nil // a rejected request changes nothing at all
			}
		}
	default: // valid
		if r.Status < 200 || r.Status > 299 || c.status != 0 && r.Status != c.status {
			want := "a 2xx"
			if c.status != 0 {
				want = strconv.Itoa(c.status)
			}
			t.Errorf("%s %s -> %d, want %s (valid: %s): %s", c.method, path, r.Status, want, c.why, truncate(string(r.Raw), 600))
			ok = false
		} else if c.check != nil {
			c.check(t, ctx, r)
		}
	}
	changed := false
	for ws, pair := range map[string][2]hSnap{"A": {ctx.before, h.snap(t, e.TokenA)}, "B": {beforeB, h.snap(t, e.TokenB)}} {
		ign := ignore
		if ws == "B" {
			ign = nil
		}
		if d := pair[0].diff(pair[1], ign); len(d) > 0 {
			t.Errorf("%s %s -> %d changed workspace %s (%s case):\n%s", c.method, path, r.Status, ws, c.kind, strings.Join(d, "\n"))
			changed = true
		}
	}
	if ctx.scratch != "" {
		e.A(t, "DELETE", base+"/Users/"+ctx.scratch, nil)
	}
	if created != "" {
		e.A(t, "DELETE", base+"/Users/"+created, nil)
	}
	if changed || !ok && r.Status >= 200 && r.Status < 300 {
		h.restore(t)
	}
}

// --- checks for valid cases -------------------------------------------------

// listOf checks a 200 ListResponse and returns its resources.
func listOf(t *testing.T, r *response) []any {
	t.Helper()
	if !hasString(r.Body["schemas"], urnList) {
		t.Errorf("not a ListResponse: %s", truncate(string(r.Raw), 300))
	}
	res, _ := r.Body["Resources"].([]any)
	if n, _ := r.Body["itemsPerPage"].(float64); int(n) != len(res) {
		t.Errorf("itemsPerPage %v for %d resources", r.Body["itemsPerPage"], len(res))
	}
	return res
}

// matchesNothing: a valid filter no user matches.
func matchesNothing(t *testing.T, c *hCtx, r *response) {
	t.Helper()
	if res := listOf(t, r); total(r.Body) != 0 || len(res) != 0 {
		t.Errorf("the filter matches nothing, but totalResults is %d with %d resources: %s", total(r.Body), len(res), truncate(string(r.Raw), 600))
	}
}

// matchesIDs: a valid filter that matches exactly the fixture users named.
func matchesIDs(keys ...string) func(*testing.T, *hCtx, *response) {
	return func(t *testing.T, c *hCtx, r *response) {
		t.Helper()
		listOf(t, r)
		var want []string
		for _, k := range keys {
			want = append(want, c.h.ids[k])
		}
		got := ids(r.Body)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || total(r.Body) != len(want) {
			t.Errorf("matched %v (totalResults %d), want exactly %v", got, total(r.Body), want)
		}
	}
}

// pageOf: a valid page of the whole workspace, of at most max users.
func pageOf(max int) func(*testing.T, *hCtx, *response) {
	return func(t *testing.T, c *hCtx, r *response) {
		t.Helper()
		res := listOf(t, r)
		if total(r.Body) != c.before.total {
			t.Errorf("totalResults %d, want the unfiltered total %d", total(r.Body), c.before.total)
		}
		if len(res) > max {
			t.Errorf("%d resources on a page of at most %d", len(res), max)
		}
	}
}

// scratchUnchanged: a valid PATCH that must leave the scratch user's
// attributes as they were.
func scratchUnchanged(t *testing.T, c *hCtx, r *response) {
	t.Helper()
	wantJSON(t, "the scratch user after a PATCH that changes nothing", hWithoutMeta(r.Body), hWithoutMeta(c.scratchBefore))
}

func hWithoutMeta(u obj) obj {
	c := normalize(u).(obj)
	delete(c, "meta")
	return c
}

// echoes: the response user (and GET of it, and the userName filter)
// holds exactly these values.
func echoes(want obj) func(*testing.T, *hCtx, *response) {
	return func(t *testing.T, c *hCtx, r *response) {
		t.Helper()
		wantSubset(t, "the stored user", r.Body, want)
		id := getStr(r.Body, "id")
		g := c.h.e.A(t, "GET", base+"/Users/"+id, nil)
		if checkStatus(t, g, http.StatusOK) {
			wantJSON(t, "GET after the write", g.Body, r.Body)
		}
		un := getStr(r.Body, "userName")
		q, _ := json.Marshal(un)
		f := c.h.e.A(t, "GET", base+"/Users?filter="+encodeFilter("userName eq "+string(q)), nil)
		if checkStatus(t, f, http.StatusOK) {
			if got := ids(f.Body); len(got) != 1 || got[0] != id {
				t.Errorf("userName eq %s finds %v, want exactly %s", q, got, id)
			}
		}
	}
}

// --- generators -------------------------------------------------------------

func hMerge(a, b obj) obj {
	out := obj{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func hPatch(ops ...obj) obj { return patchOps(ops...) }

// hWrongTypes: every attribute with values of the wrong JSON type, through
// POST, PUT, PATCH with a path and PATCH without one.
func (h *hRun) hWrongTypes() []hCase {
	const g = "wrong type"
	set := func(name string) func(any) obj { return func(v any) obj { return obj{name: v} } }
	ent := func(name string) func(any) obj { return func(v any) obj { return obj{urnEnterprise: obj{name: v}} } }
	notString := []any{42, 1e308, true, arr{"x"}, obj{"value": "x"}}
	notBool := []any{42, "yes", "", arr{true}, obj{}}
	notMulti := func(sub string) []any { return []any{42, true, "x", arr{obj{sub: 42}}, arr{arr{42}}} }
	attrs := []struct {
		name, path string
		member     func(any) obj
		bad        []any
	}{
		{"userName", "userName", set("userName"), notString},
		{"displayName", "displayName", set("displayName"), notString},
		{"nickName", "nickName", set("nickName"), notString},
		{"title", "title", set("title"), notString},
		{"externalId", "externalId", set("externalId"), notString},
		{"profileUrl", "profileUrl", set("profileUrl"), notString},
		{"locale", "locale", set("locale"), notString},
		{"timezone", "timezone", set("timezone"), notString},
		{"name.givenName", "name.givenName", func(v any) obj { return obj{"name": obj{"givenName": v}} }, notString},
		{"emails.value", `emails[type eq "work"].value`, func(v any) obj { return obj{"emails": arr{obj{"value": v, "type": "work"}}} }, notString},
		{"emails.type", `emails[value eq "alice@work.example.com"].type`, func(v any) obj { return obj{"emails": arr{obj{"value": "x@example.com", "type": v}}} }, notString},
		{"addresses.locality", `addresses[type eq "work"].locality`, func(v any) obj { return obj{"addresses": arr{obj{"type": "work", "locality": v}}} }, notString},
		{"employeeNumber", urnEnterprise + ":employeeNumber", ent("employeeNumber"), notString},
		{"manager.value", urnEnterprise + ":manager.value", func(v any) obj { return obj{urnEnterprise: obj{"manager": obj{"value": v}}} }, notString},
		{"active", "active", set("active"), notBool},
		{"emails.primary", `emails[type eq "work"].primary`, func(v any) obj { return obj{"emails": arr{obj{"value": "x@example.com", "primary": v}}} }, notBool},
		{"name", "name", set("name"), []any{42, true, "Alice", arr{"x"}, obj{"givenName": 42}}},
		{"manager", urnEnterprise + ":manager", ent("manager"), []any{42, true, arr{"a", "b"}, obj{"value": 42}}},
		{"emails", "emails", set("emails"), notMulti("value")},
		{"phoneNumbers", "phoneNumbers", set("phoneNumbers"), notMulti("value")},
		{"addresses", "addresses", set("addresses"), notMulti("locality")},
		{"roles", "roles", set("roles"), notMulti("value")},
		{"x509Certificates", "x509Certificates", set("x509Certificates"), notMulti("value")},
		{"enterprise extension", urnEnterprise, set(urnEnterprise), []any{42, "x", arr{obj{}}}},
	}
	var cases []hCase
	for _, a := range attrs {
		for _, v := range a.bad {
			label := fmt.Sprintf("%s=%s", a.name, truncate(jsonString(v), 30))
			post := hMerge(obj{"schemas": arr{urnUser}, "userName": fmt.Sprintf("wrong-%d@example.com", h.next())}, a.member(v))
			put := hMerge(obj{"schemas": arr{urnUser}, "userName": "alice@example.com"}, a.member(v))
			cases = append(cases,
				reject(g, "POST "+label, "POST", "/Users", post, 400, "invalidValue"),
				reject(g, "PUT "+label, "PUT", "/Users/{id}", put, 400, "invalidValue"),
				reject(g, "PATCH path "+label, "PATCH", "/Users/{id}", hPatch(op("replace", a.path, v)), 400, "invalidValue"),
				reject(g, "PATCH pathless "+label, "PATCH", "/Users/{id}", hPatch(op("add", "", obj{a.path: v})), 400, "invalidValue"),
			)
		}
	}
	return cases
}

// hHuge: bodies at and over the 1 MiB limit, indexed values over 1024
// bytes, filters and paths over 4096 bytes, too many operations, huge ids.
func (h *hRun) hHuge() []hCase {
	const g = "huge"
	const limit = 1 << 20
	// A create body of exactly n bytes whose title pads it out.
	sized := func(n int, userName string) string {
		head := `{"schemas":["` + urnUser + `"],"userName":"` + userName + `","title":"`
		return head + strings.Repeat("t", n-len(head)-2) + `"}`
	}
	patchSized := func(n int) string {
		head := `{"Operations":[{"op":"replace","path":"title","value":"`
		return head + strings.Repeat("p", n-len(head)-4) + `"}]}`
	}
	searchSized := func(n int) string {
		head := `{"filter":"title eq \"`
		return head + strings.Repeat("s", n-len(head)-3) + `\""}`
	}
	titleLen := func(n int) func(*testing.T, *hCtx, *response) {
		return func(t *testing.T, c *hCtx, r *response) {
			if got := len(getStr(r.Body, "title")); got < n-200 {
				t.Errorf("title of %d bytes stored, want the whole ~%d", got, n)
			}
		}
	}
	u := func() string { return fmt.Sprintf("huge-%d@example.com", h.next()) }
	name1024 := strings.Repeat("n", 1024-len("@example.com")) + "@example.com"
	name1025 := "n" + name1024
	name1025mb := strings.Repeat("n", 1024-len("@example.com")-1) + "é@example.com" // 1025 bytes, 1024 runes
	long := func(n int) string { return strings.Repeat("v", n) }
	ops := func(n int, last obj) obj {
		list := make([]obj, n)
		for i := range list {
			list[i] = op("replace", "title", fmt.Sprintf("t%d", i))
		}
		if last != nil {
			list[n-1] = last
		}
		return hPatch(list...)
	}
	return []hCase{
		valid(g, "POST body of exactly 1 MiB", "POST", "/Users", sized(limit, u()), 201, "the limit is inclusive; title is not indexed", titleLen(limit)),
		valid(g, "PUT body of exactly 1 MiB", "PUT", "/Users/{scratch}", sized(limit, "scratch-put@example.com"), 200, "as POST", titleLen(limit)),
		valid(g, "PATCH body of exactly 1 MiB", "PATCH", "/Users/{scratch}", patchSized(limit), 200, "as POST", titleLen(limit)),
		valid(g, "search body of exactly 1 MiB (long filter refused inside)", "POST", "/Users/.search", `{"count":1,"filter":null,"x":"`+long(limit-len(`{"count":1,"filter":null,"x":""}`))+`"}`, 200, "unknown search members are ignored", pageOf(1)),
		reject(g, "POST body of 1 MiB + 1", "POST", "/Users", sized(limit+1, u()), 413, ""),
		reject(g, "PUT body of 1 MiB + 1", "PUT", "/Users/{id}", sized(limit+1, "alice@example.com"), 413, ""),
		reject(g, "PATCH body of 1 MiB + 1", "PATCH", "/Users/{id}", patchSized(limit+1), 413, ""),
		reject(g, "search body of 1 MiB + 1", "POST", "/Users/.search", searchSized(limit+1), 413, ""),
		reject(g, "POST body of 3 MiB", "POST", "/Users", sized(3*limit, u()), 413, ""),
		reject(g, "POST chunked body over 1 MiB", "POST", "/Users", bytes.NewReader([]byte(sized(limit+4096, u()))), 413, ""),
		reject(g, "PATCH chunked body over 1 MiB", "PATCH", "/Users/{id}", bytes.NewReader([]byte(patchSized(2*limit))), 413, ""),
		reject(g, "POST userName just under 1 MiB", "POST", "/Users", obj{"userName": long(limit-100) + "@example.com"}, 400, "invalidValue"),
		valid(g, "POST userName of 1024 bytes", "POST", "/Users", obj{"userName": name1024}, 201, "1024 bytes is the documented maximum", echoes(obj{"userName": name1024})),
		reject(g, "POST userName of 1025 bytes", "POST", "/Users", obj{"userName": name1025}, 400, "invalidValue"),
		reject(g, "POST userName of 1025 bytes in 1024 runes", "POST", "/Users", obj{"userName": name1025mb}, 400, "invalidValue"),
		reject(g, "PUT userName of 1025 bytes", "PUT", "/Users/{id}", obj{"userName": name1025}, 400, "invalidValue"),
		reject(g, "PATCH userName of 1025 bytes", "PATCH", "/Users/{id}", hPatch(op("replace", "userName", name1025)), 400, "invalidValue"),
		reject(g, "PATCH pathless userName of 100 KB", "PATCH", "/Users/{id}", hPatch(op("replace", "", obj{"userName": long(100000)})), 400, "invalidValue"),
		reject(g, "POST displayName of 1025 bytes", "POST", "/Users", obj{"userName": u(), "displayName": long(1025)}, 400, "invalidValue"),
		reject(g, "POST externalId of 1025 bytes", "POST", "/Users", obj{"userName": u(), "externalId": long(1025)}, 400, "invalidValue"),
		reject(g, "POST emails value of 1025 bytes", "POST", "/Users", obj{"userName": u(), "emails": arr{obj{"value": long(1025)}}}, 400, "invalidValue"),
		reject(g, "PATCH emails value of 1025 bytes", "PATCH", "/Users/{id}", hPatch(op("add", "emails", arr{obj{"value": long(1025)}})), 400, "invalidValue"),
		reject(g, "PATCH displayName of 1025 bytes", "PATCH", "/Users/{id}", hPatch(op("replace", "displayName", long(1025))), 400, "invalidValue"),
		valid(g, "PATCH title of 100 KB", "PATCH", "/Users/{scratch}", hPatch(op("replace", "title", long(100000))), 200, "title is not indexed", titleLen(100000)),
		reject(g, "empty filter", "GET", "/Users?filter=", nil, 400, "invalidFilter"),
		reject(g, "filter of spaces", "GET", "/Users?filter=%20%20", nil, 400, "invalidFilter"),
		reject(g, "empty filter in a search", "POST", "/Users/.search", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":""}`, 400, "invalidFilter"),
		reject(g, "filter of 4097 bytes", "GET", "/Users?filter="+encodeFilter(`userName eq "`+long(4097-len(`userName eq ""`))+`"`), nil, 400, "invalidFilter"),
		reject(g, "search filter of 4097 bytes", "POST", "/Users/.search", obj{"filter": `userName eq "` + long(4097-len(`userName eq ""`)) + `"`}, 400, "invalidFilter"),
		reject(g, "search filter of 900 KB", "POST", "/Users/.search", obj{"filter": `userName eq "` + long(900000) + `"`}, 400, "invalidFilter"),
		valid(g, "filter of 4096 bytes", "GET", "/Users?filter="+encodeFilter(`userName eq "`+long(4096-len(`userName eq ""`))+`"`), nil, 200, "4096 bytes is the limit", matchesNothing),
		reject(g, "PATCH path of 4097 bytes", "PATCH", "/Users/{id}", hPatch(op("replace", `emails[value eq "`+long(4097-len(`emails[value eq ""]`))+`"]`, obj{"value": "x@example.com"})), 400, "invalidPath"),
		reject(g, "PATCH of 1001 operations", "PATCH", "/Users/{id}", ops(1001, nil), 400, "invalidValue"),
		valid(g, "PATCH of 1000 operations", "PATCH", "/Users/{scratch}", ops(1000, nil), 200, "1000 is the documented maximum", func(t *testing.T, c *hCtx, r *response) {
			if getStr(r.Body, "title") != "t999" {
				t.Errorf("title %q after 1000 replaces, want t999 (applied in order)", getStr(r.Body, "title"))
			}
		}),
		reject(g, "PATCH of 1000 operations, the last invalid", "PATCH", "/Users/{id}", ops(1000, op("replace", "active", "maybe")), 400, "invalidValue"),
		reject(g, "GET id of 10k characters", "GET", "/Users/"+long(10000), nil, 404, ""),
		reject(g, "DELETE id of 10k characters", "DELETE", "/Users/"+long(10000), nil, 404, ""),
		reject(g, "PATCH id of 10k characters", "PATCH", "/Users/"+long(10000), hPatch(op("replace", "title", "x")), 404, ""),
		valid(g, "attributes of 50 KB", "GET", "/Users?count=5&attributes="+strings.Repeat("userName,", 5000), nil, 200, "a projection naming userName many times", pageOf(5)),
		valid(g, "excludedAttributes of 50 KB of unknown names", "GET", "/Users?count=5&excludedAttributes="+strings.Repeat("nope,", 10000), nil, 200, "unknown names select nothing (documented)", pageOf(5)),
		reject(g, "cursor of 50 KB", "GET", "/Users?cursor="+long(50000), nil, 400, "invalidCursor"),
	}
}

// hDeep: 10k-deep arrays and objects wherever JSON goes, deep filters.
func (h *hRun) hDeep() []hCase {
	const g = "deep nesting"
	arrs := func(n int, inner string) string { return strings.Repeat("[", n) + inner + strings.Repeat("]", n) }
	objs := func(n int, inner string) string {
		return strings.Repeat(`{"givenName":`, n) + inner + strings.Repeat("}", n)
	}
	bodyObjs := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	var cases []hCase
	for _, n := range []int{10000, 10001, 100000} {
		for _, b := range []struct{ kind, body string }{{"arrays", arrs(n, "")}, {"objects", bodyObjs(n)}} {
			// 10000 levels is encoding/json's limit: the body parses, and
			// is then refused for what it lacks (or, for a search, its
			// unknown member "a" is ignored).
			label := fmt.Sprintf("%d nested %s", n, b.kind)
			cases = append(cases,
				reject(g, "POST body of "+label, "POST", "/Users", b.body, 400, ""),
				reject(g, "PUT body of "+label, "PUT", "/Users/{id}", b.body, 400, ""),
				reject(g, "PATCH body of "+label, "PATCH", "/Users/{id}", b.body, 400, "invalidSyntax"),
			)
			if n == 10000 && b.kind == "objects" {
				cases = append(cases, valid(g, "search body of "+label, "POST", "/Users/.search", b.body, 200, "within the JSON depth limit; unknown search members are ignored", pageOf(100)))
			} else {
				cases = append(cases, reject(g, "search body of "+label, "POST", "/Users/.search", b.body, 400, "invalidSyntax"))
			}
		}
	}
	u := func() string { return fmt.Sprintf(`"deep-%d@example.com"`, h.next()) }
	for _, at := range []struct{ name, value string }{
		{"title: 10k arrays", arrs(10000, "")},
		{"title: 10k objects", objs(10000, `"x"`)},
		{"title: 9000 arrays (within the JSON depth limit)", arrs(9000, `"x"`)},
		{"name: 9000 objects", objs(9000, `"x"`)},
		{"emails: 9000 arrays around an object with a number", arrs(9000, `{"value":1}`)},
		{"userName: 10k arrays", arrs(10000, `"x@example.com"`)},
	} {
		key, _, _ := strings.Cut(at.name, ":")
		cases = append(cases,
			reject(g, "POST "+at.name, "POST", "/Users", `{"userName":`+u()+`,"`+key+`":`+at.value+`}`, 400, ""),
			reject(g, "PATCH path "+at.name, "PATCH", "/Users/{id}", `{"Operations":[{"op":"replace","path":"`+key+`","value":`+at.value+`}]}`, 400, ""),
			reject(g, "PATCH pathless "+at.name, "PATCH", "/Users/{id}", `{"Operations":[{"op":"replace","value":{"`+key+`":`+at.value+`}}]}`, 400, ""),
		)
	}
	cases = append(cases,
		reject(g, "PATCH Operations of 10k arrays", "PATCH", "/Users/{id}", `{"Operations":`+arrs(10000, "")+`}`, 400, "invalidSyntax"),
		reject(g, "PATCH Operations of 9000 arrays", "PATCH", "/Users/{id}", `{"Operations":`+arrs(9000, `{"op":"add","path":"title","value":"x"}`)+`}`, 400, "invalidSyntax"),
		reject(g, "search filter of 33 nested parentheses", "POST", "/Users/.search", obj{"filter": strings.Repeat("(", 33) + `userName pr` + strings.Repeat(")", 33)}, 400, "invalidFilter"),
		reject(g, "filter of 2000 nested parentheses", "GET", "/Users?filter="+encodeFilter(strings.Repeat("(", 2000)+`userName pr`+strings.Repeat(")", 2000)), nil, 400, "invalidFilter"),
		reject(g, "filter of 1000 nested nots", "GET", "/Users?filter="+encodeFilter(strings.Repeat("not (", 1000)+`userName pr`+strings.Repeat(")", 1000)), nil, 400, "invalidFilter"),
		reject(g, "filter of 2000 unclosed parentheses", "GET", "/Users?filter="+encodeFilter(strings.Repeat("(", 2000)), nil, 400, "invalidFilter"),
		valid(g, "filter of 31 nested parentheses", "GET", "/Users?filter="+encodeFilter(strings.Repeat("(", 31)+`userName eq "bob@example.com"`+strings.Repeat(")", 31)), nil, 200, "32 is the documented depth", matchesIDs("bob")),
		reject(g, "PATCH path with 100 nested parentheses", "PATCH", "/Users/{id}", hPatch(op("replace", "emails["+strings.Repeat("(", 100)+`type eq "work"`+strings.Repeat(")", 100)+"].value", "x@example.com")), 400, "invalidFilter"),
		reject(g, "PATCH path with 2000 brackets", "PATCH", "/Users/{id}", hPatch(op("replace", strings.Repeat("emails[", 2000), "x")), 400, ""),
		either(g, "POST manager wrapped in 9000 one-element arrays", "POST", "/Users", `{"userName":`+u()+`,"`+urnEnterprise+`":{"manager":`+arrs(9000, `"boss"`)+`}}`,
			"a one-element array around the manager id is Entra's form; unwrapping it recursively is lenient but unambiguous",
			func(t *testing.T, c *hCtx, r *response) {
				wantJSON(t, "manager", get(r.Body, urnEnterprise, "manager"), obj{"value": "boss"})
			}),
		either(g, "POST emails wrapped in 9000 one-element arrays", "POST", "/Users", `{"userName":`+u()+`,"emails":`+arrs(9000, `"deep@example.com"`)+`}`,
			"emails elements may be bare strings (value) in a one-element array; unambiguous",
			func(t *testing.T, c *hCtx, r *response) {
				wantJSON(t, "emails", r.Body["emails"], arr{obj{"value": "deep@example.com"}})
			}),
	)
	return cases
}

// hEncoding: invalid UTF-8, NUL bytes, byte-order marks, other charsets.
func (h *hRun) hEncoding() []hCase {
	const g = "encoding"
	var cases []hCase
	u := func() string { return fmt.Sprintf("enc-%d", h.next()) }
	// Invalid UTF-8 is not JSON (RFC 8259 §8.1): decoding it would store
	// something the client did not send (U+FFFD), and two different
	// names would collide.
	for _, bad := range []string{"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"} {
		label := fmt.Sprintf("%q", bad)
		cases = append(cases,
			reject(g, "POST userName with invalid UTF-8 "+label, "POST", "/Users", `{"userName":"`+u()+bad+`@example.com"}`, 400, ""),
		)
	}
	cases = append(cases,
		reject(g, "PUT userName with invalid UTF-8", "PUT", "/Users/{id}", "{\"userName\":\"alice\xff@example.com\"}", 400, ""),
		reject(g, "PATCH value with invalid UTF-8", "PATCH", "/Users/{id}", "{\"Operations\":[{\"op\":\"replace\",\"path\":\"title\",\"value\":\"\xfe\xff\"}]}", 400, ""),
		reject(g, "PATCH path with invalid UTF-8", "PATCH", "/Users/{id}", "{\"Operations\":[{\"op\":\"replace\",\"path\":\"ti\xfftle\",\"value\":\"x\"}]}", 400, ""),
		reject(g, "POST key with invalid UTF-8", "POST", "/Users", "{\"userName\":\""+u()+"@example.com\",\"ti\xfftle\":\"x\"}", 400, ""),
		reject(g, "POST lone surrogate escape in userName", "POST", "/Users", `{"userName":"`+u()+`\ud800@example.com"}`, 400, ""),
		reject(g, "POST Latin-1 body labelled Latin-1", "POST", "/Users", "{\"userName\":\"jos\xe9-"+u()+"@example.com\"}", 400, "", "Content-Type", "application/scim+json; charset=iso-8859-1"),
		reject(g, "search filter with invalid UTF-8", "GET", "/Users?filter=userName%20eq%20%22%FF%22", nil, 400, "invalidFilter"),
		reject(g, "POST UTF-16 body", "POST", "/Users", hUTF16(`{"userName":"utf16@example.com"}`), 400, "invalidSyntax", "Content-Type", "application/scim+json; charset=utf-16"),
		reject(g, "POST body with a UTF-8 byte-order mark", "POST", "/Users", "\ufeff"+`{"userName":"bom@example.com"}`, 400, "invalidSyntax"),
		reject(g, "PATCH body with a UTF-8 byte-order mark", "PATCH", "/Users/{id}", "\ufeff"+`{"Operations":[{"op":"replace","path":"title","value":"x"}]}`, 400, "invalidSyntax"),
		// NUL bytes.
		reject(g, "POST raw NUL inside a string", "POST", "/Users", "{\"userName\":\"nul\x00@example.com\"}", 400, "invalidSyntax"),
		reject(g, "POST raw NUL after the object", "POST", "/Users", "{\"userName\":\"nul@example.com\"}\x00", 400, "invalidSyntax"),
		reject(g, "PATCH raw NUL in a path", "PATCH", "/Users/{id}", "{\"Operations\":[{\"op\":\"replace\",\"path\":\"title\x00\",\"value\":\"x\"}]}", 400, "invalidSyntax"),
		reject(g, "PATCH escaped NUL in a path", "PATCH", "/Users/{id}", `{"Operations":[{"op":"replace","path":"title\u0000","value":"x"}]}`, 400, "invalidPath"),
	)
	// An escaped NUL is valid JSON, but no identifier holds one, and
	// PostgreSQL text cannot: indexed values with NUL must be refused
	// alike on every backend.
	for _, at := range []struct {
		name string
		post obj
		op   obj
	}{
		{"userName", obj{"userName": "nul\x00" + u(), "emails": arr{obj{"value": "nul@example.com"}}}, op("replace", "userName", "alice\x00@example.com")},
		{"externalId", obj{"userName": u() + "@example.com", "externalId": "ext\x00"}, op("replace", "externalId", "ext\x00")},
		{"displayName", obj{"userName": u() + "@example.com", "displayName": "Nul\x00"}, op("replace", "displayName", "Nul\x00")},
		{"emails.value", obj{"userName": u() + "@example.com", "emails": arr{obj{"value": "x\x00@example.com"}}}, op("add", "emails", arr{obj{"value": "x\x00@example.com"}})},
	} {
		cases = append(cases,
			reject(g, "POST escaped NUL in "+at.name, "POST", "/Users", at.post, 400, "invalidValue"),
			reject(g, "PATCH escaped NUL in "+at.name, "PATCH", "/Users/{id}", hPatch(at.op), 400, "invalidValue"),
		)
	}
	title := "before\x00after \x01\x1f\u2028"
	cases = append(cases,
		valid(g, "POST escaped NUL and controls in title", "POST", "/Users", obj{"userName": u() + "@example.com", "title": title}, 201,
			"title is free text, not indexed: the characters round-trip exactly", echoes(obj{"title": title})),
		valid(g, "PATCH escaped NUL in title", "PATCH", "/Users/{scratch}", hPatch(op("replace", "title", title)), 200,
			"as POST", func(t *testing.T, c *hCtx, r *response) {
				if getStr(r.Body, "title") != title {
					t.Errorf("title %q, want %q", getStr(r.Body, "title"), title)
				}
			}),
	)
	for _, attr := range []string{"userName", "emails.value", "externalId", "displayName", "title", "urn:birdie:scim:schemas:extension:account:2.0:User:email"} {
		cases = append(cases, either(g, "filter "+attr+" eq a NUL", "GET", "/Users?filter="+encodeFilter(attr+` eq "a\u0000b"`), nil,
			"a NUL in a filter value is valid syntax that no user matches; refusing it is fine too", matchesNothing))
	}
	return cases
}

// hUTF16 encodes s as UTF-16LE with a byte-order mark.
func hUTF16(s string) []byte {
	b := []byte{0xff, 0xfe}
	for _, c := range utf16.Encode([]rune(s)) {
		b = append(b, byte(c), byte(c>>8))
	}
	return b
}

// hDuplicates: the same member twice (exactly: encoding/json keeps the
// last). Members that differ only in case: TestHostileCaseVariantMembers.
func (h *hRun) hDuplicates() []hCase {
	const g = "duplicate keys"
	n := h.next()
	return []hCase{
		valid(g, "POST userName twice", "POST", "/Users", fmt.Sprintf(`{"userName":"dup-first-%d@example.com","userName":"dup-last-%d@example.com"}`, n, n), 201,
			"duplicate names are valid JSON (RFC 8259 SHOULD); the last one wins, deterministically", echoes(obj{"userName": fmt.Sprintf("dup-last-%d@example.com", n)})),
		valid(g, "PUT title twice", "PUT", "/Users/{scratch}", `{"userName":"dup-put-`+strconv.Itoa(n)+`@example.com","title":"first","title":"last"}`, 200,
			"as POST", func(t *testing.T, c *hCtx, r *response) {
				if getStr(r.Body, "title") != "last" {
					t.Errorf("title %q, want the last one", getStr(r.Body, "title"))
				}
			}),
		valid(g, "PATCH op twice", "PATCH", "/Users/{scratch}", `{"Operations":[{"op":"remove","op":"replace","path":"title","value":"last-op"}]}`, 200,
			"as POST", func(t *testing.T, c *hCtx, r *response) {
				if getStr(r.Body, "title") != "last-op" {
					t.Errorf("title %q, want last-op (the last op, replace)", getStr(r.Body, "title"))
				}
			}),
		reject(g, "POST valid userName then a wrong-typed one", "POST", "/Users", fmt.Sprintf(`{"userName":"dup2-%d@example.com","userName":42}`, n), 400, "invalidValue"),
		reject(g, "PATCH Operations twice, the last empty", "PATCH", "/Users/{id}", `{"Operations":[{"op":"replace","path":"title","value":"x"}],"Operations":[]}`, 400, "invalidSyntax"),
	}
}

var hInjections = []string{
	`' OR 1=1 --`, `"; DROP TABLE users; --`, `\") or (1=1`, `' OR ''='`, `1' UNION SELECT id, hash FROM tokens --`,
	`%`, `_`, `%_%`, `\`, `*`, `'||'`, `$1`, `?`, `') OR ('1'='1`, `admin'--`, `1; SELECT pg_sleep(10)`,
	`{"$ne": null}`, `{"$gt": ""}`, `a@example.com" or userName pr or userName eq "`,
}

// hSplicesToValid is the injection that, spliced raw into a filter by a
// careless client, is a valid filter matching every user: that is the
// client's doing, so it is only sent quoted.
const hSplicesToValid = `a@example.com" or userName pr or userName eq "`

// hInjection: SQL and JSON injection in filter values and positions,
// sortBy, attributes, cursors, PATCH paths, ids, and values.
func (h *hRun) hInjection() []hCase {
	const g = "injection"
	var cases []hCase
	quote := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	templates := []string{"userName eq %s", "userName co %s", "emails.value sw %s", "externalId eq %s", "displayName ew %s"}
	rotate := []string{"title eq %s", "id eq %s", "name.givenName co %s", urnEnterprise + ":employeeNumber eq %s",
		`emails[value co %s]`, `emails[type eq "work"].value eq %s`, "urn:birdie:scim:schemas:extension:account:2.0:User:email sw %s"}
	for i, inj := range hInjections {
		for _, tpl := range templates {
			f := fmt.Sprintf(tpl, quote(inj))
			cases = append(cases, valid(g, "filter "+f, "GET", "/Users?filter="+encodeFilter(f), nil, 200, "a quoted value is data, matched literally", matchesNothing))
		}
		f := fmt.Sprintf(rotate[i%len(rotate)], quote(inj))
		cases = append(cases, valid(g, "search filter "+f, "POST", "/Users/.search", obj{"filter": f}, 200, "a quoted value is data", matchesNothing))
		if inj == hSplicesToValid {
			continue
		}
		cases = append(cases,
			either(g, "filter spliced raw "+inj, "GET", "/Users?filter="+encodeFilter(`userName eq "`+inj+`"`), nil,
				"spliced without escaping, the filter may or may not parse; if it does, it matches nothing", matchesNothing),
			either(g, "filter unquoted "+inj, "GET", "/Users?filter="+encodeFilter(`userName eq `+inj), nil,
				"bare values are accepted as strings; if it parses it matches nothing", matchesNothing),
		)
	}
	for _, f := range []string{
		`userName' OR 1=1 -- eq "x"`, `1=1`, `userName eq "x" or 1 eq 1`, `userName eq "x") or (1=1`, `userName eq "x"; DROP TABLE users`,
		`(SELECT 1) eq "x"`, `userName eq "x" -- comment`, `userName pr or 1=1`, `userName eq "x" union select`,
		`userName eq "x" or "1" eq "1"`, `' OR 1=1 --`, `userName eq`, `userName "x"`, `userName like "%"`, `userName eq "x" and`,
	} {
		cases = append(cases, reject(g, "filter "+f, "GET", "/Users?filter="+encodeFilter(f), nil, 400, "invalidFilter"))
	}
	cases = append(cases, either(g, "filter id eq 1 or id eq id", "GET", "/Users?filter="+encodeFilter(`id eq 1 or id eq id`), nil,
		"bare values are strings: id equal to \"1\" or to \"id\"; nothing matches", matchesNothing))
	// Raw ';' and broken escapes in the query string: Go's url.ParseQuery
	// refuses the pair. Whatever Birdie does, a filter must never be
	// ignored (README: "A filter Birdie cannot parse is 400 invalidFilter,
	// never ignored"): listing every user for it would make an IdP link
	// the wrong account.
	for _, q := range []string{
		`filter=userName%20eq%20%22x;y@example.com%22`,
		`filter=userName%20eq%20%22bob@example.com%22;`,
		`filter=userName%20eq%20%22%zz%22`,
		`filter=userName%20eq%20%22bob@example.com%22%`,
		`FILTER=userName%20eq%20%22nobody;%22`,
	} {
		cases = append(cases, either(g, "raw query "+q, "GET", "/Users?"+q, nil, "refused, or a filter that matches nothing (never ignored)", matchesNothing))
	}
	// Birdie refuses a query string it cannot parse whole, even when the
	// broken pair is not the filter: the client is told, nothing is
	// guessed.
	cases = append(cases,
		reject(g, "a broken unrelated parameter", "GET", "/Users?filter="+encodeFilter(`userName eq "bob@example.com"`)+"&x=1;2", nil, 400, "invalidFilter"),
	)
	for _, s := range []string{"userName%3BDROP%20TABLE%20users", "userName%20desc", "(CASE%20WHEN%201=1%20THEN%20userName%20END)", "userName,displayName", "1", "password", "' OR 1=1 --"} {
		cases = append(cases, reject(g, "sortBy "+s, "GET", "/Users?sortBy="+s, nil, 400, "invalidValue"))
	}
	for _, s := range []string{"asc%3B%20DROP%20TABLE%20users", "descending--", "1", "' OR 1=1 --"} {
		cases = append(cases, reject(g, "sortOrder "+s, "GET", "/Users?sortOrder="+s, nil, 400, "invalidValue"))
	}
	for _, s := range []string{"userName%20FROM%20users%3B%20--", "*", "' OR 1=1 --", "id,meta,(SELECT 1)"} {
		cases = append(cases,
			valid(g, "attributes "+s, "GET", "/Users?count=5&attributes="+s, nil, 200, "names Birdie does not know select nothing (documented)", pageOf(5)),
			valid(g, "excludedAttributes "+s, "GET", "/Users?count=5&excludedAttributes="+s, nil, 200, "as attributes", pageOf(5)),
		)
	}
	for _, s := range []string{"' OR 1=1 --", "eyJwayI6MX0", "eyJwayI6IicgT1IgMT0xIC0tIn0", "%00", "..%2F..%2F"} {
		cases = append(cases, reject(g, "cursor "+s, "GET", "/Users?cursor="+s, nil, 400, "invalidCursor"))
	}
	// PATCH paths.
	for _, p := range []string{
		`userName' OR 1=1 --`, `title; DROP TABLE users`, `emails[type eq "work" or 1 eq 1]`, `emails[value eq "x"]; DROP TABLE users`,
		`name.givenName' --`, `emails[type eq "work"].value' OR '1'='1`, `emails[value eq "x"] or 1=1`, `*`, `$where`,
		`title"`, `title","active":"false`, `emails[type eq "work"].value"]`, `") or (1=1`,
	} {
		cases = append(cases,
			reject(g, "PATCH path "+p, "PATCH", "/Users/{id}", hPatch(op("replace", p, "x")), 400, ""),
			reject(g, "PATCH pathless key "+p, "PATCH", "/Users/{id}", hPatch(op("replace", "", obj{p: "x"})), 400, ""),
		)
	}
	for _, p := range []string{`userName--`, `admin--`, `urn:evil:ext:userName`, `urn:x:y:1 OR 1`} {
		cases = append(cases, either(g, "PATCH unknown path "+p, "PATCH", "/Users/{scratch}", hPatch(op("replace", p, "x")),
			"a well-formed path to an attribute Birdie does not keep is ignored (documented)", scratchUnchanged))
	}
	for _, inj := range []string{`' OR 1=1 --`, `%`, `_`, `\") or (1=1`, `*`} {
		f := quote(inj)
		cases = append(cases,
			valid(g, "PATCH remove emails[value eq "+f+"]", "PATCH", "/Users/{scratch}", hPatch(op("remove", "emails[value eq "+f+"]", nil)), 200,
				"a filter matching nothing removes nothing (documented)", scratchUnchanged),
			valid(g, "PATCH remove emails[value co "+f+"]", "PATCH", "/Users/{scratch}", hPatch(op("remove", "emails[value co "+f+"]", nil)), 200,
				"co matches literally: no email contains it", scratchUnchanged),
		)
	}
	cases = append(cases,
		valid(g, "PATCH replace emails[type eq injection].value", "PATCH", "/Users/{scratch}",
			hPatch(op("replace", `emails[type eq "' OR 1=1 --"].value`, "new@example.com")), 200,
			"no element matches, so one is created from the filter's equality (documented); the others are untouched",
			func(t *testing.T, c *hCtx, r *response) {
				want := append(arr{}, c.scratchBefore["emails"].([]any)...)
				want = append(want, obj{"type": "' OR 1=1 --", "value": "new@example.com"})
				wantJSON(t, "emails", r.Body["emails"], want)
			}),
	)
	// Ids.
	hostileIDs := []string{
		"'%20OR%201=1%20--", "%22%20OR%20%22%22=%22", "1%3BDROP%20TABLE%20users", "*", "%25", "_", "..%2F..%2Fetc%2Fpasswd",
		"%00", "%FF", "%C0%AF", "1", "-1", "9223372036854775808", "{idB}", "{id}%00", "{id}%20", "%20{id}", "{id}'--", "{id}%25",
	}
	valids := map[string]any{
		"GET":    nil,
		"PUT":    obj{"userName": "alice@example.com", "title": "hijacked"},
		"PATCH":  hPatch(op("replace", "title", "hijacked")),
		"DELETE": nil,
	}
	for _, id := range hostileIDs {
		for _, m := range []string{"GET", "PUT", "PATCH", "DELETE"} {
			cases = append(cases, reject(g, m+" id "+id, m, "/Users/"+id, valids[m], 404, ""))
		}
	}
	for _, p := range []string{"/Users/../Users", "/Users/../../etc/passwd", "/Users/./{id}", "/Users/{id}/..", "/Users/%2E%2E", "/Users/%2e%2e/{id}", "/./Users", "/Users/{id}/../{idB}"} {
		cases = append(cases,
			reject(g, "GET dot segments "+p, "GET", p, nil, 0, ""),
			reject(g, "DELETE dot segments "+p, "DELETE", p, nil, 0, ""),
		)
	}
	cases = append(cases, either(g, "GET an encoded slash before the id", "GET", "/%55sers%2F{id}", nil, "the same user, or no such path", nil))
	for _, p := range []string{"/Users%00", "/Users/%00/x", "/Users/{id}/x", "/Users/{id}%2Fx", "/Us%00ers", "/scim/v2/Users"} {
		cases = append(cases, reject(g, "GET junk path "+p, "GET", p, nil, 404, ""))
	}
	cases = append(cases,
		valid(g, "GET percent-encoded letters", "GET", "/%55sers?count=1", nil, 200, "%55 is 'U': the same path", pageOf(1)),
	)
	// JSON injection in values: stored and returned verbatim, nothing
	// else set.
	n := h.next()
	inj1 := fmt.Sprintf(`inj-%d@example.com","active":false,"title":"pwned`, n)
	cases = append(cases,
		valid(g, "POST JSON in userName", "POST", "/Users", obj{"userName": inj1, "emails": arr{obj{"value": "inj@example.com"}}}, 201,
			"any string is a userName; it is data", func(t *testing.T, c *hCtx, r *response) {
				echoes(obj{"userName": inj1, "active": true})(t, c, r)
				if _, ok := r.Body["title"]; ok {
					t.Errorf("a title appeared: %s", r.Raw)
				}
			}),
		valid(g, "POST JSON in every string", "POST", "/Users", obj{
			"userName": fmt.Sprintf("inj2-%d@example.com", n), "displayName": `"},{"injected":true}`, "title": `</script><script>alert(1)</script>`,
			"externalId": `{"$ne":null}`, "nickName": `\u0000\"`, "emails": arr{obj{"value": `x@example.com"},{"value":"evil@example.com`}}}, 201,
			"strings are data", echoes(obj{"displayName": `"},{"injected":true}`, "title": `</script><script>alert(1)</script>`,
				"externalId": `{"$ne":null}`, "nickName": `\u0000\"`, "emails": arr{obj{"value": `x@example.com"},{"value":"evil@example.com`}}})),
		valid(g, "PATCH JSON in title", "PATCH", "/Users/{scratch}", hPatch(op("replace", "title", `","active":false,"userName":"x`)), 200,
			"strings are data", func(t *testing.T, c *hCtx, r *response) {
				if r.Body["active"] != true || getStr(r.Body, "userName") != getStr(c.scratchBefore, "userName") || getStr(r.Body, "title") != `","active":false,"userName":"x` {
					t.Errorf("the injected string leaked into other attributes: %s", r.Raw)
				}
			}),
		valid(g, "filter externalId eq a JSON string", "GET", "/Users?filter="+encodeFilter(`externalId eq "{\"$ne\":null}"`), nil, 200, "data, matched literally", matchesNothing),
	)
	return cases
}

// hPaging: absurd startIndex and count, as query parameters and as search
// request members.
func (h *hRun) hPaging() []hCase {
	const g = "paging"
	var cases []hCase
	huge := strings.Repeat("9", 300)
	validNums := []string{"-1", "0", "1", "%2B5", "-0", "%207", "1e3", "00000000000000000001", "9223372036854775808", "-9223372036854775809", huge, "-" + huge, "1000000"}
	badNums := []string{"abc", "", "1.5", "0x10", "NaN", "Inf", "1e", "--1", "%D9%A1%D9%A0", "5abc", "1%20OR%201=1", "1%3BDROP", "true", "null", "[1]"}
	for _, p := range []string{"count", "startIndex"} {
		for _, v := range validNums {
			max := 1000
			if p == "count" {
				if n, err := strconv.Atoi(strings.NewReplacer("%2B", "", "%20", "").Replace(v)); err == nil && n < max {
					max = clamp(n, 0, 1000)
				}
			}
			cases = append(cases, valid(g, p+"="+v, "GET", "/Users?"+p+"="+v, nil, 200, "out-of-range integers are clamped (RFC 7644 §3.4.2.4)", pageOf(max)))
		}
		for _, v := range badNums {
			cases = append(cases, reject(g, p+"="+v, "GET", "/Users?"+p+"="+v, nil, 400, "invalidValue"))
		}
		for _, v := range []string{"1e308", "-1e308", "1e19"} {
			cases = append(cases, either(g, p+"="+v, "GET", "/Users?"+p+"="+v, nil,
				"an integer written as a float beyond int64: clamped or refused (the query refuses, the search request clamps)", pageOf(1000)))
		}
		cases = append(cases, either(g, p+"=1_000", "GET", "/Users?"+p+"=1_000", nil, "Go's float syntax allows digit separators", pageOf(1000)))
	}
	for _, p := range []string{"count", "startIndex"} {
		for _, v := range []any{-1, 0, 1e308, -1e308, json.Number("9223372036854775808"), json.Number(huge), nil} {
			cases = append(cases, valid(g, fmt.Sprintf("search %s %v", p, v), "POST", "/Users/.search", obj{p: v}, 200, "clamped", pageOf(1000)))
		}
		for _, v := range []any{1.5, "10", true, arr{1}, obj{}, "abc"} {
			cases = append(cases, reject(g, fmt.Sprintf("search %s %v", p, v), "POST", "/Users/.search", obj{p: v}, 400, "invalidValue"))
		}
	}
	cases = append(cases,
		reject(g, "startIndex with cursor", "GET", "/Users?startIndex=1&cursor=", nil, 400, "invalidValue"),
		valid(g, "count=0 says the total", "GET", "/Users?count=0", nil, 200, "count=0 returns totalResults only", pageOf(0)),
	)
	return cases
}

func clamp(n, lo, hi int) int { return min(max(n, lo), hi) }

// hSchemas: unknown schemas and extensions, and the discovery endpoints.
func (h *hRun) hSchemas() []hCase {
	const g = "schemas"
	u := func() string { return fmt.Sprintf("schema-%d@example.com", h.next()) }
	n1, n2, n3 := u(), u(), u()
	return []hCase{
		valid(g, "POST unknown schemas", "POST", "/Users", obj{"schemas": arr{"urn:evil"}, "userName": n1}, 201,
			"schemas is not checked, IdPs send odd ones; everything Birdie keeps is named by attribute", echoes(obj{"userName": n1})),
		valid(g, "POST schemas of the wrong type", "POST", "/Users", obj{"schemas": 42, "userName": n2}, 201, "schemas is ignored", echoes(obj{"userName": n2})),
		valid(g, "POST an unknown extension trying to set core attributes", "POST", "/Users",
			obj{"userName": n3, "urn:evil:ext": obj{"userName": "hijack@example.com", "active": false, "id": "x"}, "urn:evil:ext:userName": "hijack2@example.com"}, 201,
			"unknown extensions are dropped (documented)", func(t *testing.T, c *hCtx, r *response) {
				echoes(obj{"userName": n3, "active": true})(t, c, r)
				if strings.Contains(string(r.Raw), "evil") || strings.Contains(string(r.Raw), "hijack") {
					t.Errorf("the unknown extension was kept: %s", r.Raw)
				}
			}),
		valid(g, "POST the account extension", "POST", "/Users", obj{"userName": "acct-" + u(), urnAccount: obj{"email": "evil@example.com"}}, 201,
			"the account extension is read-only and ignored on write", func(t *testing.T, c *hCtx, r *response) {
				if getStr(r.Body, urnAccount, "email") == "evil@example.com" {
					t.Errorf("the account email was taken from the body: %s", r.Raw)
				}
			}),
		valid(g, "PATCH with unknown schemas", "PATCH", "/Users/{scratch}", obj{"schemas": arr{"urn:evil"}, "Operations": arr{op("replace", "title", "ok")}}, 200,
			"PatchOp schemas are not checked", func(t *testing.T, c *hCtx, r *response) {
				if getStr(r.Body, "title") != "ok" {
					t.Errorf("title %q", getStr(r.Body, "title"))
				}
			}),
		either(g, "PATCH pathless unknown extension", "PATCH", "/Users/{scratch}", hPatch(op("add", "", obj{"urn:evil:ext:userName": "x", "urn:evil:ext": obj{"userName": "y"}})),
			"unknown extensions are ignored", scratchUnchanged),
		reject(g, "POST only unknown schemas", "POST", "/Users", obj{"schemas": arr{"urn:evil"}}, 400, "invalidValue"),
		reject(g, "POST userName only in an unknown extension", "POST", "/Users", obj{"urn:evil:ext": obj{"userName": u()}}, 400, "invalidValue"),
		reject(g, "PATCH remove the core schema", "PATCH", "/Users/{id}", hPatch(op("remove", urnUser, nil)), 400, "noTarget"),
		reject(g, "PATCH the account extension", "PATCH", "/Users/{id}", hPatch(op("replace", urnAccount, obj{"email": "evil@example.com"})), 400, "mutability"),
		reject(g, "PATCH the account email", "PATCH", "/Users/{id}", hPatch(op("replace", urnAccount+":email", "evil@example.com")), 400, "mutability"),
		reject(g, "PATCH an attribute the account extension lacks", "PATCH", "/Users/{id}", hPatch(op("add", urnAccount+":other", "x")), 400, "mutability"),
		reject(g, "PATCH the enterprise extension as a string", "PATCH", "/Users/{id}", hPatch(op("replace", urnEnterprise, "x")), 400, "invalidValue"),
		reject(g, "PATCH the core URN with a colon and nothing", "PATCH", "/Users/{id}", hPatch(op("replace", urnUser+":", "x")), 400, "invalidPath"),
		reject(g, "GET an unknown schema", "GET", "/Schemas/urn:evil", nil, 404, ""),
		reject(g, "GET a schema named by SQL", "GET", "/Schemas/'%20OR%201=1%20--", nil, 404, ""),
		reject(g, "GET an unknown resource type", "GET", "/ResourceTypes/Evil", nil, 404, ""),
		reject(g, "GET an unknown endpoint", "GET", "/Evil", nil, 404, ""),
		reject(g, "POST an unknown endpoint", "POST", "/Evil", obj{"userName": u()}, 404, ""),
		reject(g, "GET a group by a SQL id", "GET", "/Groups/'%20OR%201=1%20--", nil, 404, ""),
	}
}

// hPatchOps: PatchOp bodies that are wrong, on the victim; and
// preconditions.
func (h *hRun) hPatchOps() []hCase {
	const g = "bad PATCH"
	var cases []hCase
	for _, o := range []any{"copy", "move", "test", "", "add ", "a\x00dd", "ADD\u200b", 42, true, arr{"add"}, obj{}} {
		cases = append(cases, reject(g, "op "+jsonString(o), "PATCH", "/Users/{id}", hPatch(obj{"op": o, "path": "title", "value": "x"}), 400, "invalidSyntax"))
	}
	cases = append(cases,
		reject(g, "op missing", "PATCH", "/Users/{id}", hPatch(obj{"path": "title", "value": "x"}), 400, "invalidSyntax"),
		reject(g, "op null", "PATCH", "/Users/{id}", hPatch(obj{"op": nil, "path": "title", "value": "x"}), 400, "invalidSyntax"),
	)
	for _, p := range []any{42, true, arr{}, obj{}} {
		cases = append(cases, reject(g, "path "+jsonString(p), "PATCH", "/Users/{id}", hPatch(obj{"op": "replace", "path": p, "value": "x"}), 400, "invalidSyntax"))
	}
	for _, p := range []string{
		"emails[", "emails]", "emails[]", "emails[type eq]", `emails[type eq "work"`, "name.givenName.x", "..", ".", "a..b", "name.", ".name",
		`emails[type eq "work"]]`, `emails[type eq "work"].value.x`, `name[givenName eq "x"]`, `active[value eq true]`, `emails[type ne]`,
		`emails[type eq "work"] extra`, `emails[value eq "x" and]`, `emails[(type eq "work"]`, `emails[type eq "work"]value`, `emails.value[type eq "work"]`,
		`userName.x`, `emails[type eq "work"].`, "urn:", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:", "emails[type eq \"work\"]\x00",
	} {
		cases = append(cases, reject(g, "path "+p, "PATCH", "/Users/{id}", hPatch(op("replace", p, "x")), 400, ""))
	}
	for _, p := range []string{"id", "meta", "meta.created", "meta.version", "groups", "groups[value eq \"x\"]"} {
		cases = append(cases,
			reject(g, "replace read-only "+p, "PATCH", "/Users/{id}", hPatch(op("replace", p, "x")), 400, "mutability"),
			reject(g, "remove read-only "+p, "PATCH", "/Users/{id}", hPatch(op("remove", p, nil)), 400, "mutability"),
		)
	}
	for _, v := range []any{42, "x", arr{obj{"title": "x"}}, true} {
		cases = append(cases, reject(g, "add without path, value "+jsonString(v), "PATCH", "/Users/{id}", hPatch(op("add", "", v)), 400, "invalidValue"))
	}
	cases = append(cases,
		reject(g, "add without path, value null", "PATCH", "/Users/{id}", hPatch(obj{"op": "add", "value": nil}), 400, "invalidValue"),
		reject(g, "replace without path, value a non-JSON string", "PATCH", "/Users/{id}", hPatch(op("replace", "", "{not json")), 400, "invalidValue"),
		reject(g, "remove without path", "PATCH", "/Users/{id}", hPatch(op("remove", "", nil)), 400, "noTarget"),
		reject(g, "remove with a blank path", "PATCH", "/Users/{id}", hPatch(obj{"op": "remove", "path": "   "}), 400, "noTarget"),
		reject(g, "remove userName", "PATCH", "/Users/{id}", hPatch(op("remove", "userName", nil)), 400, "invalidValue"),
		reject(g, "replace userName with blanks", "PATCH", "/Users/{id}", hPatch(op("replace", "userName", " \t ")), 400, "invalidValue"),
		reject(g, "replace userName with null", "PATCH", "/Users/{id}", `{"Operations":[{"op":"replace","path":"userName","value":null}]}`, 400, "invalidValue"),
		reject(g, "remove the only email of a non-email userName", "PATCH", "/Users/{zoe}", hPatch(op("remove", "emails", nil)), 400, "invalidValue"),
		reject(g, "replace emails with [] on a non-email userName", "PATCH", "/Users/{zoe}", hPatch(op("replace", "emails", arr{})), 400, "invalidValue"),
		reject(g, "rename onto another user", "PATCH", "/Users/{id}", hPatch(op("replace", "userName", "BOB@example.com")), 409, "uniqueness"),
		reject(g, "PUT onto another user", "PUT", "/Users/{id}", obj{"userName": "Bob@Example.com"}, 409, "uniqueness"),
		reject(g, "POST a taken userName in another case", "POST", "/Users", obj{"userName": "ALICE@example.COM"}, 409, "uniqueness"),
		// Atomicity: the valid operations before the bad one are not kept.
		reject(g, "valid then unknown op", "PATCH", "/Users/{id}", hPatch(op("replace", "title", "changed"), op("copy", "title", "x")), 400, "invalidSyntax"),
		reject(g, "valid then wrong type", "PATCH", "/Users/{id}", hPatch(op("replace", "title", "changed"), op("replace", "active", "maybe")), 400, "invalidValue"),
		reject(g, "valid then read-only", "PATCH", "/Users/{id}", hPatch(op("add", "emails", arr{obj{"value": "new@example.com"}}), op("replace", "id", "x")), 400, "mutability"),
		reject(g, "valid then remove userName", "PATCH", "/Users/{id}", hPatch(op("replace", "displayName", "changed"), op("remove", "userName", nil)), 400, "invalidValue"),
		reject(g, "valid then a taken userName", "PATCH", "/Users/{id}", hPatch(op("replace", "title", "changed"), op("replace", "userName", "bob@example.com")), 409, "uniqueness"),
		// Operations.
		reject(g, "no Operations", "PATCH", "/Users/{id}", obj{"schemas": arr{urnPatchOp}}, 400, "invalidSyntax"),
		reject(g, "Operations empty", "PATCH", "/Users/{id}", obj{"Operations": arr{}}, 400, "invalidSyntax"),
		reject(g, "Operations an object", "PATCH", "/Users/{id}", obj{"Operations": op("replace", "title", "x")}, 400, "invalidSyntax"),
		reject(g, "Operations a string", "PATCH", "/Users/{id}", obj{"Operations": "replace title"}, 400, "invalidSyntax"),
		reject(g, "Operations null", "PATCH", "/Users/{id}", obj{"Operations": nil}, 400, "invalidSyntax"),
		reject(g, "Operations of numbers", "PATCH", "/Users/{id}", obj{"Operations": arr{42}}, 400, "invalidSyntax"),
		reject(g, "Operations of arrays", "PATCH", "/Users/{id}", obj{"Operations": arr{arr{}}}, 400, "invalidSyntax"),
		reject(g, "a user body sent as PATCH", "PATCH", "/Users/{id}", hVictimBody(), 400, "invalidSyntax"),
		// Preconditions.
		reject(g, "PATCH If-Match stale", "PATCH", "/Users/{id}", hPatch(op("replace", "title", "x")), 412, "", "If-Match", `W/"999"`),
		reject(g, "PATCH If-Match SQL", "PATCH", "/Users/{id}", hPatch(op("replace", "title", "x")), 412, "", "If-Match", `' OR 1=1 --`),
		reject(g, "PUT If-Match stale", "PUT", "/Users/{id}", obj{"userName": "alice@example.com"}, 412, "", "If-Match", `"999"`),
		reject(g, "DELETE If-Match garbage", "DELETE", "/Users/{id}", nil, 412, "", "If-Match", `W/"998", W/"999" ; DROP`),
	)
	return cases
}

// hBodies: bodies that are not one JSON object, on every writing endpoint.
func (h *hRun) hBodies() []hCase {
	const g = "not an object"
	bodies := []struct{ name, body string }{
		{"empty", ""}, {"blank", " \r\n\t "}, {"null", "null"}, {"array", "[]"}, {"array of a user", `[{"userName":"arr@example.com"}]`},
		{"string", `"userName"`}, {"number", "42"}, {"huge number", "-1e308"}, {"true", "true"}, {"open brace", "{"}, {"close brace", "}"},
		{"missing value", `{"userName":}`}, {"single quotes", `{'userName':'sq@example.com'}`}, {"trailing comma", `{"userName":"tc@example.com",}`},
		{"two objects", `{"userName":"two1@example.com"} {"userName":"two2@example.com"}`}, {"comment", `/* c */ {"userName":"c@example.com"}`},
		{"NaN", `{"userName":"nan@example.com","title":NaN}`}, {"object then garbage", `{"userName":"g@example.com"}garbage`},
		{"unquoted key", `{userName:"uq@example.com"}`}, {"hex number", `{"userName":"h@example.com","title":0x10}`},
	}
	var cases []hCase
	for _, b := range bodies {
		for _, ep := range []struct{ method, path string }{{"POST", "/Users"}, {"PUT", "/Users/{id}"}, {"PATCH", "/Users/{id}"}, {"POST", "/Users/.search"}} {
			cases = append(cases, reject(g, fmt.Sprintf("%s %s %s", ep.method, ep.path, b.name), ep.method, ep.path, b.body, 400, "invalidSyntax"))
		}
	}
	cases = append(cases,
		reject(g, "POST {}", "POST", "/Users", "{}", 400, "invalidValue"),
		reject(g, "PUT {}", "PUT", "/Users/{id}", "{}", 400, "invalidValue"),
		reject(g, "PATCH {}", "PATCH", "/Users/{id}", "{}", 400, "invalidSyntax"),
		valid(g, "search {}", "POST", "/Users/.search", "{}", 200, "a search without parameters lists everyone", pageOf(100)),
		reject(g, "POST chunked empty body", "POST", "/Users", bytes.NewReader(nil), 400, "invalidSyntax"),
	)
	return cases
}

// hMediaTypes: Content-Type and Content-Encoding that do not describe JSON.
func (h *hRun) hMediaTypes() []hCase {
	const g = "media type"
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(`{"userName":"gzip@example.com"}`))
	w.Close()
	u := fmt.Sprintf("ctype-%d@example.com", h.next())
	cases := []hCase{
		valid(g, "POST valid JSON labelled text/plain", "POST", "/Users", obj{"userName": u}, 201, "no content negotiation (checklist 4): the body is what counts", echoes(obj{"userName": u}), "Content-Type", "text/plain"),
		valid(g, "PATCH valid JSON without Content-Type", "PATCH", "/Users/{scratch}", hPatch(op("replace", "title", "no ctype")), 200, "as above", nil, "Content-Type", ""),
		reject(g, "POST gzip without decoding support", "POST", "/Users", gz.Bytes(), 400, "invalidSyntax", "Content-Encoding", "gzip"),
	}
	for _, ct := range []struct{ ct, body string }{
		{"application/xml", `<User><userName>x@example.com</userName></User>`},
		{"application/x-www-form-urlencoded", `userName=x%40example.com&active=true`},
		{"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"userName\"\r\n\r\nx@example.com\r\n--b--\r\n"},
		{"text/csv", "userName,active\nx@example.com,true\n"},
		{"application/scim+json", `userName=x@example.com`},
	} {
		cases = append(cases,
			reject(g, "POST "+ct.ct, "POST", "/Users", ct.body, 400, "invalidSyntax", "Content-Type", ct.ct),
			reject(g, "PUT "+ct.ct, "PUT", "/Users/{id}", ct.body, 400, "invalidSyntax", "Content-Type", ct.ct),
			reject(g, "PATCH "+ct.ct, "PATCH", "/Users/{id}", ct.body, 400, "invalidSyntax", "Content-Type", ct.ct),
		)
	}
	return cases
}

// hMethodsAndAuth: methods the routes do not have; hostile tokens.
func (h *hRun) hMethodsAndAuth() []hCase {
	const g = "method or token"
	cases := []hCase{
		reject(g, "TRACE /Users", "TRACE", "/Users", nil, 405, ""),
		reject(g, "OPTIONS /Users", "OPTIONS", "/Users", nil, 405, ""),
		reject(g, "PROPFIND /Users", "PROPFIND", "/Users", nil, 405, ""),
		reject(g, "DELETE /Users", "DELETE", "/Users", nil, 405, ""),
		reject(g, "PATCH /Users", "PATCH", "/Users", hPatch(op("replace", "active", false)), 405, ""),
		reject(g, "PUT /Users", "PUT", "/Users", obj{"userName": "all@example.com"}, 405, ""),
		reject(g, "POST /Users/{id}", "POST", "/Users/{id}", obj{"userName": "post-id@example.com"}, 405, ""),
		reject(g, "DELETE /Users/.search", "DELETE", "/Users/.search", nil, 404, ""),
	}
	for _, tok := range []string{
		"Bearer ' OR 1=1 --", "Bearer birdie_scim_' OR '1'='1", "Bearer " + strings.Repeat("a", 10000), "Bearer birdie_scim_" + strings.Repeat("a", 10000),
		"Bearer %00", "Bearer birdie_scim_%00", "Bearer birdie_scim_\u0430aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Basic ' OR 1=1 --",
	} {
		cases = append(cases,
			reject(g, "GET with token "+truncate(tok, 40), "GET", "/Users", nil, 401, "", "Authorization", tok),
			reject(g, "DELETE with token "+truncate(tok, 40), "DELETE", "/Users/{id}", nil, 401, "", "Authorization", tok),
		)
	}
	return cases
}

// hNoRateLimit: the table sends thousands of requests with one token.
func hNoRateLimit(c *server.Config) { c.RateLimit = -1 }

// TestHostileInputTable runs the whole table on every backend.
func TestHostileInputTable(t *testing.T) {
	if testing.Short() {
		t.Skip("the hostile-input table sends thousands of requests; skipped with -short")
	}
	eachBackendWith(t, hNoRateLimit, func(t *testing.T, e *env) {
		h := newHRun(t, e)
		var cases []hCase
		for _, gen := range []func() []hCase{h.hWrongTypes, h.hHuge, h.hDeep, h.hEncoding, h.hDuplicates, h.hInjection, h.hPaging, h.hSchemas, h.hPatchOps, h.hBodies, h.hMediaTypes, h.hMethodsAndAuth} {
			cases = append(cases, gen()...)
		}
		counts := map[hKind]int{}
		groups := map[string]int{}
		start := time.Now()
		for i, c := range cases {
			counts[c.kind]++
			groups[c.group]++
			t.Run(fmt.Sprintf("%04d %s: %s", i, c.group, c.name), func(t *testing.T) { h.run(t, c) })
		}
		var gs []string
		for g, n := range groups {
			gs = append(gs, fmt.Sprintf("%s %d", g, n))
		}
		slices.Sort(gs)
		t.Logf("%d hostile cases (%d reject, %d valid, %d either) in %v: %s", len(cases), counts[hReject], counts[hValid], counts[hEither],
			time.Since(start).Round(time.Millisecond), strings.Join(gs, ", "))
	})
}

// TestHostileLookalikeUserNames: userNames that look alike are different
// userNames unless Unicode simple case folding (the comparison behind
// userName uniqueness and filters alike) makes them equal. Distinct ones
// are created side by side; equal ones are a 409 that changes nothing;
// and the userName filter always finds exactly the user uniqueness says
// it is.
func TestHostileLookalikeUserNames(t *testing.T) {
	eachBackendWith(t, hNoRateLimit, func(t *testing.T, e *env) {
		steps := []struct {
			userName string
			sameAs   string // "" if distinct from every earlier one
		}{
			{"olga@example.com", ""},
			{"\u043elga@example.com", ""}, // Cyrillic о
			{"paypal@example.com", ""},
			{"\u0440aypal@example.com", ""},      // Cyrillic р
			{"p\u0430yp\u0430l@example.com", ""}, // Cyrillic а twice
			{"john@example.com", ""},
			{"\uff4a\uff4f\uff48\uff4e@example.com", ""}, // fullwidth
			{"jos\u00e9@example.com", ""},                // precomposed é
			{"jose\u0301@example.com", ""},               // e + combining acute
			{"zwj@example.com", ""},
			{"zw\u200bj@example.com", ""}, // zero-width space
			{"zw\u200dj@example.com", ""}, // zero-width joiner
			{"\ufeffzwj@example.com", ""}, // a BOM character inside
			{"ivan@example.com", ""},
			{"\u0131van@example.com", ""}, // dotless ı
			{"\u0130van@example.com", ""}, // dotted İ
			{"strasse@example.com", ""},
			{"stra\u00dfe@example.com", ""}, // ß is not "ss" under simple folding
			{"\ufb00@example.com", ""},      // ﬀ ligature
			{"ff@example.com", ""},
			{"kelvin@example.com", ""},
			{"\u212aelvin@example.com", "kelvin@example.com"}, // Kelvin sign K folds to k
			{"sam@example.com", ""},
			{"\u017fam@example.com", "sam@example.com"}, // long s folds to s
			{"zeta-\u03c3@example.com", ""},
			{"zeta-\u03c2@example.com", "zeta-\u03c3@example.com"}, // final sigma
			{"ZETA-\u03a3@EXAMPLE.COM", "zeta-\u03c3@example.com"},
			{"\u01c6a@example.com", ""},
			{"\u01c4a@example.com", "\u01c6a@example.com"}, // DŽ, dž, Dž: one orbit
			{"\u01c5a@example.com", "\u01c6a@example.com"},
			{"mixed@example.com", ""},
			{"MIXED@Example.COM", "mixed@example.com"},
		}
		created := map[string]string{} // userName -> id
		var order []string
		for i, s := range steps {
			// The table itself must agree with the rule it tests.
			var fold string
			for _, prev := range order {
				if strings.EqualFold(prev, s.userName) {
					fold = prev
				}
			}
			if fold != s.sameAs {
				t.Fatalf("step %d %q: the table says sameAs %q, strings.EqualFold says %q", i, s.userName, s.sameAs, fold)
			}
			before := e.list(t, e.TokenA, base+"/Users?count=1000")
			body := obj{"schemas": arr{urnUser}, "userName": s.userName, "emails": arr{obj{"value": fmt.Sprintf("look-%d@example.com", i)}}}
			r := e.A(t, "POST", base+"/Users", body)
			if s.sameAs != "" {
				wantError(t, r, http.StatusConflict, "uniqueness")
				if after := e.list(t, e.TokenA, base+"/Users?count=1000"); hDigest(after) != hDigest(before) {
					t.Errorf("the refused %q changed the workspace:\nbefore %s\n after %s", s.userName, hDigest(before), hDigest(after))
				}
				continue
			}
			if !checkStatus(t, r, http.StatusCreated) {
				continue
			}
			if got := getStr(r.Body, "userName"); got != s.userName {
				t.Errorf("created %q, stored %q", s.userName, got)
			}
			created[s.userName] = getStr(r.Body, "id")
			order = append(order, s.userName)
		}
		list := e.list(t, e.TokenA, base+"/Users?count=1000")
		if total(list) != len(created) {
			t.Errorf("totalResults %d, want the %d distinct userNames", total(list), len(created))
		}
		seen := map[string]bool{}
		for un, id := range created {
			if seen[id] {
				t.Errorf("id %s given twice", id)
			}
			seen[id] = true
			if got := getStr(e.getUser(t, e.TokenA, id), "userName"); got != un {
				t.Errorf("GET %s: userName %q, want %q byte for byte", id, got, un)
			}
		}
		// The filter finds what uniqueness says: for every userName of
		// the table, exactly the one user it equals under folding.
		for _, s := range steps {
			owner := s.userName
			if s.sameAs != "" {
				owner = s.sameAs
			}
			q, _ := json.Marshal(s.userName)
			got := ids(e.filterA(t, "userName eq "+string(q)))
			if len(got) != 1 || got[0] != created[owner] {
				t.Errorf("userName eq %s finds %v, want exactly %s (%q)", q, got, created[owner], owner)
			}
		}
		if got := userNames(e.filterA(t, `userName sw "olga"`)); len(got) != 1 || got[0] != "olga@example.com" {
			t.Errorf(`userName sw "olga" finds %q, want only the Latin one`, got)
		}
		// Renames onto a look-alike: distinct is fine, folded-equal is a 409.
		before := e.list(t, e.TokenA, base+"/Users?count=1000")
		wantError(t, e.A(t, "PATCH", base+"/Users/"+created["\u0440aypal@example.com"], patchOps(op("replace", "userName", "PAYPAL@example.com"))), http.StatusConflict, "uniqueness")
		wantError(t, e.A(t, "PUT", base+"/Users/"+created["ff@example.com"], obj{"userName": "\u017fAM@example.com", "emails": arr{obj{"value": "s@example.com"}}}), http.StatusConflict, "uniqueness")
		if after := e.list(t, e.TokenA, base+"/Users?count=1000"); hDigest(after) != hDigest(before) {
			t.Errorf("refused renames changed the workspace:\nbefore %s\n after %s", hDigest(before), hDigest(after))
		}
		// Renaming a user to a folded form of its own userName is no conflict.
		r0 := e.A(t, "PATCH", base+"/Users/"+created["sam@example.com"], patchOps(op("replace", "userName", "\u017fAM@example.com")))
		if checkStatus(t, r0, http.StatusOK) && getStr(r0.Body, "userName") != "\u017fAM@example.com" {
			t.Errorf("self-rename: %s", r0.Raw)
		}
		r := e.A(t, "PATCH", base+"/Users/"+created["john@example.com"], patchOps(op("replace", "userName", "j\u043ehn@example.com")))
		if checkStatus(t, r, http.StatusOK) && getStr(r.Body, "userName") != "j\u043ehn@example.com" {
			t.Errorf("rename to a distinct look-alike: %s", r.Raw)
		}
	})
}

// hDigest summarises a ListResponse: total, then id/version/userName of
// each user.
func hDigest(list obj) string {
	var b strings.Builder
	fmt.Fprintf(&b, "total %d:", total(list))
	res, _ := list["Resources"].([]any)
	for _, u := range res {
		fmt.Fprintf(&b, " %s/%s/%q", getStr(u, "id"), getStr(u, "meta", "version"), getStr(u, "userName"))
	}
	return b.String()
}

// TestHostileCaseVariantMembers: a body naming one attribute twice in
// different case ("title" and "TITLE": SCIM names are case-insensitive, so
// both name the same attribute) must get the same answer every time: a
// 400, or always the same winner. The same holds for query parameters
// and search request members named twice in different case, and for a
// PATCH operation's members. Each request is sent 64 times: Go's map order
// is random but biased (of two keys, one comes first about 7 times in 8),
// so with a choice by map order all 64 agree with a chance of about 2e-4.
func TestHostileCaseVariantMembers(t *testing.T) {
	eachBackendWith(t, hNoRateLimit, func(t *testing.T, e *env) {
		alice := e.createA(t, "alice@example.com")
		bob := e.createA(t, "bob@example.com")
		target := e.createA(t, "target@example.com", "title", "start")
		const tries = 64
		forms := []struct {
			name    string
			send    func(i int) *response
			outcome func(r *response) string
		}{
			{"POST title and TITLE", func(i int) *response {
				return e.A(t, "POST", base+"/Users", fmt.Sprintf(`{"userName":"cv-title-%d@example.com","title":"lower","TITLE":"upper"}`, i))
			}, func(r *response) string { return getStr(r.Body, "title") }},
			{"POST userName and USERNAME", func(i int) *response {
				return e.A(t, "POST", base+"/Users", fmt.Sprintf(`{"userName":"cv-a-%d@example.com","USERNAME":"cv-b-%d@example.com"}`, i, i))
			}, func(r *response) string { return getStr(r.Body, "userName")[:len("cv-a")] }},
			{"POST emails value and VALUE", func(i int) *response {
				return e.A(t, "POST", base+"/Users", fmt.Sprintf(`{"userName":"cv-e-%d@example.com","emails":[{"value":"a@example.com","VALUE":"b@example.com"}]}`, i))
			}, func(r *response) string { return getStr(r.Body, "emails", "0", "value") }},
			{"POST two spellings of the enterprise URN", func(i int) *response {
				return e.A(t, "POST", base+"/Users", fmt.Sprintf(`{"userName":"cv-x-%d@example.com","%s":{"department":"A"},"%s":{"department":"B"}}`, i, urnEnterprise, strings.ToUpper(urnEnterprise)))
			}, func(r *response) string { return getStr(r.Body, urnEnterprise, "department") }},
			{"PUT title and Title", func(i int) *response {
				return e.A(t, "PUT", base+"/Users/"+target, `{"userName":"target@example.com","title":"lower","Title":"upper"}`)
			}, func(r *response) string { return getStr(r.Body, "title") }},
			{"PATCH OP and Op", func(i int) *response {
				e.A(t, "PATCH", base+"/Users/"+target, patchOps(op("replace", "title", "start")))
				return e.A(t, "PATCH", base+"/Users/"+target, `{"Operations":[{"OP":"replace","Op":"remove","path":"title","value":"x"}]}`)
			}, func(r *response) string { return getStr(r.Body, "title") }},
			{"PATCH PATH and Path", func(i int) *response {
				e.A(t, "PATCH", base+"/Users/"+target, patchOps(op("replace", "title", "start"), op("remove", "nickName", nil)))
				return e.A(t, "PATCH", base+"/Users/"+target, `{"Operations":[{"op":"replace","PATH":"title","Path":"nickName","value":"v"}]}`)
			}, func(r *response) string { return getStr(r.Body, "title") + "|" + getStr(r.Body, "nickName") }},
			{"GET filter and FILTER", func(i int) *response {
				return e.A(t, "GET", base+"/Users?filter="+encodeFilter(`userName eq "alice@example.com"`)+"&FILTER="+encodeFilter(`userName eq "bob@example.com"`), nil)
			}, func(r *response) string { return strings.Join(ids(r.Body), ",") }},
			{"GET count and COUNT", func(i int) *response {
				return e.A(t, "GET", base+"/Users?count=1&COUNT=2", nil)
			}, func(r *response) string { return strconv.Itoa(len(ids(r.Body))) }},
			{"search filter and Filter", func(i int) *response {
				return e.A(t, "POST", base+"/Users/.search", `{"filter":"userName eq \"alice@example.com\"","Filter":"userName eq \"bob@example.com\""}`)
			}, func(r *response) string { return strings.Join(ids(r.Body), ",") }},
		}
		_, _ = alice, bob
		for _, f := range forms {
			t.Run(f.name, func(t *testing.T) {
				outcomes := map[string]int{}
				for i := range tries {
					r := f.send(i)
					if r.Status >= 500 {
						t.Fatalf("%s: %d %s", f.name, r.Status, r.Raw)
					}
					o := strconv.Itoa(r.Status)
					if r.Status < 300 {
						o += " " + f.outcome(r)
					} else {
						checkErrorBody(t, r, "")
					}
					outcomes[o]++
				}
				if len(outcomes) > 1 {
					t.Errorf("the same request got different results over %d tries: %v (a name given twice in different case is resolved by map order; refuse it or pick one by rule)", tries, outcomes)
				}
			})
		}
	})
}

// TestHostileMalformedRequests: requests Go's HTTP client will not send,
// written on a raw connection: broken percent-encoding in the path, bad
// header values, contradictory lengths, broken chunking. Each is answered
// (no hang) with a 4xx, and changes nothing. net/http itself refuses a
// request line or header it cannot parse, with a plain-text 400, before
// any Birdie code runs; what reaches Birdie gets a SCIM error.
func TestHostileMalformedRequests(t *testing.T) {
	eachBackendWith(t, hNoRateLimit, func(t *testing.T, e *env) {
		h := newHRun(t, e)
		victim := h.ids["id"]
		auth := "Authorization: Bearer " + e.TokenA + "\r\n"
		user := `{"userName":"raw@example.com"}`
		cases := []struct {
			name, req string
			byBirdie  bool // the request reaches Birdie's handler: a SCIM error body
		}{
			{"bad escape in the path", "GET /scim/v2/Users/%zz HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", false},
			{"lone percent in the path", "DELETE /scim/v2/Users/% HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", false},
			{"truncated escape in the id", "DELETE /scim/v2/Users/" + victim + "%2 HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", false},
			{"NUL in a header", "GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n" + auth + "X-Evil: a\x00b\r\n\r\n", false},
			{"NUL in the path", "GET /scim/v2/Users/\x00 HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", false},
			{"space in the path", "DELETE /scim/v2/Users/" + victim + " x HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", false},
			{"negative Content-Length", "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: -1\r\n\r\n" + user, false},
			{"huge Content-Length", "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 99999999999999999999\r\n\r\n" + user, false},
			{"two Content-Lengths", "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 5\r\nContent-Length: 31\r\n\r\n" + user, false},
			{"bad chunk size", "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + user + "\r\n0\r\n\r\n", true},
			{"chunk longer than said", "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\n" + auth + "Transfer-Encoding: chunked\r\n\r\n3\r\n" + user + "\r\n0\r\n\r\n", true},
			{"Content-Length larger than the body, then close", "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\nContent-Length: 500\r\n\r\n" + user, true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				beforeA, beforeB := h.snap(t, e.TokenA), h.snap(t, e.TokenB)
				conn, err := net.Dial("tcp", e.Server.Listener.Addr().String())
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(20 * time.Second))
				if _, err := conn.Write([]byte(c.req)); err != nil {
					t.Fatalf("write: %v", err)
				}
				if strings.Contains(c.name, "then close") {
					conn.(*net.TCPConn).CloseWrite()
				}
				res, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					t.Fatalf("no HTTP response (a hang or a dropped connection): %v", err)
				}
				defer res.Body.Close()
				var raw bytes.Buffer
				raw.ReadFrom(res.Body)
				if res.StatusCode < 400 || res.StatusCode > 499 {
					t.Errorf("status %d, want a 4xx: %s", res.StatusCode, truncate(raw.String(), 300))
				}
				if c.byBirdie {
					r := &response{Method: "raw", Path: c.name, Status: res.StatusCode, Raw: raw.Bytes()}
					json.Unmarshal(raw.Bytes(), &r.Body)
					if ct := res.Header.Get("Content-Type"); ct != scimContentType {
						t.Errorf("Content-Type %q, want %q", ct, scimContentType)
					}
					checkErrorBody(t, r, "")
				} else {
					t.Logf("refused by net/http before Birdie: %d %q", res.StatusCode, truncate(raw.String(), 80))
				}
				for ws, p := range map[string][2]hSnap{"A": {beforeA, h.snap(t, e.TokenA)}, "B": {beforeB, h.snap(t, e.TokenB)}} {
					if d := p[0].diff(p[1], nil); len(d) > 0 {
						t.Errorf("workspace %s changed:\n%s", ws, strings.Join(d, "\n"))
						h.restore(t)
					}
				}
			})
		}
	})
}
