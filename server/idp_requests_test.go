package server_test

// Replays every recorded IdP request in testdata/idp-requests against the
// real server, with the setup each scenario needs and the stored effect it
// describes. A file without an entry in idpCases fails the test, so a new
// example cannot be skipped silently.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"birdie/server"
)

const idpDir = "testdata/idp-requests"

// idpFile is one example file.
type idpFile struct {
	IDP      string `json:"idp"`
	Scenario string `json:"scenario"`
	Request  struct {
		Method  string            `json:"method"`
		Path    string            `json:"path"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"request"`
	Expect struct {
		Status  int               `json:"status"`
		Notes   string            `json:"notes"`
		Headers map[string]string `json:"headers"`
		Body    json.RawMessage   `json:"body"`
	} `json:"expect"`
}

// The fake user ids of the example files, each standing for a fixture
// user that the scenario's setup creates; the real id the server assigns
// is substituted for the fake one everywhere in the file.
const (
	fakeJane = "4f2c1a9e-7b3d-4c55-9a61-2e8f0d7c3b10" // Okta's jane.doe@example.com (okta-create.json); also the manager id
	fakeAlex = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f" // Entra's alex@contoso.com (entra-create.json)
	fakeAda  = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9" // authentik's akadmin2 (authentik-create.json)
	fakeTest = "0d9c8b7a-6f5e-4d3c-2b1a-09f8e7d6c5b4" // JumpCloud's test user (jumpcloud-test-create.json)
	fakeKay  = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d" // Keycloak's kc.user (below)
)

// fixtureFiles names the file whose request body creates each fixture.
var fixtureFiles = map[string]string{
	fakeJane: "okta-create.json",
	fakeAlex: "entra-create.json",
	fakeAda:  "authentik-create.json",
	fakeTest: "jumpcloud-test-create.json",
}

// kayFixture is the Keycloak user as it was before keycloak-put-replace:
// it has a title and phone numbers that the PUT, a full replace, clears.
func kayFixture() obj {
	return obj{
		"schemas":      arr{urnUser},
		"userName":     "kc.user",
		"externalId":   "f47ac10b-58cc-4372-a567-0e02b2c3d479",
		"name":         obj{"givenName": "Kay", "familyName": "Old", "middleName": "M"},
		"displayName":  "Kay Old",
		"title":        "Intern",
		"phoneNumbers": arr{obj{"value": "+1 555 0100", "type": "work"}},
		"emails":       arr{obj{"value": "kay@example.org", "primary": true}},
		"active":       true,
	}
}

// idpCtx is the state of one scenario run.
type idpCtx struct {
	e      *env
	ids    map[string]string // fake id -> real id
	seeded map[string]obj    // fake id -> the user as created
}

// seed creates the fixture user for a fake id in workspace A, after
// applying mods to its body, and records its real id.
func (c *idpCtx) seed(t *testing.T, fake string, mods ...func(obj)) obj {
	t.Helper()
	var body obj
	if fake == fakeKay {
		body = kayFixture()
	} else {
		f := readIDPFile(t, fixtureFiles[fake], nil)
		if err := json.Unmarshal(f.Request.Body, &body); err != nil {
			t.Fatalf("fixture %s: %v", fake, err)
		}
	}
	for _, m := range mods {
		m(body)
	}
	u := c.e.create(t, c.e.TokenA, body)
	c.ids[fake] = getStr(u, "id")
	c.seeded[fake] = u
	return u
}

// user GETs a fixture user by its fake id.
func (c *idpCtx) user(t *testing.T, fake string) obj {
	t.Helper()
	return c.e.getUser(t, c.e.TokenA, c.ids[fake])
}

// patch sends a PATCH with token A to a fixture user and requires 200.
func (c *idpCtx) patch(t *testing.T, fake string, ops ...obj) obj {
	t.Helper()
	r := c.e.A(t, "PATCH", base+"/Users/"+c.ids[fake], patchOps(ops...))
	wantStatus(t, r, http.StatusOK)
	return r.Body
}

// createOther creates a user in workspace A that a scenario's filter must
// (or must not) find.
func (c *idpCtx) createOther(t *testing.T, userName string, kv ...any) string {
	t.Helper()
	return c.e.createA(t, userName, kv...)
}

// idpCase says what one example file needs.
type idpCase struct {
	// config configures the server (nil: defaults).
	config func(*server.Config)
	// setup prepares the workspace before the request is replayed.
	setup func(t *testing.T, c *idpCtx)
	// replay, if set, sends the request instead of a single replay.
	replay func(t *testing.T, c *idpCtx, send func() *response) *response
	// ignore lists user members of expect.body not to compare, with the
	// reason in a comment: the sample bodies are illustrations.
	ignore []string
	// check asserts what the scenario's notes describe, beyond the status,
	// headers and body of the response.
	check func(t *testing.T, c *idpCtx, r *response)
}

// knownUserKeys are the top-level members a user may have; anything else
// (such as "name.givenName" stored verbatim) is junk.
var knownUserKeys = []string{
	"schemas", "id", "externalId", "meta", "userName", "name", "displayName", "nickName", "profileUrl",
	"title", "userType", "preferredLanguage", "locale", "timezone", "active", "emails", "phoneNumbers",
	"ims", "photos", "addresses", "entitlements", "roles", "x509Certificates", urnEnterprise, urnAccount,
}

// checkNoJunk fails if a user has a member that is not a known attribute,
// or ever shows a password.
func checkNoJunk(t *testing.T, u obj) {
	t.Helper()
	for k := range u {
		if !slices.Contains(knownUserKeys, k) {
			t.Errorf("user has an unexpected member %q = %s", k, jsonString(u[k]))
		}
	}
	if strings.Contains(strings.ToLower(jsonString(u)), `"password"`) {
		t.Errorf("user shows a password: %s", jsonString(u))
	}
}

func enterprise(u obj) obj {
	ext, _ := u[urnEnterprise].(obj)
	return ext
}

func accountEmail(u obj) string { return getStr(u, urnAccount, "email") }

var idpCases = map[string]idpCase{
	"authentik-conflict-lookup-unquoted.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.seed(t, fakeAda)
			c.createOther(t, "akadmin", "emails", arr{obj{"value": "root@example.org"}})
			c.createOther(t, "akadmin22", "emails", arr{obj{"value": "other@example.org"}})
		},
		// The sample shows the email as type "work"; authentik's create
		// (authentik-create.json) sends "other", which is what is stored.
		ignore: []string{"emails"},
		check: func(t *testing.T, c *idpCtx, r *response) {
			wantJSON(t, "ids found by the unquoted filter", ids(r.Body), []string{c.ids[fakeAda]})
			// The quoted form of newer releases finds the same user.
			l := c.e.list(t, c.e.TokenA, base+`/Users?filter=userName+eq+%22akadmin2%22`)
			wantJSON(t, "ids found by the quoted filter", ids(l), []string{c.ids[fakeAda]})
		},
	},
	"authentik-create.json": {
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.e.getUser(t, c.e.TokenA, getStr(r.Body, "id"))
			wantJSON(t, "emails", u["emails"], arr{obj{"value": "ada@example.org", "type": "other", "primary": true}})
			wantJSON(t, "photos", u["photos"], arr{obj{"value": "https://id.example.org/media/ada.png", "type": "photo", "primary": true}})
			if accountEmail(u) != "ada@example.org" {
				t.Errorf("account email %q, want the primary email ada@example.org (userName is not an email)", accountEmail(u))
			}
			checkNoJunk(t, u)
		},
	},
	"authentik-delete.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeAda) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			checkDeleted(t, c, fakeAda, "akadmin2")
		},
	},
	"authentik-put-update.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeAda) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeAda)
			if u["active"] != false {
				t.Errorf("active = %v after a PUT with active false", u["active"])
			}
			wantJSON(t, "name", u["name"], obj{"formatted": "Ada King-Lovelace", "givenName": "Ada", "familyName": "King-Lovelace"})
			if u["displayName"] != "Ada King-Lovelace" {
				t.Errorf("displayName = %v", u["displayName"])
			}
			if u["photos"] != nil {
				t.Errorf("photos = %s; the PUT left them out, so a full replace clears them", jsonString(u["photos"]))
			}
			checkNoJunk(t, u)
		},
	},
	"authentik-serviceproviderconfig.json": {},
	"entra-create-legacy-nulls.json": {
		check: func(t *testing.T, c *idpCtx, r *response) {
			for _, u := range []obj{r.Body, c.e.getUser(t, c.e.TokenA, getStr(r.Body, "id"))} {
				keys := make([]string, 0, len(u))
				for k := range u {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				want := []string{"active", "displayName", "emails", "externalId", "id", "meta", "name", "schemas", urnAccount, "userName"}
				slices.Sort(want)
				wantJSON(t, "members of the user (nulls, department, manager and the custom extension are not stored)", keys, want)
				if getStr(u, "emails", "0", "value") != "jyoung@Contoso.com" {
					t.Errorf("emails[0].value = %q, want the mixed case as sent", getStr(u, "emails", "0", "value"))
				}
				wantJSON(t, "schemas", u["schemas"], arr{urnUser, urnAccount})
				if accountEmail(u) != "jyoung@contoso.com" {
					t.Errorf("account email %q, want the userName", accountEmail(u))
				}
			}
		},
	},
	"entra-create.json": {
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.e.getUser(t, c.e.TokenA, getStr(r.Body, "id"))
			wantJSON(t, "GET after create", withoutVolatile(u), withoutVolatile(r.Body))
			if u["roles"] != nil {
				t.Errorf("roles = %s, want none (roles: [] assigns nothing)", jsonString(u["roles"]))
			}
			created, err := time.Parse(time.RFC3339, getStr(u, "meta", "created"))
			if err != nil || time.Since(created) > time.Hour {
				t.Errorf("meta.created = %q: the client's meta must be ignored, the server sets it", getStr(u, "meta", "created"))
			}
			checkNoJunk(t, u)
		},
	},
	"entra-delete.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeAlex) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			checkDeleted(t, c, fakeAlex, "alex@contoso.com")
		},
	},
	"entra-get-inactive-user.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.seed(t, fakeAlex)
			c.patch(t, fakeAlex, op("Replace", "active", "False"))
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			for _, f := range []string{`userName eq "alex@contoso.com"`, `externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`, `emails[type eq "work"].value eq "alex@contoso.com"`} {
				wantJSON(t, "inactive user found by "+f, ids(c.e.filterA(t, f)), []string{c.ids[fakeAlex]})
			}
			wantJSON(t, "inactive user in the list", ids(c.e.list(t, c.e.TokenA, base+"/Users")), []string{c.ids[fakeAlex]})
		},
	},
	"entra-groups-probe.json": {
		check: func(t *testing.T, c *idpCtx, r *response) {
			w := c.e.A(t, "POST", base+"/Groups", obj{"schemas": arr{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Sales"})
			wantError(t, w, http.StatusNotImplemented, "")
		},
	},
	"entra-match-externalid.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.seed(t, fakeAlex)
			// externalId compares exactly: the upper-cased id is another user's.
			c.createOther(t, "alex2@contoso.com", "externalId", "0A21F0F2-8D2A-4F8E-BF98-7363C4AED4EF")
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			wantJSON(t, "ids", ids(r.Body), []string{c.ids[fakeAlex]})
		},
	},
	"entra-match-work-email.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.seed(t, fakeAlex)
			// The same address, but as a home email: must not match.
			c.createOther(t, "alex.home@contoso.com", "emails", arr{obj{"type": "home", "value": "alex@contoso.com"}})
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			wantJSON(t, "ids", ids(r.Body), []string{c.ids[fakeAlex]})
		},
	},
	"entra-patch-add-address-subattribute.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeAlex) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeAlex)
			wantJSON(t, "addresses", u["addresses"], arr{obj{"type": "work", "locality": "Redmond", "postalCode": "98052"}})
			wantJSON(t, "phoneNumbers (verbatim)", u["phoneNumbers"], arr{obj{"type": "mobile", "value": "+1 425 555 0100"}})
			wantJSON(t, "enterprise extension", enterprise(u), obj{"employeeNumber": "20017", "department": "R&D"})
			checkNoJunk(t, u)
		},
	},
	"entra-patch-add-single-value.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeAlex) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			if r.Body["nickName"] != "Lex" {
				t.Errorf("PATCH response nickName = %v, want Lex", r.Body["nickName"])
			}
			if u := c.user(t, fakeAlex); u["nickName"] != "Lex" {
				t.Errorf("stored nickName = %v, want Lex", u["nickName"])
			}
		},
	},
	"entra-patch-add-work-email-missing.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.seed(t, fakeAlex, func(b obj) { b["emails"] = arr{obj{"type": "home", "value": "alex.home@example.net"}} })
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeAlex)
			wantJSON(t, "emails (the work element is created from the filter)", u["emails"],
				arr{obj{"type": "home", "value": "alex.home@example.net"}, obj{"type": "work", "value": "alex@contoso.com"}})
		},
	},
	"entra-patch-enable-string.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.seed(t, fakeAlex)
			c.patch(t, fakeAlex, op("Replace", "active", "False"))
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			if r.Body["active"] != true || c.user(t, fakeAlex)["active"] != true {
				t.Errorf("active not true after \"True\": response %v", r.Body["active"])
			}
			// Entra re-sends it to active users: a no-op is still 200.
			again := c.patch(t, fakeAlex, op("Replace", "active", "True"))
			if again["active"] != true {
				t.Errorf("no-op enable: active = %v", again["active"])
			}
		},
	},
	"entra-patch-manager-legacy-array.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.seed(t, fakeJane)
			c.seed(t, fakeAlex)
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeAlex)
			m, ok := get(u, urnEnterprise, "manager").(obj)
			if !ok {
				t.Fatalf("enterprise manager = %s, want an object", jsonString(get(u, urnEnterprise, "manager")))
			}
			if m["value"] != c.ids[fakeJane] {
				t.Errorf("manager.value = %v, want %s", m["value"], c.ids[fakeJane])
			}
			if ref, ok := m["$ref"]; ok && ref != "https://app.example.com/scim/v2/Users/"+c.ids[fakeJane] {
				t.Errorf("manager.$ref = %v, want it as sent", ref)
			}
			if enterprise(u)["employeeNumber"] != "20017" {
				t.Errorf("employeeNumber lost: %s", jsonString(enterprise(u)))
			}
			if !hasString(u["schemas"], urnEnterprise) {
				t.Errorf("schemas %v lack the enterprise URN", u["schemas"])
			}
			checkNoJunk(t, u)
		},
	},
	"entra-patch-manager-remove.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.seed(t, fakeJane)
			c.seed(t, fakeAlex)
			u := c.patch(t, fakeAlex, op("Add", urnEnterprise+":manager", c.ids[fakeJane]))
			if getStr(u, urnEnterprise, "manager", "value") != c.ids[fakeJane] {
				t.Fatalf("setup: manager not set: %s", jsonString(enterprise(u)))
			}
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeAlex)
			wantJSON(t, "enterprise extension after removing the manager", enterprise(u), obj{"employeeNumber": "20017", "department": "R&D"})
		},
	},
	"entra-patch-manager-string.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.seed(t, fakeJane)
			c.seed(t, fakeAlex)
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeAlex)
			wantJSON(t, "manager", get(u, urnEnterprise, "manager"), obj{"value": c.ids[fakeJane]})
			if _, top := u["manager"]; top {
				t.Errorf("manager stored outside the enterprise extension: %s", jsonString(u))
			}
		},
	},
	"entra-patch-multi-replace-default.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeAlex) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeAlex)
			checkAlexAfterUpdate(t, u)
			if u["externalId"] != "awilber" {
				t.Errorf("externalId = %v, want awilber", u["externalId"])
			}
		},
	},
	"entra-patch-replace-active-bool-flag.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeAlex) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			if c.user(t, fakeAlex)["active"] != false {
				t.Errorf("active not false")
			}
			// The flag travels as a query parameter of the tenant URL.
			r2 := c.e.A(t, "PATCH", base+"/Users/"+c.ids[fakeAlex]+"?aadOptscim062020", patchOps(op("replace", "active", true)))
			wantStatus(t, r2, http.StatusOK)
			if r2.Body["active"] != true {
				t.Errorf("PATCH ?aadOptscim062020 active true: active = %v", r2.Body["active"])
			}
		},
	},
	"entra-patch-replace-active-string.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeAlex) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			if c.user(t, fakeAlex)["active"] != false {
				t.Errorf("stored active is not the boolean false")
			}
		},
	},
	"entra-patch-replace-nopath-dotted-keys.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeAlex) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			checkAlexAfterUpdate(t, c.user(t, fakeAlex))
		},
	},
	"entra-patch-roles-json-string.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeAlex) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeAlex)
			wantJSON(t, "roles (the JSON string kept as sent)", u["roles"],
				arr{obj{"value": `{"id":"06b07648-ecfe-589f-9d2f-6325724a46ee","value":"25","displayName":"Role1234"}`}})
			checkNoJunk(t, u)
		},
	},
	"entra-patch-schema-qualified-core-path.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeAlex) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeAlex)
			if u["title"] != "Senior Engineer" {
				t.Errorf("title = %v, want Senior Engineer", u["title"])
			}
			checkNoJunk(t, u)
		},
	},
	"entra-test-connection.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeAlex) },
	},
	"generic-patch-remove-value-array.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.seed(t, fakeAlex, func(b obj) {
				b["emails"] = arr{
					obj{"primary": true, "type": "work", "value": "alex@contoso.com"},
					obj{"type": "other", "value": "old.alias@contoso.com"},
				}
			})
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			wantJSON(t, "emails after removing old.alias", c.user(t, fakeAlex)["emails"],
				arr{obj{"primary": true, "type": "work", "value": "alex@contoso.com"}})
		},
	},
	"generic-throttled-429.json": {
		// A tiny limit: two requests at once, then one per 100 s.
		config: func(cfg *server.Config) { cfg.RateLimit, cfg.RateBurst = 0.01, 2 },
		replay: func(t *testing.T, c *idpCtx, send func() *response) *response {
			for i := 0; i < 10; i++ {
				if r := send(); r.Status == http.StatusTooManyRequests {
					return r
				}
			}
			t.Fatalf("no 429 after 10 requests with RateLimit 0.01, RateBurst 2")
			return nil
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
			if err != nil || secs < 1 {
				t.Errorf("Retry-After %q, want a positive number of seconds", r.Header.Get("Retry-After"))
			}
			// The limit is per token: workspace B is not slowed by A.
			wantStatus(t, c.e.B(t, "GET", base+"/Users", nil), http.StatusOK)
		},
	},
	"jumpcloud-patch-per-attribute.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeTest) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeTest)
			wantJSON(t, "name", u["name"], obj{"givenName": "John", "familyName": "Smith"})
			if u["active"] != false {
				t.Errorf("active = %v, want false", u["active"])
			}
		},
	},
	"jumpcloud-test-create.json": {
		check: func(t *testing.T, c *idpCtx, r *response) {
			if accountEmail(r.Body) != "scim-test@customer.example" || r.Body["active"] != true {
				t.Errorf("account email %q, active %v", accountEmail(r.Body), r.Body["active"])
			}
		},
	},
	"jumpcloud-test-delete.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeTest) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			checkDeleted(t, c, fakeTest, "scim-test@customer.example")
		},
	},
	"keycloak-put-replace.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeKay) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeKay)
			wantJSON(t, "name (replaced, not merged)", u["name"], obj{"givenName": "Kay", "familyName": "Cee"})
			wantJSON(t, "emails", u["emails"], arr{obj{"value": "kay@example.org", "primary": true}})
			if u["displayName"] != "Kay Cee" || u["title"] != nil || u["phoneNumbers"] != nil {
				t.Errorf("displayName %v, title %v, phoneNumbers %v: want Kay Cee and the omitted attributes cleared", u["displayName"], u["title"], u["phoneNumbers"])
			}
			if accountEmail(u) != "kay@example.org" {
				t.Errorf("account email %q, want the primary email", accountEmail(u))
			}
		},
	},
	"okta-auth-invalid-401.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeJane) },
	},
	"okta-create-duplicate-409.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeJane) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			wantJSON(t, "users after the refused duplicate", ids(c.e.list(t, c.e.TokenA, base+"/Users")), []string{c.ids[fakeJane]})
			wantJSON(t, "the original is unchanged", withoutVolatile(c.user(t, fakeJane)), withoutVolatile(c.seeded[fakeJane]))
		},
	},
	"okta-create-enterprise-extension.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeJane) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.e.getUser(t, c.e.TokenA, getStr(r.Body, "id"))
			wantJSON(t, "enterprise extension", enterprise(u), obj{
				"department": "Sales", "employeeNumber": "10442",
				"manager": obj{"value": c.ids[fakeJane], "displayName": "Jane Doe"},
			})
			checkNoJunk(t, r.Body)
			checkNoJunk(t, u)
		},
	},
	"okta-create.json": {
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.e.getUser(t, c.e.TokenA, getStr(r.Body, "id"))
			for _, x := range []*response{r, {Method: "GET", Raw: []byte(jsonString(u))}} {
				if strings.Contains(string(x.Raw), "t2Xq9LmP") {
					t.Errorf("%s: the password is returned: %s", x.Method, x.Raw)
				}
			}
			checkNoJunk(t, r.Body)
			checkNoJunk(t, u)
			if u["groups"] != nil {
				t.Errorf("groups = %v; the client's groups must be ignored", u["groups"])
			}
		},
	},
	"okta-get-unknown-404.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeJane) },
	},
	"okta-get-user.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeJane) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			// Okta PUTs this response back: it must be accepted unchanged.
			put := c.e.A(t, "PUT", base+"/Users/"+c.ids[fakeJane], r.Body)
			wantStatus(t, put, http.StatusOK)
			wantJSON(t, "user after PUTting back its GET", withoutVolatile(put.Body), withoutVolatile(r.Body))
		},
	},
	"okta-import-page.json": {
		config: func(cfg *server.Config) { cfg.RateLimit = -1 },
		setup: func(t *testing.T, c *idpCtx) {
			for i := range 150 {
				c.createOther(t, fmt.Sprintf("import.%03d@example.com", i))
			}
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			first := c.e.list(t, c.e.TokenA, base+"/Users?startIndex=1&count=100")
			all := append(ids(first), ids(r.Body)...)
			seen := map[string]bool{}
			for _, id := range all {
				if seen[id] || id == "" {
					t.Errorf("id %q repeated or empty across pages", id)
				}
				seen[id] = true
			}
			if len(seen) != 150 {
				t.Errorf("pages 1 and 101 hold %d distinct users, want 150", len(seen))
			}
		},
	},
	"okta-lookup-username-not-found.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.createOther(t, "jane.doe@example.org")
			c.createOther(t, "jane.doe@example.com.au")
			c.createOther(t, "xjane.doe@example.com")
		},
	},
	"okta-lookup-username-uppercase.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.seed(t, fakeJane)
			c.createOther(t, "jane.doe2@example.com")
		},
	},
	"okta-patch-deactivate.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeJane) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeJane)
			if u["active"] != false {
				t.Errorf("active = %v after the path-less deactivate", u["active"])
			}
			checkNoJunk(t, u)
		},
	},
	"okta-patch-password.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeJane) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeJane)
			for _, raw := range []string{string(r.Raw), jsonString(u)} {
				if strings.Contains(raw, "N3w-Pa55word!") || strings.Contains(strings.ToLower(raw), `"password"`) {
					t.Errorf("password returned: %s", raw)
				}
			}
			wantJSON(t, "user after a password push (nothing stored)", withoutVolatile(u), withoutVolatile(c.seeded[fakeJane]))
		},
	},
	"okta-patch-reactivate.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.seed(t, fakeJane)
			c.patch(t, fakeJane, op("replace", "", obj{"active": false}))
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			if r.Body["active"] != true || r.Body["id"] != c.ids[fakeJane] {
				t.Errorf("reactivate: active %v id %v", r.Body["active"], r.Body["id"])
			}
			wantJSON(t, "users after reactivation (same record)", ids(c.e.list(t, c.e.TokenA, base+"/Users")), []string{c.ids[fakeJane]})
		},
	},
	"okta-put-deactivate.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeJane) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeJane)
			if u["active"] != false {
				t.Errorf("active = %v after PUT active false", u["active"])
			}
			checkPutIgnoredServerMembers(t, c, u)
		},
	},
	"okta-put-update.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeJane) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.user(t, fakeJane)
			if u["title"] != "Account Executive" || getStr(u, "name", "middleName") != "Q" || u["active"] != true {
				t.Errorf("PUT not applied: %s", jsonString(u))
			}
			checkPutIgnoredServerMembers(t, c, u)
		},
	},
	"okta-test-connection.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeJane) },
		check: func(t *testing.T, c *idpCtx, r *response) {
			for _, k := range [][]string{{"id"}, {"userName"}, {"name", "givenName"}, {"name", "familyName"}, {"emails", "0", "value"}} {
				if getStr(r.Body, append([]string{"Resources", "0"}, k...)...) == "" {
					t.Errorf("Resources[0].%s is empty", strings.Join(k, "."))
				}
			}
			// An empty tenant still answers 200 with Resources: [].
			empty := c.e.B(t, "GET", base+"/Users?startIndex=1&count=2", nil)
			wantStatus(t, empty, http.StatusOK)
			if !strings.Contains(string(empty.Raw), `"Resources":[]`) || total(empty.Body) != 0 {
				t.Errorf("empty tenant: %s", empty.Raw)
			}
		},
	},
	"onelogin-create-email-object.json": {
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.e.getUser(t, c.e.TokenA, getStr(r.Body, "id"))
			wantJSON(t, "emails (an object becomes a one-element array)", u["emails"], arr{obj{"value": "li.wei@example.com", "type": "work"}})
		},
	},
	"onelogin-create-template.json": {
		check: func(t *testing.T, c *idpCtx, r *response) {
			u := c.e.getUser(t, c.e.TokenA, getStr(r.Body, "id"))
			if u["active"] != true || u["title"] != "Controller" || getStr(u, urnEnterprise, "department") != "Finance" {
				t.Errorf("user not stored as sent: %s", jsonString(u))
			}
			if m, ok := get(u, urnEnterprise, "manager").(obj); ok {
				if v, has := m["value"]; has && v == "" {
					t.Errorf("manager stored with an empty id %s; an empty reference is absent", jsonString(m))
				}
			}
			checkNoJunk(t, u)
		},
	},
	"ping-lookup-custom-filter.json": {
		setup: func(t *testing.T, c *idpCtx) {
			c.createOther(t, "jsmithers", "emails", arr{obj{"value": "jsmithers@example.com"}})
			c.createOther(t, "j.smith@example.com")
		},
		check: func(t *testing.T, c *idpCtx, r *response) {
			id := c.createOther(t, "JSmith", "emails", arr{obj{"value": "jsmith@example.com"}})
			l := c.e.list(t, c.e.TokenA, base+`/Users?filter=`+encodeFilter(`username Eq "jsmith"`))
			wantJSON(t, "ids once jsmith exists", ids(l), []string{id})
			if userNames(l)[0] != "JSmith" {
				t.Errorf("userName %q, want it as created", userNames(l)[0])
			}
		},
	},
	"rippling-list-paging.json": {
		setup: func(t *testing.T, c *idpCtx) { c.seed(t, fakeJane) },
	},
}

