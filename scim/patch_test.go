package scim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// The request bodies below are copied from the captured IdP requests in
// shared/reference/idp-requests (the file is named in each case) or written
// in the same shape; tests never read those files.

// Users the PATCH tests start from, as canonical documents (JSON decoded by
// DecodeUser). ptEntra and ptOkta are the users of the Entra and Okta
// example files.
const (
	ptEntra = `{"userName":"alex@contoso.com","name":{"givenName":"Alex","familyName":"Wilber"},
		"emails":[{"value":"alex@contoso.com","type":"work","primary":true}],"active":true,
		"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","displayName":"Alex Wilber"}`
	ptOkta = `{"userName":"jane.doe@example.com","name":{"givenName":"Jane","familyName":"Doe"},
		"emails":[{"value":"jane.doe@example.com","type":"work","primary":true}],"active":true,
		"externalId":"00u1ab2cd3EF4gh5i6j7","displayName":"Jane Doe","locale":"en-US"}`
	ptMin  = `{"userName":"alex@contoso.com","active":true}`
	ptTwo  = `{"userName":"alex@contoso.com","emails":[{"value":"alex@contoso.com","type":"work","primary":true},{"value":"Old.Alias@Contoso.com","type":"home"}]}`
	ptBoss = `{"userName":"alex@contoso.com","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"20018",
		"manager":{"value":"boss-1","$ref":"https://app.example.com/scim/v2/Users/boss-1","displayName":"Boss One"}}}`
)

// ptCase is one PATCH request applied to a document.
type ptCase struct {
	name   string
	doc    string // the user before, canonical, as JSON
	body   string // the PatchOp request body
	want   string // the document after, as JSON (compared exactly); "" for unchanged; unused when err is set
	err    string // scimType of the expected 400; "" for success
	detail string // text the error detail must contain
}

func ptDoc(t testing.TB, js string) map[string]any {
	t.Helper()
	doc, err := DecodeUser([]byte(js))
	if err != nil {
		t.Fatalf("test document %s: %v", js, err)
	}
	return doc
}

func ptJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// ptCanonical fails unless doc is in the canonical form of doc.go: decoding
// its JSON as a POST body (which normalises everything) changes nothing. It
// catches junk keys ("name.givenName"), empty objects or arrays, and
// booleans left as strings.
func ptCanonical(t testing.TB, doc map[string]any) {
	t.Helper()
	again, err := DecodeUser([]byte(ptJSON(doc)))
	if err != nil {
		t.Fatalf("document is not canonical: %v\n%s", err, ptJSON(doc))
	}
	if !reflect.DeepEqual(again, doc) {
		t.Fatalf("document is not canonical:\n got %s\nnormalised %s", ptJSON(doc), ptJSON(again))
	}
}

// ptRun applies each case's body as the server does (DecodePatch, then
// ApplyPatch on a CopyDoc) and checks the result, and that the original
// document was never changed.
func ptRun(t *testing.T, cases []ptCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			orig := ptDoc(t, c.doc)
			before := ptJSON(orig)
			ops, err := DecodePatch([]byte(c.body))
			var got map[string]any
			if err == nil {
				got = CopyDoc(orig)
				err = ApplyPatch(got, ops)
			}
			if after := ptJSON(orig); after != before {
				t.Errorf("the original document changed:\nbefore %s\n after %s", before, after)
			}
			if c.err != "" {
				ptWantErr(t, err, c.err, c.detail)
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			want := orig
			if c.want != "" {
				want = nil
				if err := json.Unmarshal([]byte(c.want), &want); err != nil {
					t.Fatalf("bad want %s: %v", c.want, err)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("\n got %s\nwant %s", ptJSON(got), ptJSON(want))
			}
			ptCanonical(t, got)
		})
	}
}

func ptWantErr(t testing.TB, err error, scimType, detail string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want a 400 %s, got success", scimType)
	}
	se, ok := err.(*Error)
	if !ok {
		t.Fatalf("want a *Error, got %T: %v", err, err)
	}
	if se.Status != http.StatusBadRequest || se.ScimType != scimType {
		t.Fatalf("want 400 %s, got %v", scimType, se)
	}
	if !strings.Contains(se.Detail, detail) {
		t.Fatalf("detail %q does not contain %q", se.Detail, detail)
	}
}

