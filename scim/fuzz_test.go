package scim_test

// Fuzz targets for everything in this package that reads bytes from the
// network without a store in between: PATCH paths, User bodies and PatchOp
// bodies (FuzzParseFilter and FuzzApplyPatch live next to the code they
// test). No input may panic or hang; every error must be a *scim.Error
// with a 4xx status (a 5xx would blame the server for a bad request); and
// whatever is accepted must come out of the encoder as valid JSON that
// decodes to the very same canonical document.
//
// Each target runs its seeds (f.Add below and testdata/fuzz/<Name>/) in
// every `go test`; scripts/fuzz.sh fuzzes each for $FUZZTIME in CI.

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"birdie"
	"birdie/scim"
)

const fzBase = "https://birdie.example/scim/v2"

// fzWant4xx fails unless err is a *scim.Error with a 4xx status, a
// scimType when wantType is set, and a detail.
func fzWant4xx(t *testing.T, what string, err error, wantTypes ...string) {
	t.Helper()
	var se *scim.Error
	if !errors.As(err, &se) {
		t.Fatalf("%s: error %T %v, want a *scim.Error", what, err, err)
	}
	if se.Status < 400 || se.Status > 499 {
		t.Fatalf("%s: status %d, want a 4xx: %v", what, se.Status, err)
	}
	if strings.TrimSpace(se.Detail) == "" {
		t.Fatalf("%s: error without a detail: %#v", what, se)
	}
	if len(wantTypes) > 0 && !contains(wantTypes, se.ScimType) {
		t.Fatalf("%s: scimType %q, want one of %q: %v", what, se.ScimType, wantTypes, err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// fzJSON encodes a canonical document with encoding/json (sorted keys).
func fzJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("a canonical document does not encode: %v (%#v)", err, v)
	}
	return string(b)
}

// fzUser turns a canonical document into a stored user, as the server does
// on create: a fresh copy, Derive, fixed times and version.
func fzUser(doc map[string]any) (birdie.User, error) {
	u := birdie.User{
		ID:           "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
		Attributes:   doc,
		Created:      time.Unix(1700000000, 123000000),
		LastModified: time.Unix(1700000100, 456000000),
		Version:      3,
	}
	return u, scim.Derive(&u)
}

// fzCheckUser checks a user that Derive accepted: its derived fields obey
// Derive's contract, AppendUser writes valid JSON equal to encoding/json's
// rendering of Render, and that JSON, decoded again as a request body,
// gives back the same canonical document and derived fields and encodes to
// the same bytes. It returns the encoded user.
func fzCheckUser(t *testing.T, u *birdie.User) []byte {
	t.Helper()
	if strings.TrimSpace(u.UserName) == "" || len(u.UserName) > scim.MaxIndexedBytes {
		t.Fatalf("Derive accepted userName %q (%d bytes)", u.UserName, len(u.UserName))
	}
	if u.Email == "" {
		t.Fatalf("Derive accepted a user without an account email: %s", fzJSON(t, u.Attributes))
	}
	for _, f := range []string{u.ExternalID, u.DisplayName} {
		if len(f) > scim.MaxIndexedBytes {
			t.Fatalf("Derive accepted an indexed value of %d bytes", len(f))
		}
	}
	if a, ok := u.Attributes["active"].(bool); !ok || a != u.Active {
		t.Fatalf("Derive left active as %#v, Active %v", u.Attributes["active"], u.Active)
	}

	enc := scim.AppendUser(nil, u, fzBase)
	if !json.Valid(enc) {
		t.Fatalf("AppendUser wrote invalid JSON: %q", enc)
	}
	if !utf8.Valid(enc) {
		t.Fatalf("AppendUser wrote invalid UTF-8: %q", enc)
	}
	var got, want any
	if err := json.Unmarshal(enc, &got); err != nil {
		t.Fatal(err)
	}
	ref, err := json.Marshal(scim.Render(u, fzBase))
	if err != nil {
		t.Fatalf("Render's map does not encode: %v", err)
	}
	json.Unmarshal(ref, &want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("AppendUser and Render differ:\nAppendUser %s\n    Render %s", enc, ref)
	}
	// Projections go through Render and the generic encoder.
	for _, p := range []scim.Projection{
		scim.NewProjection([]string{"userName", "emails.value", "name", scim.URNEnterprise + ":manager"}, nil),
		scim.NewProjection(nil, []string{"emails", "meta", "name.givenName"}),
	} {
		if b := scim.AppendProjectedUser(nil, u, fzBase, p); !json.Valid(b) {
			t.Fatalf("AppendProjectedUser wrote invalid JSON: %q", b)
		}
	}

	// The response, sent back as a request body (what Okta does on PUT),
	// is the same user.
	doc2, err := scim.DecodeUser(enc)
	if err != nil {
		t.Fatalf("the encoded user does not decode: %v\n%s", err, enc)
	}
	if !reflect.DeepEqual(doc2, u.Attributes) {
		t.Fatalf("the encoded user decodes to another document:\n before %s\n  after %s", fzJSON(t, u.Attributes), fzJSON(t, doc2))
	}
	u2, err := fzUser(doc2)
	if err != nil {
		t.Fatalf("the re-decoded user fails Derive: %v\n%s", err, enc)
	}
	if u2.UserName != u.UserName || u2.Email != u.Email || u2.ExternalID != u.ExternalID || u2.DisplayName != u.DisplayName ||
		u2.Active != u.Active || !slices.Equal(u2.EmailValues, u.EmailValues) {
		t.Fatalf("derived fields changed through a round trip:\n before %+v\n  after %+v", *u, u2)
	}
	if enc2 := scim.AppendUser(nil, &u2, fzBase); !bytes.Equal(enc, enc2) {
		t.Fatalf("the round trip changed the encoding:\n before %s\n  after %s", enc, enc2)
	}
	return enc
}

// fzCanonical fails unless doc is canonical: decoding its JSON as a body
// gives it back unchanged.
func fzCanonical(t *testing.T, doc map[string]any) {
	t.Helper()
	again, err := scim.DecodeUser([]byte(fzJSON(t, doc)))
	if err != nil {
		t.Fatalf("the document is not canonical: %v\n%s", err, fzJSON(t, doc))
	}
	if !reflect.DeepEqual(again, doc) {
		t.Fatalf("the document is not canonical:\n     got %s\nre-read %s", fzJSON(t, doc), fzJSON(t, again))
	}
}

// fzDocs are the users PATCH targets start from: the shapes IdPs create.
var fzDocs = []string{
	`{"userName":"jdoe@example.com"}`,
	`{"userName":"alex@contoso.com","externalId":"e-1","displayName":"Alex Wilber","active":true,
	  "name":{"givenName":"Alex","familyName":"Wilber","formatted":"Alex Wilber"},
	  "emails":[{"value":"alex@contoso.com","type":"work","primary":true},{"value":"alex@home.example","type":"home"}],
	  "phoneNumbers":[{"value":"+1 555 0100","type":"work"}],
	  "addresses":[{"type":"work","locality":"Zürich","country":"CH"}],
	  "roles":[{"value":"admin","primary":true}],
	  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","department":"R&D","manager":{"value":"boss","displayName":"Boss"}}}`,
	`{"userName":"jdoe","emails":[{"value":"j@x.co"}],"active":false,"title":"\u2028 \"quoted\" \\ é 😀"}`,
}

// FuzzParsePatchPath: ParsePatchPath on arbitrary strings never panics,
// errors are 400 invalidPath/invalidFilter, what it accepts is consistent
// (Unknown paths resolve nothing; known ones resolve their canonical
// names), parsing is deterministic, and the parsed path used in a PATCH
// on real documents either applies, leaving them canonical, or fails with
// a 400 and leaves the original untouched.
func FuzzParsePatchPath(f *testing.F) {
	for _, s := range []string{
		"active", "userName", "USERNAME", "name.givenName", "name.GIVENNAME", "emails", "emails.value",
		`emails[type eq "work"]`, `emails[type eq "work"].value`, `emails[type eq "work" and value co "@x.com"].primary`,
		`emails[not (type eq "home")].value`, `addresses[type eq "work"].locality`, `phoneNumbers[primary eq true]`,
		"manager", "manager.value", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName",
		"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName", "urn:ietf:params:scim:schemas:core:2.0:User",
		"urn:birdie:scim:schemas:extension:account:2.0:User:email", "urn:evil:ext:attr", "urn:evil:ext:attr.sub",
		`urn:evil:ext:attr[x eq "y"].z`, "id", "meta.created", "groups", "password", "x509Certificates[value pr]",
		"", " ", "\t", ".", "..", "a..b", "a.b.c", "emails[", "emails]", "emails[]", "emails[type eq]", `emails[type eq "work"`,
		`emails[type eq "work"]]`, `emails[type eq "work"].value.x`, `name[givenName eq "x"]`, `active[value eq true]`,
		"userName' OR 1=1 --", `emails[value eq "' OR 1=1 --"].value`, `emails[value eq "\") or (1=1"]`, `title; DROP TABLE users`,
		"emails[" + strings.Repeat("(", 40) + `type eq "x"` + strings.Repeat(")", 40) + "]",
		"emails[" + strings.Repeat("not (", 40) + `type pr` + strings.Repeat(")", 40) + "]",
		strings.Repeat("a", scim.MaxFilterLength+1), "us\x00erName", "user\xffName", "\u0430ctive", "$ref", "emails.$ref",
		`emails[type eq "\u0000"].value`, `emails[value eq "\ud800"]`, `emails[value eq 1e999]`, `emails[value gt -0]`,
	} {
		f.Add(s)
	}
	docs := fzParseDocs(f)
	values := []any{nil, "x@example.com", true, "False", map[string]any{"value": "v@example.com", "type": "work", "primary": true},
		[]any{map[string]any{"value": "w@example.com"}}, []any{}, 42.0}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := scim.ParsePatchPath(s)
		if err != nil {
			fzWant4xx(t, "ParsePatchPath", err, scim.ErrInvalidPath, scim.ErrInvalidFilter)
			return
		}
		if len(s) > scim.MaxFilterLength || !utf8.ValidString(s) {
			t.Fatalf("ParsePatchPath accepted a path over the limits (%d bytes, valid UTF-8 %v)", len(s), utf8.ValidString(s))
		}
		if strings.TrimSpace(s) == "" {
			t.Fatalf("ParsePatchPath accepted an empty path")
		}
		switch {
		case p.Unknown:
			if p.Schema != nil || p.Attribute != nil || p.SubAttribute != nil {
				t.Fatalf("an Unknown path resolved definitions: %+v", p)
			}
		default:
			if p.Schema == nil || p.Attribute == nil {
				t.Fatalf("a known path without its definitions: %+v", p)
			}
			if p.Attr != p.Attribute.Name {
				t.Fatalf("Attr %q is not the canonical name %q", p.Attr, p.Attribute.Name)
			}
			if (p.SubAttribute == nil) != (p.Sub == "") || p.SubAttribute != nil && p.Sub != p.SubAttribute.Name {
				t.Fatalf("Sub %q does not match SubAttribute %+v", p.Sub, p.SubAttribute)
			}
			if p.Filter != nil && p.Attribute.Type != scim.TypeComplex {
				t.Fatalf("a filter on the simple attribute %s was accepted", p.Attr)
			}
		}
		if again, err := scim.ParsePatchPath(s); err != nil || !reflect.DeepEqual(again, p) {
			t.Fatalf("parsing %q twice gave %+v, then %+v (%v)", s, p, again, err)
		}
		for _, doc := range docs {
			for _, op := range []string{"add", "replace", "remove"} {
				for _, v := range values {
					if op == "remove" && v != nil {
						continue
					}
					fzApply(t, doc, []scim.PatchOp{{Op: op, Path: s, Value: v}})
				}
			}
		}
	})
}