// checkDeleted checks the state after a user's DELETE: empty body, 404 on
// every verb, gone from filters, and the userName free again.
func checkDeleted(t *testing.T, c *idpCtx, fake, userName string) {
	t.Helper()
	id := c.ids[fake]
	for _, m := range []string{"GET", "PUT", "PATCH", "DELETE"} {
		var body any
		switch m {
		case "PUT":
			body = c.seeded[fake]
		case "PATCH":
			body = patchOps(op("replace", "active", false))
		}
		wantError(t, c.e.A(t, m, base+"/Users/"+id, body), http.StatusNotFound, "")
	}
	if n := total(c.e.filterA(t, `userName eq "`+userName+`"`)); n != 0 {
		t.Errorf("filter still finds the deleted user (%d)", n)
	}
	again := c.e.create(t, c.e.TokenA, c.seeded[fake])
	if getStr(again, "id") == id {
		t.Errorf("re-created user got the deleted id %s", id)
	}
}

// checkAlexAfterUpdate checks Entra's profile update of Alex, in either
// dialect.
func checkAlexAfterUpdate(t *testing.T, u obj) {
	t.Helper()
	if u["displayName"] != "Alex W." {
		t.Errorf("displayName = %v", u["displayName"])
	}
	wantJSON(t, "name (merged)", u["name"], obj{"formatted": "Alex Wilber", "givenName": "Alexander", "familyName": "Wilber"})
	wantJSON(t, "emails (the work element updated, not a second one)", u["emails"], arr{obj{"primary": true, "type": "work", "value": "alex.w@contoso.com"}})
	wantJSON(t, "enterprise extension", enterprise(u), obj{"employeeNumber": "20018", "department": "R&D"})
	if accountEmail(u) != "alex@contoso.com" {
		t.Errorf("account email %q, want the userName", accountEmail(u))
	}
	checkNoJunk(t, u)
}