func TestDecodePatch(t *testing.T) {
	ok := []struct {
		name, body string
		want       []PatchOp
	}{
		{"okta-patch-deactivate.json", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			[]PatchOp{{Op: "replace", Value: map[string]any{"active": false}}}},
		{"Entra's capitalised ops are lower-cased", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"nickName","value":"Lex"},{"op":"Replace","path":"active","value":"False"},{"op":"Remove","path":"title"}]}`,
			[]PatchOp{{Op: "add", Path: "nickName", Value: "Lex"}, {Op: "replace", Path: "active", Value: "False"}, {Op: "remove", Path: "title"}}},
		{"member names in any case, no schemas", `{"operations":[{"OP":"REPLACE","Path":"displayName","VALUE":"X"}]}`,
			[]PatchOp{{Op: "replace", Path: "displayName", Value: "X"}}},
		{"unknown schemas are not checked", `{"schemas":["urn:scim:schemas:core:1.0"],"Operations":[{"op":"add","path":"title","value":"T"}]}`,
			[]PatchOp{{Op: "add", Path: "title", Value: "T"}}},
		{"null path is no path", `{"Operations":[{"op":"replace","path":null,"value":{"active":true}}]}`,
			[]PatchOp{{Op: "replace", Value: map[string]any{"active": true}}}},
		{"remove with a value array (generic-patch-remove-value-array.json)", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"emails","value":[{"value":"old.alias@contoso.com"}]}]}`,
			[]PatchOp{{Op: "remove", Path: "emails", Value: []any{map[string]any{"value": "old.alias@contoso.com"}}}}},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodePatch([]byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("\n got %#v\nwant %#v", got, c.want)
			}
		})
	}

	manyOps := func(n int) string {
		return `{"Operations":[` + strings.TrimSuffix(strings.Repeat(`{"op":"add","path":"title","value":"T"},`, n), ",") + `]}`
	}
	if ops, err := DecodePatch([]byte(manyOps(MaxPatchOperations))); err != nil || len(ops) != MaxPatchOperations {
		t.Fatalf("%d operations: %d, %v", MaxPatchOperations, len(ops), err)
	}

	bad := []struct{ name, body, scimType, detail string }{
		{"empty body", ``, ErrInvalidSyntax, "empty"},
		{"not JSON", `{"Operations":[`, ErrInvalidSyntax, "not valid JSON"},
		{"not an object", `[{"op":"add"}]`, ErrInvalidSyntax, "JSON object"},
		{"no Operations", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, ErrInvalidSyntax, `needs an "Operations" array`},
		{"Operations not an array", `{"Operations":{"op":"add"}}`, ErrInvalidSyntax, `needs an "Operations" array`},
		{"Operations empty", `{"Operations":[]}`, ErrInvalidSyntax, `needs an "Operations" array`},
		{"operation not an object", `{"Operations":["add"]}`, ErrInvalidSyntax, "Operations[0]: an operation must be an object"},
		{"op missing", `{"Operations":[{"path":"title","value":"x"}]}`, ErrInvalidSyntax, `no "op"`},
		{"op not a string", `{"Operations":[{"op":1,"path":"title","value":"x"}]}`, ErrInvalidSyntax, `"op" must be a string`},
		{"unknown op named", `{"Operations":[{"op":"add","path":"title","value":"x"},{"op":"Move","path":"title"}]}`, ErrInvalidSyntax, `Operations[1]: unknown op "Move"`},
		{"path not a string", `{"Operations":[{"op":"add","path":["title"],"value":"x"}]}`, ErrInvalidSyntax, `"path" must be a string`},
		{"remove without path", `{"Operations":[{"op":"remove","value":{"title":"x"}}]}`, ErrNoTarget, `"remove" operation needs a "path"`},
		{"remove with empty path", `{"Operations":[{"op":"Remove","path":" "}]}`, ErrNoTarget, "RFC 7644 §3.5.2.2"},
		{"too many operations", manyOps(MaxPatchOperations + 1), ErrInvalidValue, "the limit is 1000"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodePatch([]byte(c.body))
			ptWantErr(t, err, c.scimType, c.detail)
		})
	}
}

// TestApplyPatchOps checks that ApplyPatch holds operations built in code
// to the rules DecodePatch applies.
func TestApplyPatchOps(t *testing.T) {
	doc := ptDoc(t, ptMin)
	if err := ApplyPatch(doc, []PatchOp{{Op: "Replace", Path: "title", Value: "T"}}); err != nil || doc["title"] != "T" {
		t.Fatalf("capitalised op: %v, %v", err, doc)
	}
	ptWantErr(t, ApplyPatch(doc, []PatchOp{{Op: "copy", Path: "title"}}), ErrInvalidSyntax, `unknown op "copy"`)
	ptWantErr(t, ApplyPatch(doc, []PatchOp{{Op: "remove"}}), ErrNoTarget, `needs a "path"`)
	if err := ApplyPatch(doc, nil); err != nil {
		t.Fatal(err)
	}
}

func TestApplyPatchPathless(t *testing.T) { ptRun(t, ptPathlessCases) }

