package server_test

// Okta's SCIM 2.0 SPEC test (2024 version, 12 requests), replayed as
// /work/shared/conformance/okta-spec-test.md records it: the same
// requests, headers and Runscope assertions, in order, with captured
// variables. The pauses are skipped; so is step 10's response-time
// assertion (no timed assertions in these tests).

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// runscope evaluates Runscope assertions on one response.
type runscope struct {
	t    *testing.T
	step string
	r    *response
}

// prop reads a Runscope property path such as Resources[0].name.familyName.
func (a runscope) prop(path string) (any, bool) {
	var v any = a.r.Body
	for _, part := range strings.Split(path, ".") {
		name, idx, indexed := strings.Cut(part, "[")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[name]; !ok {
			return nil, false
		}
		if indexed {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			list, ok := v.([]any)
			if err != nil || !ok || i >= len(list) {
				return nil, false
			}
			v = list[i]
		}
	}
	return v, true
}

// text is a value's text form, as Runscope's "equal" compares it.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func (a runscope) status(want int) {
	a.t.Helper()
	if a.r.Status != want {
		a.t.Errorf("%s: response_status %d, want %d; body %s", a.step, a.r.Status, want, a.r.Raw)
	}
}

func (a runscope) notEmpty(path string) {
	a.t.Helper()
	v, ok := a.prop(path)
	empty := !ok || v == nil || text(v) == ""
	if l, isList := v.([]any); isList {
		empty = len(l) == 0
	}
	if m, isObj := v.(map[string]any); isObj {
		empty = len(m) == 0
	}
	if empty {
		a.t.Errorf("%s: %s is empty (body %s)", a.step, path, truncate(string(a.r.Raw), 500))
	}
}

func (a runscope) equal(path, want string) {
	a.t.Helper()
	if v, _ := a.prop(path); text(v) != want {
		a.t.Errorf("%s: %s = %q, want %q", a.step, path, text(v), want)
	}
}

func (a runscope) equalNumber(path string, want float64) {
	a.t.Helper()
	if v, _ := a.prop(path); v != want {
		a.t.Errorf("%s: %s = %#v, want the number %v", a.step, path, v, want)
	}
}

func (a runscope) isNumber(path string) {
	a.t.Helper()
	if v, _ := a.prop(path); func() bool { _, ok := v.(float64); return !ok }() {
		a.t.Errorf("%s: %s = %#v, want a number", a.step, path, v)
	}
}

func (a runscope) contains(path, want string) {
	a.t.Helper()
	if v, _ := a.prop(path); !hasString(v, want) {
		a.t.Errorf("%s: %s = %v, want it to contain %q", a.step, path, v, want)
	}
}

func (a runscope) capture(path string) string {
	a.t.Helper()
	v, _ := a.prop(path)
	return text(v)
}

