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