func fzParseDocs(f *testing.F) []map[string]any {
	var docs []map[string]any
	for _, s := range fzDocs {
		d, err := scim.DecodeUser([]byte(s))
		if err != nil {
			f.Fatalf("fixture %s: %v", s, err)
		}
		if _, err := fzUser(scim.CopyDoc(d)); err != nil {
			f.Fatalf("fixture %s: %v", s, err)
		}
		docs = append(docs, d)
	}
	return docs
}

// fzApply applies ops to a copy of orig, as the server does, and checks
// the outcome: a 400 *Error, or a canonical document that Derive either
// refuses with a 400 or accepts as a user that round-trips. orig must not
// change either way.
func fzApply(t *testing.T, orig map[string]any, ops []scim.PatchOp) {
	t.Helper()
	before := fzJSON(t, orig)
	doc := scim.CopyDoc(orig)
	err := scim.ApplyPatch(doc, ops)
	if after := fzJSON(t, orig); after != before {
		t.Fatalf("ApplyPatch changed the original:\nbefore %s\n after %s", before, after)
	}
	if err != nil {
		var se *scim.Error
		if !errors.As(err, &se) || se.Status != 400 {
			t.Fatalf("ApplyPatch(%+v): %T %v, want a 400 *scim.Error", ops, err, err)
		}
		return
	}
	fzCanonical(t, doc)
	u, err := fzUser(doc)
	if err != nil {
		fzWant4xx(t, "Derive after PATCH", err, scim.ErrInvalidValue)
		return
	}
	fzCheckUser(t, &u)
}