var ptPathlessCases = []ptCase{
	{name: "okta-patch-deactivate.json", doc: ptOkta,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
		want: `{"userName":"jane.doe@example.com","name":{"givenName":"Jane","familyName":"Doe"},"emails":[{"value":"jane.doe@example.com","type":"work","primary":true}],"active":false,"externalId":"00u1ab2cd3EF4gh5i6j7","displayName":"Jane Doe","locale":"en-US"}`},
	{name: "okta-patch-reactivate.json", doc: `{"userName":"jane.doe@example.com","active":false}`,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`,
		want: `{"userName":"jane.doe@example.com","active":true}`},
	{name: "okta-patch-password.json: accepted, never stored", doc: ptMin,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"password":"N3w-Pa55word!"}}]}`,
		want: ptMin},
	{name: "entra-patch-replace-nopath-dotted-keys.json: keys are paths", doc: ptEntra,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"replace","path":"emails[type eq \"work\"].value","value":"alex.w@contoso.com"},
				{"op":"replace","value":{"displayName":"Alex W.","name.givenName":"Alexander","name.familyName":"Wilber",
					"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"20018"}}]}`,
		want: `{"userName":"alex@contoso.com","name":{"givenName":"Alexander","familyName":"Wilber"},
				"emails":[{"value":"alex.w@contoso.com","type":"work","primary":true}],"active":true,
				"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","displayName":"Alex W.",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"20018"}}`},
	{name: "a complex value is merged, not replaced", doc: ptEntra,
		body: `{"Operations":[{"op":"replace","value":{"name":{"givenName":"X"}}}]}`,
		want: `{"userName":"alex@contoso.com","name":{"givenName":"X","familyName":"Wilber"},
				"emails":[{"value":"alex@contoso.com","type":"work","primary":true}],"active":true,
				"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","displayName":"Alex Wilber"}`},
	{name: "an object and a path into it: the object first", doc: ptMin,
		body: `{"Operations":[{"op":"add","value":{"name.givenName":"G","name":{"givenName":"X","familyName":"F"}}}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"name":{"givenName":"G","familyName":"F"}}`},
	{name: "URN-qualified core and extension keys", doc: ptMin,
		body: `{"Operations":[{"op":"add","value":{"urn:ietf:params:scim:schemas:core:2.0:User:displayName":"D",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"R&D"}}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"displayName":"D","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"}}`},
	{name: "a schema URN key holds an object of its attributes, merged", doc: ptBoss,
		body: `{"Operations":[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D","Manager":{"value":"boss-1"}},
				"urn:ietf:params:scim:schemas:core:2.0:User":{"title":"T","name.familyName":"F"}}}]}`,
		want: `{"userName":"alex@contoso.com","title":"T","name":{"familyName":"F"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"20018","department":"R&D",
				"manager":{"value":"boss-1","$ref":"https://app.example.com/scim/v2/Users/boss-1","displayName":"Boss One"}}}`},
	{name: "a null schema URN key removes the extension", doc: ptBoss,
		body: `{"Operations":[{"op":"replace","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":null}}]}`,
		want: `{"userName":"alex@contoso.com"}`},
	{name: "Keycloak: the value is an object encoded as a JSON string", doc: ptMin,
		body: `{"Operations":[{"op":"replace","value":"{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"displayName\":\"Alex W.\"}"}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"displayName":"Alex W."}`},
	{name: "a JSON-string value that is not valid JSON says why", doc: ptMin,
		body: `{"Operations":[{"op":"replace","value":"{\"active\":fals}"}]}`,
		err:  ErrInvalidValue, detail: `the "replace" operation without a "path" has a "value" string that is not a JSON object of attributes: the request body is not valid JSON`},
	{name: "schemas and unknown keys are ignored; names in any case", doc: ptMin,
		body: `{"Operations":[{"op":"replace","value":{"Schemas":["x"],"nickname":"Lex","foo":"bar","urn:okta:custom:1.0:costCenter":"9","name.nickname":"n"}}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"nickName":"Lex"}`},
	{name: "add appends to a multi-valued attribute", doc: ptEntra,
		body: `{"Operations":[{"op":"add","value":{"emails":[{"value":"alex@home.example","type":"home"}]}}]}`,
		want: `{"userName":"alex@contoso.com","name":{"givenName":"Alex","familyName":"Wilber"},
				"emails":[{"value":"alex@contoso.com","type":"work","primary":true},{"value":"alex@home.example","type":"home"}],"active":true,
				"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","displayName":"Alex Wilber"}`},
	{name: "replace replaces a multi-valued attribute", doc: ptTwo,
		body: `{"Operations":[{"op":"replace","value":{"emails":[{"value":"new@contoso.com","type":"work"}]}}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"new@contoso.com","type":"work"}]}`},
	{name: "a null value unassigns", doc: ptEntra,
		body: `{"Operations":[{"op":"replace","value":{"displayName":null,"name":null,"emails":null}}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"}`},
	{name: "the value must be an object", doc: ptMin,
		body: `{"Operations":[{"op":"replace","value":false}]}`, err: ErrInvalidValue, detail: `without a "path" needs a "value" object`},
	{name: "a string value must hold an object", doc: ptMin,
		body: `{"Operations":[{"op":"add","value":"active=false"}]}`, err: ErrInvalidValue, detail: "got a string"},
	{name: "a schema URN key needs an object", doc: ptMin,
		body: `{"Operations":[{"op":"add","value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"x"}}]}`, err: ErrInvalidValue, detail: "must be an object"},
	{name: "a read-only key is refused", doc: ptMin,
		body: `{"Operations":[{"op":"replace","value":{"id":"123","active":false}}]}`, err: ErrMutability, detail: `"id" is read-only`},
	{name: "a malformed key is refused", doc: ptMin,
		body: `{"Operations":[{"op":"replace","value":{"name..givenName":"x"}}]}`, err: ErrInvalidPath, detail: "name..givenName"},
	{name: "value errors name the key", doc: ptMin,
		body: `{"Operations":[{"op":"replace","value":{"name.givenName":7}}]}`, err: ErrInvalidValue, detail: `Operations[0]: attribute "name.givenName" must be a string`},
}

func TestApplyPatchReadOnlyAndUnknown(t *testing.T) { ptRun(t, ptReadOnlyAndUnknownCases) }

var ptReadOnlyAndUnknownCases = []ptCase{
	{name: "unknown attributes, extensions and sub-attributes are ignored", doc: ptEntra,
		body: `{"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:custom:2.0:User:badge","value":"7"},
				{"op":"replace","path":"name.nickName","value":"x"},{"op":"replace","path":"emails[type eq \"work\"].label","value":"x"},
				{"op":"remove","path":"costCentre"},{"op":"add","path":"foo[bar eq \"x\"].baz","value":1}]}`,
		want: ""},
	{name: "password is discarded", doc: ptMin,
		body: `{"Operations":[{"op":"replace","path":"password","value":"s3cret"},{"op":"remove","path":"PASSWORD"}]}`, want: ptMin},
	{name: "id", doc: ptMin, body: `{"Operations":[{"op":"replace","path":"id","value":"x"}]}`, err: ErrMutability, detail: `"id" is read-only`},
	{name: "meta", doc: ptMin, body: `{"Operations":[{"op":"remove","path":"meta"}]}`, err: ErrMutability, detail: `"meta" is read-only`},
	{name: "meta.lastModified", doc: ptMin, body: `{"Operations":[{"op":"replace","path":"meta.lastModified","value":"2025-01-01T00:00:00Z"}]}`, err: ErrMutability, detail: `"meta.lastModified" is read-only`},
	{name: "groups", doc: ptMin, body: `{"Operations":[{"op":"add","path":"groups","value":[{"value":"g1"}]}]}`, err: ErrMutability, detail: `"groups" is read-only`},
	{name: "the account email", doc: ptMin, body: `{"Operations":[{"op":"replace","path":"urn:birdie:scim:schemas:extension:account:2.0:User:email","value":"a@b.c"}]}`, err: ErrMutability, detail: "read-only"},
	{name: "the account extension", doc: ptMin, body: `{"Operations":[{"op":"remove","path":"urn:birdie:scim:schemas:extension:account:2.0:User"}]}`, err: ErrMutability, detail: "read-only"},
	{name: "the account extension, unknown attribute", doc: ptMin, body: `{"Operations":[{"op":"add","path":"urn:birdie:scim:schemas:extension:account:2.0:User:foo","value":"x"}]}`, err: ErrMutability, detail: "read-only"},
	{name: "malformed path", doc: ptMin, body: `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"","value":"x"}]}`, err: ErrInvalidPath, detail: `"]"`},
	{name: "malformed filter", doc: ptMin, body: `{"Operations":[{"op":"replace","path":"emails[type xx \"work\"].value","value":"x"}]}`, err: ErrInvalidFilter, detail: "operator"},
	{name: "unknown sub-attribute in a filter", doc: ptMin, body: `{"Operations":[{"op":"replace","path":"emails[kind eq \"work\"].value","value":"x"}]}`, err: ErrInvalidFilter, detail: "kind"},
	{name: "filter on a single-valued complex attribute", doc: ptEntra, body: `{"Operations":[{"op":"replace","path":"name[givenName eq \"Alex\"].familyName","value":"x"}]}`, err: ErrInvalidPath, detail: "single-valued"},
	{name: "the core schema cannot be removed", doc: ptMin, body: `{"Operations":[{"op":"remove","path":"urn:ietf:params:scim:schemas:core:2.0:User"}]}`, err: ErrNoTarget, detail: "core schema"},
}

func TestApplyPatchSimple(t *testing.T) { ptRun(t, ptSimpleCases) }

var ptSimpleCases = []ptCase{
	{name: "entra-patch-add-single-value.json: add is replace", doc: `{"userName":"alex@contoso.com","nickName":"Al"}`,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"nickName","value":"Lex"}]}`,
		want: `{"userName":"alex@contoso.com","nickName":"Lex"}`},
	{name: "entra-patch-replace-active-string.json", doc: ptMin,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
		want: `{"userName":"alex@contoso.com","active":false}`},
	{name: "entra-patch-enable-string.json", doc: `{"userName":"alex@contoso.com","active":false}`,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}`,
		want: ptMin},
	{name: "entra-patch-enable-string.json on an active user changes nothing", doc: ptMin,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"True"}]}`,
		want: ptMin},
	{name: "entra-patch-replace-active-bool-flag.json", doc: ptMin,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`,
		want: `{"userName":"alex@contoso.com","active":false}`},
	{name: "entra-patch-schema-qualified-core-path.json", doc: ptMin,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:title","value":"Senior Engineer"}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"title":"Senior Engineer"}`},
	{name: "entra-patch-multi-replace-default.json", doc: ptEntra,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"Replace","path":"displayName","value":"Alex W."},
				{"op":"Replace","path":"emails[type eq \"work\"].value","value":"alex.w@contoso.com"},
				{"op":"Replace","path":"name.givenName","value":"Alexander"},
				{"op":"Replace","path":"name.familyName","value":"Wilber"},
				{"op":"Replace","path":"externalId","value":"awilber"},
				{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"20018"}]}`,
		want: `{"userName":"alex@contoso.com","name":{"givenName":"Alexander","familyName":"Wilber"},
				"emails":[{"value":"alex.w@contoso.com","type":"work","primary":true}],"active":true,
				"externalId":"awilber","displayName":"Alex W.",
				"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"20018"}}`},
	{name: "jumpcloud-patch-per-attribute.json", doc: ptEntra,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"replace","path":"name.givenName","value":"John"},{"op":"replace","path":"name.familyName","value":"Smith"},{"op":"replace","path":"active","value":false}]}`,
		want: `{"userName":"alex@contoso.com","name":{"givenName":"John","familyName":"Smith"},
				"emails":[{"value":"alex@contoso.com","type":"work","primary":true}],"active":false,
				"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","displayName":"Alex Wilber"}`},
	{name: "names in any case, value kept as sent", doc: ptMin,
		body: `{"Operations":[{"op":"replace","path":"USERNAME","value":"Alex@Contoso.com"},{"op":"add","path":"PreferredLanguage","value":"en-GB"}]}`,
		want: `{"userName":"Alex@Contoso.com","active":true,"preferredLanguage":"en-GB"}`},
	{name: "null removes", doc: `{"userName":"alex@contoso.com","title":"T","nickName":"N"}`,
		body: `{"Operations":[{"op":"replace","path":"title","value":null},{"op":"add","path":"nickName","value":null}]}`,
		want: `{"userName":"alex@contoso.com"}`},
	{name: "a missing value is refused, not taken for null", doc: `{"userName":"alex@contoso.com","nickName":"N"}`,
		body: `{"Operations":[{"op":"replace","path":"title","value":"T"},{"op":"add","path":"nickName"}]}`,
		err:  ErrInvalidSyntax, detail: `Operations[1]: the "add" operation needs a "value"`},
	{name: "a pathless replace without a value is refused", doc: ptMin,
		body: `{"Operations":[{"op":"Replace"}]}`,
		err:  ErrInvalidSyntax, detail: `Operations[0]: the "replace" operation needs a "value"`},
	{name: "boolean of the wrong type", doc: ptMin,
		body: `{"Operations":[{"op":"replace","path":"active","value":"no"}]}`, err: ErrInvalidValue, detail: `Operations[0]: attribute "active" must be a boolean`},
	{name: "string of the wrong type", doc: ptMin,
		body: `{"Operations":[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":20018}]}`,
		err:  ErrInvalidValue, detail: `"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber" must be a string, got a number`},
}