// checkPutIgnoredServerMembers checks that Okta's echoed id, meta and
// groups were ignored.
func checkPutIgnoredServerMembers(t *testing.T, c *idpCtx, u obj) {
	t.Helper()
	if getStr(u, "meta", "created") != getStr(c.seeded[fakeJane], "meta", "created") {
		t.Errorf("meta.created changed to %q: the body's meta must be ignored", getStr(u, "meta", "created"))
	}
	if want := c.e.Server.URL + base + "/Users/" + c.ids[fakeJane]; getStr(u, "meta", "location") != want {
		t.Errorf("meta.location %q, want %q", getStr(u, "meta", "location"), want)
	}
	checkNoJunk(t, u)
}

// readIDPFile reads an example file, replacing fake ids by real ones.
func readIDPFile(t *testing.T, name string, ids map[string]string) idpFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(idpDir, name))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for fake, real := range ids {
		text = strings.ReplaceAll(text, fake, real)
	}
	var f idpFile
	if err := json.Unmarshal([]byte(text), &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

func idpFileNames(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(idpDir, "*.json"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no example files in %s (%v)", idpDir, err)
	}
	for i, n := range names {
		names[i] = filepath.Base(n)
	}
	return names
}

// TestIDPRequestsTableIsComplete fails for an example file without an
// entry in idpCases, and for an entry without a file.
func TestIDPRequestsTableIsComplete(t *testing.T) {
	names := idpFileNames(t)
	for _, n := range names {
		if _, ok := idpCases[n]; !ok {
			t.Errorf("%s has no entry in idpCases: say what setup it needs and what to check", n)
		}
	}
	for n := range idpCases {
		if !slices.Contains(names, n) {
			t.Errorf("idpCases has an entry for %s, which is not in %s", n, idpDir)
		}
	}
}

func TestIDPRequests(t *testing.T) {
	names := idpFileNames(t)
	for _, name := range names {
		tc, ok := idpCases[name]
		t.Run(strings.TrimSuffix(name, ".json"), func(t *testing.T) {
			if !ok {
				t.Fatalf("%s has no entry in idpCases", name)
			}
			eachBackendWith(t, tc.config, func(t *testing.T, e *env) {
				runIDPCase(t, e, name, tc)
			})
		})
	}
}

func runIDPCase(t *testing.T, e *env, name string, tc idpCase) {
	c := &idpCtx{e: e, ids: map[string]string{}, seeded: map[string]obj{}}
	if tc.setup != nil {
		tc.setup(t, c)
	}
	f := readIDPFile(t, name, c.ids)
	send := func() *response {
		var hdr []string
		hasCT := false
		for k, v := range f.Request.Headers {
			if strings.EqualFold(k, "Content-Type") {
				hasCT = true
			}
			hdr = append(hdr, k, strings.ReplaceAll(v, "<workspace-token>", e.TokenA))
		}
		var body any
		if len(f.Request.Body) > 0 && string(f.Request.Body) != "null" {
			body = []byte(f.Request.Body)
			if !hasCT {
				hdr = append(hdr, "Content-Type", "")
			}
		}
		return e.Do(t, f.Request.Method, f.Request.Path, body, hdr...)
	}
	var r *response
	if tc.replay != nil {
		r = tc.replay(t, c, send)
	} else {
		r = send()
	}
	wantStatus(t, r, f.Expect.Status)
	if r.Status == http.StatusNoContent && len(r.Raw) != 0 {
		t.Errorf("204 with a body: %s", r.Raw)
	}
	checkExpectedHeaders(t, e, f, r)
	if len(f.Expect.Body) > 0 && string(f.Expect.Body) != "null" {
		var want obj
		if err := json.Unmarshal(f.Expect.Body, &want); err != nil {
			t.Fatalf("expect.body: %v", err)
		}
		compareExpectedBody(t, c, tc, want, r)
	}
	if tc.check != nil {
		tc.check(t, c, r)
	}
}

func checkExpectedHeaders(t *testing.T, e *env, f idpFile, r *response) {
	t.Helper()
	for k, want := range f.Expect.Headers {
		got := r.Header.Get(k)
		switch http.CanonicalHeaderKey(k) {
		case "Location":
			id := getStr(r.Body, "id")
			if got == "" || got != getStr(r.Body, "meta", "location") || got != e.Server.URL+base+"/Users/"+id {
				t.Errorf("Location %q, want meta.location %q = %s", got, getStr(r.Body, "meta", "location"), e.Server.URL+base+"/Users/"+id)
			}
		case "Www-Authenticate":
			if scheme, _, _ := strings.Cut(got, " "); !strings.EqualFold(scheme, want) && !strings.EqualFold(got, want) {
				t.Errorf("WWW-Authenticate %q, want the %s scheme", got, want)
			}
		case "Retry-After":
			if n, err := strconv.Atoi(got); err != nil || n < 1 {
				t.Errorf("Retry-After %q, want seconds (sample: %s)", got, want)
			}
		default:
			if got != want {
				t.Errorf("header %s = %q, want %q", k, got, want)
			}
		}
	}
}

// compareExpectedBody compares the meaningful parts of a sample body:
// error status and scimType; list counters and the users listed; a user's
// attributes (not ids the server generates, nor timestamps); the
// capabilities of a ServiceProviderConfig.
func compareExpectedBody(t *testing.T, c *idpCtx, tc idpCase, want obj, r *response) {
	t.Helper()
	got := r.Body
	switch schemas := want["schemas"]; {
	case hasString(schemas, urnError):
		checkErrorBody(t, r, getStr(want, "scimType"))
		if getStr(want, "status") != getStr(got, "status") {
			t.Errorf("error status %v, want %v", got["status"], want["status"])
		}
	case hasString(schemas, urnList):
		for _, k := range []string{"totalResults", "startIndex", "itemsPerPage"} {
			wantJSON(t, k, got[k], want[k])
		}
		gotRes, ok := got["Resources"].([]any)
		if !ok {
			t.Fatalf("Resources missing or not an array: %s", r.Raw)
		}
		for i, w := range want["Resources"].([]any) {
			wu, isUser := w.(obj)
			if !isUser || i >= len(gotRes) {
				continue // an abbreviated sample ("... 50 user objects ...")
			}
			compareUser(t, c, tc, fmt.Sprintf("Resources[%d]", i), wu, gotRes[i].(obj))
		}
	case hasString(schemas, urnUser):
		compareUser(t, c, tc, "user", want, got)
	case hasString(schemas, "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"):
		// The sample's maxResults, sort and etag describe another server.
		for _, k := range [][]string{{"schemas"}, {"patch", "supported"}, {"filter", "supported"}, {"bulk", "supported"}, {"changePassword", "supported"}, {"authenticationSchemes", "0", "type"}, {"meta", "resourceType"}} {
			wantJSON(t, strings.Join(k, "."), get(got, k...), get(want, k...))
		}
	default:
		t.Fatalf("expect.body of an unknown kind: %s", jsonString(want))
	}
}

// compareUser compares a sample user with a returned one.
func compareUser(t *testing.T, c *idpCtx, tc idpCase, at string, want, got obj) {
	t.Helper()
	realIDs := map[string]bool{}
	for _, id := range c.ids {
		realIDs[id] = true
	}
	for k, wv := range want {
		if slices.Contains(tc.ignore, k) {
			continue
		}
		gv := got[k]
		switch k {
		case "id":
			if realIDs[wv.(string)] && gv != wv {
				t.Errorf("%s.id = %v, want %v", at, gv, wv)
			}
			if s, _ := gv.(string); s == "" {
				t.Errorf("%s.id is empty", at)
			}
		case "schemas":
			for _, s := range wv.([]any) {
				if !hasString(gv, s.(string)) {
					t.Errorf("%s.schemas = %v, want it to contain %v", at, gv, s)
				}
			}
		case "meta":
			if getStr(gv, "resourceType") != "User" {
				t.Errorf("%s.meta.resourceType = %v", at, get(gv, "resourceType"))
			}
			if loc := c.e.Server.URL + base + "/Users/" + getStr(got, "id"); getStr(gv, "location") != loc {
				t.Errorf("%s.meta.location = %q, want %q", at, getStr(gv, "location"), loc)
			}
			for _, ts := range []string{"created", "lastModified"} {
				if _, err := time.Parse(time.RFC3339, getStr(gv, ts)); err != nil {
					t.Errorf("%s.meta.%s = %q: %v", at, ts, getStr(gv, ts), err)
				}
			}
		default:
			if d := subset(normalize(gv), normalize(wv), at+"."+k); d != "" {
				t.Error(d)
			}
		}
	}
}