func TestOktaSpecTest(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		// Set by hand.
		auth := "Bearer " + e.TokenA
		// Set by Initial_Script_Spec.txt.
		digits := func(n int) string {
			var b strings.Builder
			for range n {
				b.WriteByte(byte('0' + rand.IntN(10)))
			}
			return b.String()
		}
		letters := func(n int, from byte) string {
			var b strings.Builder
			for range n {
				b.WriteByte(from + byte(rand.IntN(26)))
			}
			return b.String()
		}
		randomGivenName := "Runscope" + digits(3)
		randomFamilyName := letters(1, 'A') + letters(8, 'a') + digits(3)
		randomEmail := randomGivenName + randomFamilyName + "@atko.com"
		randomUsername := randomEmail
		randomUsernameCaps := strings.ToUpper(randomEmail)
		const invalidUserEmail = "abcdefgh@atko.com"
		const userIDThatDoesNotExist = "010101001010101011001010101011"

		// Precondition: at least one user exists.
		e.create(t, e.TokenA, newUser("existing.user@example.com",
			"name", obj{"givenName": "Existing", "familyName": "User"},
			"emails", arr{obj{"primary": true, "value": "existing.user@example.com", "type": "work"}},
			"active", true))

		getHeaders := []string{
			"Accept", "application/scim+json",
			"Accept-Charset", "utf-8",
			"Content-Type", "application/scim+json; charset=utf-8",
			"User-Agent", "OKTA SCIM Integration",
			"Authorization", auth,
		}
		get := func(path string, hdr ...string) *response {
			return e.Do(t, "GET", base+path, nil, append(append([]string{}, getHeaders...), hdr...)...)
		}
		post := func(path string, body any) *response {
			return e.Do(t, "POST", base+path, body,
				"Content-Type", "application/json",
				"Accept", "application/scim+json; charset=utf-8",
				"User-Agent", "",
				"Authorization", auth)
		}
		createBody := func(emailValue string) obj {
			return obj{
				"schemas":     arr{urnUser},
				"userName":    randomUsername,
				"name":        obj{"givenName": randomGivenName, "familyName": randomFamilyName},
				"emails":      arr{obj{"primary": true, "value": emailValue, "type": "work"}},
				"displayName": randomGivenName + " " + randomFamilyName,
				"active":      true,
			}
		}
		var isvUserID, idUserOne, randomUserEmail string

		steps := []struct {
			name string
			run  func(t *testing.T)
		}{
			{"01 Required Test: Test Users endpoint", func(t *testing.T) {
				a := runscope{t, "step 1", get("/Users?count=1&startIndex=1")}
				a.status(200)
				a.notEmpty("Resources")
				a.contains("schemas", urnList)
				a.isNumber("itemsPerPage")
				a.isNumber("startIndex")
				a.isNumber("totalResults")
				for _, p := range []string{"Resources[0].id", "Resources[0].name.familyName", "Resources[0].name.givenName", "Resources[0].userName", "Resources[0].active", "Resources[0].emails[0].value"} {
					a.notEmpty(p)
				}
				isvUserID = a.capture("Resources[0].id")
			}},
			{"02 Required Test: Get Users/{{id}}", func(t *testing.T) {
				a := runscope{t, "step 2", get("/Users/" + isvUserID)}
				a.status(200)
				for _, p := range []string{"id", "name.familyName", "name.givenName", "userName", "active", "emails[0].value"} {
					a.notEmpty(p)
				}
				a.equal("id", isvUserID)
			}},
			{"03 Required Test: Test invalid User by username", func(t *testing.T) {
				a := runscope{t, "step 3", get(`/Users?filter=userName eq "` + invalidUserEmail + `"`)}
				a.status(200)
				a.contains("schemas", urnList)
				a.equal("totalResults", "0")
			}},
			{"04 Required Test: Test invalid User by ID", func(t *testing.T) {
				a := runscope{t, "step 4", get("/Users/" + userIDThatDoesNotExist)}
				a.status(404)
				a.notEmpty("detail")
				a.contains("schemas", urnError)
			}},
			{"05 Required Test: Make sure random user doesn't exist", func(t *testing.T) {
				a := runscope{t, "step 5", get(`/Users?filter=userName eq "` + randomEmail + `"`)}
				a.status(200)
				a.equalNumber("totalResults", 0)
				a.contains("schemas", urnList)
			}},
			{"06 Required Test: Create Okta user with realistic values", func(t *testing.T) {
				a := runscope{t, "step 6", post("/Users", createBody(randomEmail))}
				a.status(201)
				a.equal("active", "true")
				a.notEmpty("id")
				a.equal("name.familyName", randomFamilyName)
				a.equal("name.givenName", randomGivenName)
				a.contains("schemas", urnUser)
				a.equal("userName", randomUsername)
				idUserOne = a.capture("id")
				randomUserEmail = a.capture("emails[0].value")
			}},
			{"07 Required Test: Verify that user was created", func(t *testing.T) {
				a := runscope{t, "step 7", get("/Users/" + idUserOne)}
				a.status(200)
				a.equal("userName", randomUsername)
				a.equal("name.familyName", randomFamilyName)
				a.equal("name.givenName", randomGivenName)
				if randomUserEmail != randomEmail {
					t.Errorf("step 6 captured emails[0].value %q, want %q", randomUserEmail, randomEmail)
				}
			}},
			{"08 Required Test: Expect failure when recreating user with same values", func(t *testing.T) {
				a := runscope{t, "step 8", post("/Users", createBody(randomUsername))}
				a.status(409)
			}},
			{"09 Required Test: Username Case Sensitivity Check", func(t *testing.T) {
				a := runscope{t, "step 9", get(`/Users?filter=userName eq "` + randomUsernameCaps + `"`)}
				a.status(200)
			}},
			{"10 Optional Test: Verify Groups endpoint", func(t *testing.T) {
				a := runscope{t, "step 10", get("/Groups")}
				a.status(200)
				// The post-response script.
				n, ok := a.r.Body["totalResults"].(float64)
				if !ok {
					t.Fatalf("step 10: totalResults %#v is not a number", a.r.Body["totalResults"])
				}
				if _, isList := a.r.Body["Resources"].([]any); n >= 1 && !isList {
					t.Errorf("step 10: %v groups but Resources is not an array", n)
				}
			}},
			{"11 Required Test: Check status 401", func(t *testing.T) {
				a := runscope{t, "step 11", get(`/Users?filter=userName eq "`+randomUsernameCaps+`"`, "Authorization", "non-token")}
				a.status(401)
				a.notEmpty("detail")
				a.equal("status", "401")
				a.contains("schemas", urnError)
			}},
			{"12 Required Test: Check status 404", func(t *testing.T) {
				a := runscope{t, "step 12", get("/Users/00919288221112222")}
				a.status(404)
				a.notEmpty("detail")
				a.equal("status", "404")
				a.contains("schemas", urnError)
			}},
		}
		for _, s := range steps {
			t.Run(s.name, s.run)
		}
		// What the run leaves behind: the precondition user and step 6's.
		if n := total(e.list(t, e.TokenA, base+"/Users")); n != 2 {
			t.Errorf("after the SPEC test the workspace has %d users, want 2 (step 8 must create nothing)", n)
		}
		if got := ids(e.filterA(t, `userName eq "`+randomUsernameCaps+`"`)); len(got) != 1 || got[0] != idUserOne {
			t.Errorf("the upper-cased userName finds %v, want [%s]", got, idUserOne)
		}
	})
}