// FuzzDecodeUser: a POST/PUT body of arbitrary bytes goes through what the
// server does with it (DecodeUser, Derive, AppendUser/Render). Errors are
// 4xx *scim.Errors; an accepted user re-encodes to valid JSON that decodes
// to the same canonical document (fzCheckUser).
func FuzzDecodeUser(f *testing.F) {
	for _, s := range fzDocs {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"okta@example.com","name":{"givenName":"O","familyName":"K"},"emails":[{"primary":true,"value":"okta@example.com","type":"work"}],"displayName":"O K","locale":"en-US","externalId":"00u1","groups":[],"password":"p","active":true}`,
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"externalId":"e","userName":"u@contoso.com","active":"True","displayName":"D","emails":[{"primary":"true","type":"work","value":"u@contoso.com"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"1","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m-1"}`,
		`{"userName":"one","emails":{"value":"one@login.example","primary":true}}`,
		`{"userName":"m@x.co","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":["boss"]}}`,
		`{"userName":"m@x.co","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":""}}}`,
		`{"userName":"a@b.co","id":"x","meta":{"version":"W/\"9\""},"urn:birdie:scim:schemas:extension:account:2.0:User":{"email":"evil@x.co"},"urn:evil":{"userName":"hijack"}}`,
		`{"userName":"dup1@x.co","userName":"dup2@x.co"}`,
		`{"userName":"a@b.co","title":"a\u0000b","displayName":"\ud800\udc00 \ud800"}`,
		"{\"userName\":\"in\xffvalid@x.co\"}",
		`{"userName":"a@b.co","emails":[[["e@x.co"]]],"x509Certificates":[{"value":"MII"}]}`,
		`{"userName":` + `"` + strings.Repeat("a", scim.MaxIndexedBytes-len("@x.co")) + `@x.co"}`,
		`{"userName":` + `"` + strings.Repeat("a", scim.MaxIndexedBytes) + `@x.co"}`,
		`{"userName":"a@b.co","active":1}`, `{"userName":42}`, `{"userName":" "}`, `{"userName":"jdoe"}`,
		`[]`, `"s"`, `42`, `null`, ``, ` `, `{`, `{}`, `{} {}`, `{"userName":"a@b.co"}x`, "\ufeff{}",
		`{"userName":"a@b.co","name":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := scim.DecodeUser(body)
		if err != nil {
			fzWant4xx(t, "DecodeUser", err)
			return
		}
		if doc == nil {
			t.Fatal("DecodeUser returned a nil document without an error")
		}
		fzCanonical(t, doc)
		u, err := fzUser(doc)
		if err != nil {
			fzWant4xx(t, "Derive", err, scim.ErrInvalidValue)
			return
		}
		fzCheckUser(t, &u)
	})
}

// FuzzDecodePatch: a PATCH body of arbitrary bytes goes through what the
// server does with it (DecodePatch, then ApplyPatch on a copy of each
// fixture user, Derive, AppendUser). Errors are 400 *scim.Errors; decoded
// operations obey DecodePatch's contract; the originals never change; an
// accepted result is canonical and round-trips.
func FuzzDecodePatch(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`,
		`{"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"replace","value":{"name.givenName":"Janet"}},{"op":"Add","path":"emails[type eq \"work\"].value","value":"janet@example.com"}]}`,
		`{"operations":[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m2"}},"title":"T"}}]}`,
		`{"Operations":[{"op":"remove","path":"emails[type eq \"home\"]"},{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":[{"value":"boss"}]}]}`,
		`{"Operations":[{"op":"replace","value":"{\"displayName\":\"from a string\"}"}]}`,
		`{"Operations":[{"op":"add","path":"roles","value":[{"value":"r1","primary":true},{"value":"r2","primary":"True"}]}]}`,
		`{"Operations":[{"op":"replace","path":"emails","value":{"value":"one@x.co"}},{"op":"remove","path":"emails","value":[{"value":"one@x.co"}]}]}`,
		`{"Operations":[{"op":"remove","path":"userName"}]}`,
		`{"Operations":[{"op":"replace","path":"id","value":"x"}]}`,
		`{"Operations":[{"op":"copy","path":"title"}]}`,
		`{"Operations":[{"op":"remove"}]}`,
		`{"Operations":[{"op":"add","value":42}]}`,
		`{"Operations":[{"op":42}]}`,
		`{"Operations":[{"op":"add","path":42}]}`,
		`{"Operations":[]}`, `{"Operations":{}}`, `{"Operations":[1,2]}`, `{}`, `[]`, ``, `null`,
		`{"Operations":[{"op":"add","path":"emails[value eq \"' OR 1=1 --\"].value","value":"x@x.co"}]}`,
		`{"Operations":[{"op":"replace","path":"title","value":"` + strings.Repeat("x", 5000) + `"}]}`,
		`{"Operations":[` + strings.Repeat(`{"op":"replace","path":"title","value":"t"},`, scim.MaxPatchOperations) + `{"op":"replace","path":"title","value":"t"}]}`,
		`{"Operations":[{"op":"add","path":"emails","value":` + strings.Repeat("[", 300) + `"deep@x.co"` + strings.Repeat("]", 300) + `}]}`,
		`{"Operations":[{"OP":"add","Op":"remove","path":"title","value":"x"}]}`,
	} {
		f.Add([]byte(s))
	}
	docs := fzParseDocs(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		ops, err := scim.DecodePatch(body)
		if err != nil {
			fzWant4xx(t, "DecodePatch", err, scim.ErrInvalidSyntax, scim.ErrInvalidValue, scim.ErrNoTarget)
			var se *scim.Error
			errors.As(err, &se)
			if se.Status != 400 {
				t.Fatalf("DecodePatch: status %d, want 400", se.Status)
			}
			return
		}
		if len(ops) == 0 || len(ops) > scim.MaxPatchOperations {
			t.Fatalf("DecodePatch accepted %d operations", len(ops))
		}
		for i, op := range ops {
			switch op.Op {
			case "add", "replace", "remove":
			default:
				t.Fatalf("operation %d: op %q is not normalised", i, op.Op)
			}
			if op.Path != strings.TrimSpace(op.Path) {
				t.Fatalf("operation %d: path %q is not trimmed", i, op.Path)
			}
			if op.Op == "remove" && op.Path == "" {
				t.Fatalf("operation %d: a remove without a path was accepted", i)
			}
		}
		for _, doc := range docs {
			fzApply(t, doc, ops)
		}
	})
}