func TestApplyPatchSingularComplex(t *testing.T) { ptRun(t, ptSingularComplexCases) }

var ptSingularComplexCases = []ptCase{
	{name: "a sub-attribute creates the complex value", doc: ptMin,
		body: `{"Operations":[{"op":"add","path":"name.givenName","value":"Alex"}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"name":{"givenName":"Alex"}}`},
	{name: "sub-attributes not given are left unchanged", doc: ptEntra,
		body: `{"Operations":[{"op":"replace","path":"name","value":{"givenName":"Al","formatted":"Al Wilber","nickname":"ignored"}}]}`,
		want: `{"userName":"alex@contoso.com","name":{"givenName":"Al","familyName":"Wilber","formatted":"Al Wilber"},
				"emails":[{"value":"alex@contoso.com","type":"work","primary":true}],"active":true,
				"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","displayName":"Alex Wilber"}`},
	{name: "a null sub-attribute is removed", doc: `{"userName":"alex@contoso.com","name":{"givenName":"Alex","familyName":"Wilber"}}`,
		body: `{"Operations":[{"op":"replace","path":"name","value":{"givenName":null}}]}`,
		want: `{"userName":"alex@contoso.com","name":{"familyName":"Wilber"}}`},
	{name: "the last sub-attribute removed removes the attribute", doc: `{"userName":"alex@contoso.com","name":{"givenName":"Alex"}}`,
		body: `{"Operations":[{"op":"replace","path":"name.givenName","value":null}]}`,
		want: `{"userName":"alex@contoso.com"}`},
	{name: "entra-patch-manager-string.json", doc: ptMin,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"4f2c1a9e-7b3d-4c55-9a61-2e8f0d7c3b10"}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"` + URNEnterprise + `":{"manager":{"value":"4f2c1a9e-7b3d-4c55-9a61-2e8f0d7c3b10"}}}`},
	{name: "entra-patch-manager-legacy-array.json", doc: ptMin,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"manager","value":[{"$ref":"https://app.example.com/scim/v2/Users/4f2c1a9e-7b3d-4c55-9a61-2e8f0d7c3b10","value":"4f2c1a9e-7b3d-4c55-9a61-2e8f0d7c3b10"}]}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"` + URNEnterprise + `":{"manager":{"value":"4f2c1a9e-7b3d-4c55-9a61-2e8f0d7c3b10","$ref":"https://app.example.com/scim/v2/Users/4f2c1a9e-7b3d-4c55-9a61-2e8f0d7c3b10"}}}`},
	{name: "manager as an object with extra keys", doc: ptMin,
		body: `{"Operations":[{"op":"replace","path":"manager","value":{"Value":"m-1","displayName":"Mia","managerId":"m-1"}}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"` + URNEnterprise + `":{"manager":{"value":"m-1","displayName":"Mia"}}}`},
	{name: "the same manager again keeps what describes it", doc: ptBoss,
		body: `{"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"boss-1"}]}`,
		want: ""},
	{name: "a new manager drops the old $ref and displayName", doc: ptBoss,
		body: `{"Operations":[{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"boss-2"}]}`,
		want: `{"userName":"alex@contoso.com","` + URNEnterprise + `":{"employeeNumber":"20018","manager":{"value":"boss-2"}}}`},
	{name: "a new manager.value drops them too", doc: ptBoss,
		body: `{"Operations":[{"op":"replace","path":"manager.value","value":"boss-2"}]}`,
		want: `{"userName":"alex@contoso.com","` + URNEnterprise + `":{"employeeNumber":"20018","manager":{"value":"boss-2"}}}`},
	{name: "manager.displayName alone is merged", doc: ptBoss,
		body: `{"Operations":[{"op":"replace","path":"manager","value":{"displayName":"B. One"}}]}`,
		want: `{"userName":"alex@contoso.com","` + URNEnterprise + `":{"employeeNumber":"20018","manager":{"value":"boss-1","$ref":"https://app.example.com/scim/v2/Users/boss-1","displayName":"B. One"}}}`},
	{name: "an empty manager id unassigns it", doc: ptBoss,
		body: `{"Operations":[{"op":"replace","path":"manager","value":""}]}`,
		want: `{"userName":"alex@contoso.com","` + URNEnterprise + `":{"employeeNumber":"20018"}}`},
	{name: "entra-patch-manager-remove.json", doc: ptBoss,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]}`,
		want: `{"userName":"alex@contoso.com","` + URNEnterprise + `":{"employeeNumber":"20018"}}`},
	{name: "remove manager with a value; the empty extension goes too", doc: `{"userName":"alex@contoso.com","` + URNEnterprise + `":{"manager":{"value":"boss-1"}}}`,
		body: `{"Operations":[{"op":"Remove","path":"manager","value":[{"value":"boss-1"}]}]}`,
		want: `{"userName":"alex@contoso.com"}`},
	{name: "manager of the wrong type", doc: ptMin,
		body: `{"Operations":[{"op":"replace","path":"manager","value":42}]}`, err: ErrInvalidValue, detail: `"manager" must be an object`},
	{name: "sub-attribute of the wrong type", doc: ptMin,
		body: `{"Operations":[{"op":"replace","path":"name","value":{"givenName":["A"]}}]}`, err: ErrInvalidValue, detail: `"name.givenName" must be a string`},
}

func TestApplyPatchMultiValued(t *testing.T) { ptRun(t, ptMultiValuedCases) }

var ptMultiValuedCases = []ptCase{
	{name: "entra-patch-add-work-email-missing.json: the element is created", doc: ptMin,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"emails[type eq \"work\"].value","value":"alex@contoso.com"}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"emails":[{"type":"work","value":"alex@contoso.com"}]}`},
	{name: "entra-patch-add-work-email-missing.json next to a home email", doc: `{"userName":"alex@contoso.com","emails":[{"value":"a@home.example","type":"home"}]}`,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"emails[type eq \"work\"].value","value":"alex@contoso.com"}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"a@home.example","type":"home"},{"type":"work","value":"alex@contoso.com"}]}`},
	{name: "entra-patch-add-address-subattribute.json: one element per filter", doc: ptMin,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"Add","path":"addresses[type eq \"work\"].locality","value":"Redmond"},
				{"op":"Add","path":"addresses[type eq \"work\"].postalCode","value":"98052"},
				{"op":"Add","path":"phoneNumbers[type eq \"mobile\"].value","value":"+1 425 555 0100"},
				{"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"R&D"}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"addresses":[{"type":"work","locality":"Redmond","postalCode":"98052"}],
				"phoneNumbers":[{"type":"mobile","value":"+1 425 555 0100"}],"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"}}`},
	{name: "a filter changes every matching element, in any case", doc: `{"userName":"u","phoneNumbers":[{"value":"1","type":"Work"},{"value":"2","type":"home"},{"value":"3","type":"work"}]}`,
		body: `{"Operations":[{"op":"replace","path":"phoneNumbers[type eq \"WORK\"].display","value":"desk"}]}`,
		want: `{"userName":"u","phoneNumbers":[{"value":"1","type":"Work","display":"desk"},{"value":"2","type":"home"},{"value":"3","type":"work","display":"desk"}]}`},
	{name: "a filter without a sub-attribute merges the value", doc: ptTwo,
		body: `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"new@contoso.com","display":"New"}}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"new@contoso.com","type":"work","primary":true,"display":"New"},{"value":"Old.Alias@Contoso.com","type":"home"}]}`},
	{name: "an and of eq comparisons seeds the element", doc: ptMin,
		body: `{"Operations":[{"op":"add","path":"emails[type eq \"work\" and primary eq true]","value":{"value":"w@contoso.com"}}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"emails":[{"type":"work","primary":true,"value":"w@contoso.com"}]}`},
	{name: "a filter that describes no one element cannot create it", doc: ptMin,
		body: `{"Operations":[{"op":"add","path":"emails[type eq \"work\" or type eq \"home\"].value","value":"w@contoso.com"}]}`,
		err:  ErrNoTarget, detail: `matches no element of emails`},
	{name: "ne cannot create", doc: ptMin,
		body: `{"Operations":[{"op":"replace","path":"emails[type ne \"work\"].value","value":"w@contoso.com"}]}`, err: ErrNoTarget, detail: "eq comparisons joined by and"},
	{name: "contradicting conditions cannot create", doc: ptMin,
		body: `{"Operations":[{"op":"replace","path":"emails[type eq \"work\" and type eq \"home\"].value","value":"w@contoso.com"}]}`, err: ErrNoTarget, detail: "emails"},
	{name: "a null value creates nothing", doc: ptMin,
		body: `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":null},{"op":"add","path":"emails[type eq \"home\"]","value":null}]}`,
		want: ptMin},
	{name: "replace of a filtered element with null removes it", doc: ptTwo,
		body: `{"Operations":[{"op":"replace","path":"emails[type eq \"home\"]","value":null}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"alex@contoso.com","type":"work","primary":true}]}`},
	{name: "filtered value errors name the path", doc: ptTwo,
		body: `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"]","value":{"primary":"yes"}}]}`,
		err:  ErrInvalidValue, detail: `attribute "emails[type eq \"work\"].primary" must be a boolean`},
	{name: "add appends, skipping exact duplicates", doc: ptTwo,
		body: `{"Operations":[{"op":"add","path":"emails","value":[{"value":"alex@contoso.com","type":"work","primary":true},{"value":"third@contoso.com","type":"other"}]}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"alex@contoso.com","type":"work","primary":true},{"value":"Old.Alias@Contoso.com","type":"home"},{"value":"third@contoso.com","type":"other"}]}`},
	{name: "add of a single object", doc: ptMin,
		body: `{"Operations":[{"op":"add","path":"emails","value":{"value":"a@contoso.com","primary":"True"}}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"emails":[{"value":"a@contoso.com","primary":true}]}`},
	{name: "add of null or [] adds nothing", doc: ptTwo,
		body: `{"Operations":[{"op":"add","path":"emails","value":null},{"op":"add","path":"emails","value":[]}]}`,
		want: ""},
	{name: "entra-patch-roles-json-string.json", doc: ptMin,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"roles","value":[{"value":"{\"id\":\"06b07648-ecfe-589f-9d2f-6325724a46ee\",\"value\":\"25\",\"displayName\":\"Role1234\"}"}]}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"roles":[{"value":"{\"id\":\"06b07648-ecfe-589f-9d2f-6325724a46ee\",\"value\":\"25\",\"displayName\":\"Role1234\"}"}]}`},
	{name: "replace without a filter replaces the array", doc: ptTwo,
		body: `{"Operations":[{"op":"replace","path":"emails","value":[{"value":"only@contoso.com"}]}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"only@contoso.com"}]}`},
	{name: "replace with [] or null removes the attribute", doc: `{"userName":"u","emails":[{"value":"a@b.c"}],"roles":[{"value":"r"}]}`,
		body: `{"Operations":[{"op":"replace","path":"emails","value":[]},{"op":"replace","path":"roles","value":null}]}`,
		want: `{"userName":"u"}`},
	{name: "a sub-attribute without a filter sets every element", doc: ptTwo,
		body: `{"Operations":[{"op":"replace","path":"emails.display","value":"Alex"}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"alex@contoso.com","type":"work","primary":true,"display":"Alex"},{"value":"Old.Alias@Contoso.com","type":"home","display":"Alex"}]}`},
	{name: "a sub-attribute without a filter creates an element when there is none", doc: ptMin,
		body: `{"Operations":[{"op":"add","path":"emails.value","value":"alex@contoso.com"}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"emails":[{"value":"alex@contoso.com"}]}`},
	{name: "multi-valued of the wrong type", doc: ptMin,
		body: `{"Operations":[{"op":"add","path":"emails","value":"a@b.c"}]}`, err: ErrInvalidValue, detail: `"emails" must be an array of objects`},
	{name: "element of the wrong type", doc: ptMin,
		body: `{"Operations":[{"op":"add","path":"emails","value":[{"value":"a@b.c"},{"value":false}]}]}`, err: ErrInvalidValue, detail: `"emails[1].value" must be a string`},
}

func TestApplyPatchPrimary(t *testing.T) { ptRun(t, ptPrimaryCases) }

var ptPrimaryCases = []ptCase{
	{name: "an added primary element demotes the old one", doc: ptTwo,
		body: `{"Operations":[{"op":"add","path":"emails","value":[{"value":"new@contoso.com","type":"work","primary":true}]}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"alex@contoso.com","type":"work","primary":false},{"value":"Old.Alias@Contoso.com","type":"home"},{"value":"new@contoso.com","type":"work","primary":true}]}`},
	{name: "a filtered primary demotes the others", doc: ptTwo,
		body: `{"Operations":[{"op":"replace","path":"emails[type eq \"home\"].primary","value":"True"}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"alex@contoso.com","type":"work","primary":false},{"value":"Old.Alias@Contoso.com","type":"home","primary":true}]}`},
	{name: "of several set primary, the last wins", doc: ptMin,
		body: `{"Operations":[{"op":"replace","path":"emails","value":[{"value":"a@b.c","primary":true},{"value":"d@e.f","primary":true},{"value":"g@h.i"}]}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"emails":[{"value":"a@b.c","primary":false},{"value":"d@e.f","primary":true},{"value":"g@h.i"}]}`},
	{name: "primary false leaves the others alone", doc: ptTwo,
		body: `{"Operations":[{"op":"add","path":"emails[type eq \"home\"].primary","value":false}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"alex@contoso.com","type":"work","primary":true},{"value":"Old.Alias@Contoso.com","type":"home","primary":false}]}`},
	{name: "other attributes are independent", doc: `{"userName":"u","emails":[{"value":"a@b.c","primary":true}],"phoneNumbers":[{"value":"1","primary":true}]}`,
		body: `{"Operations":[{"op":"add","path":"phoneNumbers","value":[{"value":"2","primary":true}]}]}`,
		want: `{"userName":"u","emails":[{"value":"a@b.c","primary":true}],"phoneNumbers":[{"value":"1","primary":false},{"value":"2","primary":true}]}`},
}

func TestApplyPatchRemove(t *testing.T) { ptRun(t, ptRemoveCases) }

var ptRemoveCases = []ptCase{
	{name: "a simple attribute", doc: `{"userName":"u","title":"T"}`,
		body: `{"Operations":[{"op":"remove","path":"title"}]}`, want: `{"userName":"u"}`},
	{name: "an absent attribute: success", doc: `{"userName":"u"}`,
		body: `{"Operations":[{"op":"remove","path":"title"},{"op":"remove","path":"name.givenName"},{"op":"remove","path":"emails"}]}`, want: `{"userName":"u"}`},
	{name: "userName (Derive reports it missing)", doc: ptMin,
		body: `{"Operations":[{"op":"remove","path":"userName"}]}`, want: `{"active":true}`},
	{name: "a sub-attribute", doc: `{"userName":"u","name":{"givenName":"G","familyName":"F"}}`,
		body: `{"Operations":[{"op":"Remove","path":"name.givenName"}]}`, want: `{"userName":"u","name":{"familyName":"F"}}`},
	{name: "a whole complex attribute", doc: `{"userName":"u","name":{"givenName":"G","familyName":"F"}}`,
		body: `{"Operations":[{"op":"Remove","path":"name"}]}`, want: `{"userName":"u"}`},
	{name: "filtered elements", doc: ptTwo,
		body: `{"Operations":[{"op":"remove","path":"emails[type eq \"home\"]"}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"alex@contoso.com","type":"work","primary":true}]}`},
	{name: "the last element removes the attribute", doc: ptTwo,
		body: `{"Operations":[{"op":"remove","path":"emails[value co \"contoso\"]"}]}`, want: `{"userName":"alex@contoso.com"}`},
	{name: "a sub-attribute of filtered elements", doc: ptTwo,
		body: `{"Operations":[{"op":"remove","path":"emails[type eq \"work\"].primary"}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"alex@contoso.com","type":"work"},{"value":"Old.Alias@Contoso.com","type":"home"}]}`},
	{name: "a sub-attribute of every element", doc: ptTwo,
		body: `{"Operations":[{"op":"remove","path":"emails.type"}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"alex@contoso.com","primary":true},{"value":"Old.Alias@Contoso.com"}]}`},
	{name: "a filter that matches nothing: success, no change", doc: ptTwo,
		body: `{"Operations":[{"op":"remove","path":"emails[type eq \"other\"]"},{"op":"remove","path":"emails[type eq \"other\"].value"}]}`,
		want: ""},
	{name: "generic-patch-remove-value-array.json, value compared in any case", doc: ptTwo,
		body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"emails","value":[{"value":"old.alias@contoso.com"}]}]}`,
		want: `{"userName":"alex@contoso.com","emails":[{"value":"alex@contoso.com","type":"work","primary":true}]}`},
	{name: "a value array that matches nothing", doc: ptTwo,
		body: `{"Operations":[{"op":"Remove","path":"emails","value":[{"value":"gone@contoso.com"}]}]}`,
		want: ""},
	{name: "a value array compares caseExact values exactly", doc: `{"userName":"u","photos":[{"value":"https://x/A.png"},{"value":"https://x/a.png"}]}`,
		body: `{"Operations":[{"op":"remove","path":"photos","value":[{"value":"https://x/a.png"}]}]}`,
		want: `{"userName":"u","photos":[{"value":"https://x/A.png"}]}`},
	{name: "a value array element needs a value", doc: ptTwo,
		body: `{"Operations":[{"op":"remove","path":"emails","value":[{"type":"home"}]}]}`, err: ErrInvalidValue, detail: `"emails[0]" has no "value"`},
	{name: "a value array on elements without a value", doc: `{"userName":"u","addresses":[{"type":"work"}]}`,
		body: `{"Operations":[{"op":"remove","path":"addresses","value":[{"type":"work"}]}]}`, err: ErrInvalidValue, detail: "use a filter path"},
	{name: "a whole multi-valued attribute", doc: ptTwo,
		body: `{"Operations":[{"op":"remove","path":"emails"}]}`, want: `{"userName":"alex@contoso.com"}`},
	{name: "the enterprise extension as a whole", doc: ptBoss,
		body: `{"Operations":[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}]}`, want: `{"userName":"alex@contoso.com"}`},
	{name: "the last enterprise attribute removes the extension", doc: `{"userName":"u","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"1"}}`,
		body: `{"Operations":[{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"}]}`, want: `{"userName":"u"}`},
}

