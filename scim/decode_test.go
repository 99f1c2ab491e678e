package scim

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// docCases are stored documents and near-documents; FuzzDecodeDocument
// starts from them.
var docCases = []string{
	`{}`,
	` { "a" : "b" , "c":[1,2.5,-0,1e3,-1.5E-2,true,false,null,{},[]] } `,
	`{"userName":"jos\u00e9@example.com","name":{"givenName":"José","familyName":"O\"Brien\\"}}`,
	`{"emails":[{"value":"a@b.co","type":"work","primary":true}],"active":true}`,
	`{"a":"\ud83d\ude00 \ud800 lone","b":"tab\there","c":"\u2028"}`,
	"{\"a\":\"\xff\xfe invalid utf-8\"}",
	`{"a":1,"a":2}`,
	`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":+1}`, `{"a":1e}`, `{"a":-}`, `{"a":1e999}`,
	`{"a":tru}`, `{"a":nul}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `[1,]`, `{"a":[1 2]}`,
	`{"a":"unterminated}`, "{\"a\":\"ctl\x01\"}", `{"a":"bad \x escape"}`, `{"a":"\`,
	`{} {}`, `[]`, `"s"`, `null`, ``, `{"a":[[[[[[[[[[]]]]]]]]]]}`,
}

func TestDecodeDocumentMatchesEncodingJSON(t *testing.T) {
	for _, c := range docCases {
		checkDecodeDocument(t, []byte(c))
	}
	// encoding/json's nesting limit, exactly: 10,000 levels, not 10,001.
	for _, levels := range []int{maxDocDepth - 1, maxDocDepth, maxDocDepth + 1} {
		arrays := levels - 1 // inside the top object
		b := `{"a":` + strings.Repeat("[", arrays) + strings.Repeat("]", arrays) + `}`
		checkDecodeDocument(t, []byte(b))
	}
}

// checkDecodeDocument fails t unless DecodeDocument agrees with
// json.Unmarshal on b: the same value, or both an error.
func checkDecodeDocument(t *testing.T, b []byte) {
	t.Helper()
	var want map[string]any
	wantErr := json.Unmarshal(b, &want)
	if wantErr == nil && want == nil {
		wantErr = json.Unmarshal([]byte("x"), &want) // "null": not a document
	}
	got, err := DecodeDocument(b)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("DecodeDocument(%q): error %v, encoding/json's error %v", b, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeDocument(%q) = %#v, encoding/json gives %#v", b, got, want)
	}
}

func TestDecodeStrings(t *testing.T) {
	for _, c := range []string{`null`, `[]`, `["a@b.co","Ünï"]`, ` [ "x" ] `, `[1]`, `{}`, `["a",]`, `["a"] x`} {
		var want []string
		wantErr := json.Unmarshal([]byte(c), &want)
		got, err := DecodeStrings([]byte(c))
		if (err != nil) != (wantErr != nil) || (err == nil && !reflect.DeepEqual(got, want)) {
			t.Errorf("DecodeStrings(%s) = %#v, %v; encoding/json: %#v, %v", c, got, err, want, wantErr)
		}
	}
}

func FuzzDecodeDocument(f *testing.F) {
	for _, c := range docCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkDecodeDocument(t, b) })
}

// TestDecodeUserRefusesCaseVariantMembers: a body naming a member twice in
// different case, at any depth and in objects of any size, is refused with
// a detail naming where and both spellings; bodies without one decode.
func TestDecodeUserRefusesCaseVariantMembers(t *testing.T) {
	many := `"m00":0`
	for i := 1; i < 20; i++ {
		many += `,"m` + string(rune('0'+i/10)) + string(rune('0'+i%10)) + `":0`
	}
	cases := []struct {
		body, detail string // detail "" means accepted
	}{
		{`{"userName":"a@example.com","title":"x","TITLE":"y"}`, `the request body names the member "title" twice (as "TITLE" and "title")`},
		{`{"userName":"a@example.com","name":{"givenName":"a","GivenName":"b"}}`, `the object at name names the member "givenname" twice (as "GivenName" and "givenName")`},
		{`{"userName":"a@example.com","emails":[{"value":"a@example.com"},{"value":"b@example.com","Value":"c@example.com"}]}`, `the object at emails[1] names the member "value" twice (as "Value" and "value")`},
		{`{"userName":"a@example.com","x":{"y":[[{"k":1,"K":2}]]}}`, `the object at x.y[0][0] names the member "k" twice (as "K" and "k")`},
		{`{"userName":"a@example.com",` + many + `,"M07":1}`, `the request body names the member "m07" twice (as "M07" and "m07")`},
		{`{"userName":"a@example.com",` + many + `}`, ``},
		// Names equal under strings.EqualFold (as attribute lookup
		// compares them) though not under strings.ToLower: long s.
		{`{"userName":"a@example.com","displayName":"x","diſplayName":"y"}`, `the request body names the member "displayname" twice (as "displayName" and "diſplayName")`},
		{`{"userName":"a@example.com",` + many + `,"displayName":"x","diſplayName":"y"}`, `the request body names the member "displayname" twice (as "displayName" and "diſplayName")`},
		{`{"userName":"a@example.com","name":{"givenName":"a","familyName":"b"},"emails":[{"value":"a@example.com","type":"work"}]}`, ``},
	}
	for _, c := range cases {
		_, err := DecodeUser([]byte(c.body))
		switch {
		case c.detail == "" && err != nil:
			t.Errorf("%s: refused: %v", c.body, err)
		case c.detail != "" && err == nil:
			t.Errorf("%s: accepted, want refused with %q", c.body, c.detail)
		case c.detail != "" && !strings.Contains(err.Error(), c.detail):
			t.Errorf("%s: error %q, want it to contain %q", c.body, err, c.detail)
		}
	}
}