// TestApplyPatchInOrder: each operation sees the result of the ones before.
func TestApplyPatchInOrder(t *testing.T) { ptRun(t, ptInOrderCases) }

var ptInOrderCases = []ptCase{
	{name: "create, then update the created element, then demote it", doc: ptMin,
		body: `{"Operations":[
				{"op":"Add","path":"emails[type eq \"work\"].value","value":"w@contoso.com"},
				{"op":"Replace","path":"emails[type eq \"work\"].primary","value":"True"},
				{"op":"add","path":"emails","value":[{"value":"h@contoso.com","type":"home","primary":true}]},
				{"op":"add","path":"nickName","value":"Lex"},
				{"op":"remove","path":"nickName"}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"emails":[{"type":"work","value":"w@contoso.com","primary":false},{"value":"h@contoso.com","type":"home","primary":true}]}`},
	{name: "a path-less value after a path", doc: ptMin,
		body: `{"Operations":[{"op":"replace","path":"active","value":"False"},{"op":"replace","value":{"active":true,"title":"T"}}]}`,
		want: `{"userName":"alex@contoso.com","active":true,"title":"T"}`},
}

// TestApplyPatchAtomic shows the pattern the server uses: an error in
// operation 3 leaves the stored document as it was.
func TestApplyPatchAtomic(t *testing.T) {
	orig := ptDoc(t, ptEntra)
	orig[URNEnterprise] = map[string]any{"manager": map[string]any{"value": "boss-1"}}
	before := ptJSON(orig)
	ops, err := DecodePatch([]byte(`{"Operations":[
		{"op":"replace","path":"name.givenName","value":"X"},
		{"op":"replace","path":"emails[type eq \"work\"].value","value":"x@contoso.com"},
		{"op":"replace","path":"active","value":"nope"},
		{"op":"remove","path":"manager"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	d := CopyDoc(orig)
	err = ApplyPatch(d, ops)
	ptWantErr(t, err, ErrInvalidValue, `Operations[2]: attribute "active" must be a boolean`)
	if after := ptJSON(orig); after != before {
		t.Fatalf("the original changed:\nbefore %s\n after %s", before, after)
	}
}

func TestCopyDoc(t *testing.T) {
	orig := ptDoc(t, ptEntra)
	orig[URNEnterprise] = map[string]any{"manager": map[string]any{"value": "boss-1"}}
	before := ptJSON(orig)
	c := CopyDoc(orig)
	if !reflect.DeepEqual(c, orig) {
		t.Fatal("the copy differs")
	}
	c["name"].(map[string]any)["givenName"] = "X"
	c["emails"].([]any)[0].(map[string]any)["value"] = "x"
	c["emails"] = append(c["emails"].([]any), "y")
	c[URNEnterprise].(map[string]any)["manager"].(map[string]any)["value"] = "x"
	delete(c, "userName")
	if after := ptJSON(orig); after != before {
		t.Fatalf("changing the copy changed the original:\nbefore %s\n after %s", before, after)
	}
	if d := CopyDoc(nil); d == nil || len(d) != 0 {
		t.Fatalf("CopyDoc(nil) = %v, want an empty map", d)
	}
}

// FuzzApplyPatch: whatever the document and the body, DecodePatch and
// ApplyPatch never panic, fail only with a 400, leave the original
// untouched, and on success leave a canonical document. It is seeded with
// every case of the tables above.
func FuzzApplyPatch(f *testing.F) {
	for _, table := range [][]ptCase{ptPathlessCases, ptReadOnlyAndUnknownCases, ptSimpleCases, ptSingularComplexCases,
		ptMultiValuedCases, ptPrimaryCases, ptRemoveCases, ptInOrderCases} {
		for _, c := range table {
			f.Add(c.doc, c.body)
		}
	}
	f.Fuzz(func(t *testing.T, docJSON, body string) {
		orig, err := DecodeUser([]byte(docJSON))
		if err != nil {
			return // not a document a user can have
		}
		before := ptJSON(orig)
		ops, err := DecodePatch([]byte(body))
		if err == nil {
			d := CopyDoc(orig)
			if err = ApplyPatch(d, ops); err == nil {
				ptCanonical(t, d)
			}
		}
		if err != nil {
			if se, ok := err.(*Error); !ok || se.Status != http.StatusBadRequest {
				t.Fatalf("want a 400 *Error, got %T %v", err, err)
			}
		}
		if after := ptJSON(orig); after != before {
			t.Fatalf("the original changed:\nbefore %s\n after %s", before, after)
		}
	})
}

func ExampleApplyPatch() {
	doc := map[string]any{"userName": "jane.doe@example.com", "active": true, "name": map[string]any{"givenName": "Jane", "familyName": "Doe"}}
	ops, _ := DecodePatch([]byte(`{"Operations":[
		{"op":"Replace","path":"active","value":"False"},
		{"op":"replace","value":{"name.givenName":"Janet"}},
		{"op":"Add","path":"emails[type eq \"work\"].value","value":"janet@example.com"}]}`))
	d := CopyDoc(doc)
	if err := ApplyPatch(d, ops); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ptJSON(d))
	// Output: {"active":false,"emails":[{"type":"work","value":"janet@example.com"}],"name":{"familyName":"Doe","givenName":"Janet"},"userName":"jane.doe@example.com"}
}
