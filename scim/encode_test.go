package scim_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"birdie"
	"birdie/scim"
)

// TestAppendUserMatchesRender checks the hand-written encoder against
// encoding/json on Render's map, for documents with every value type and
// awkward strings.
func TestAppendUserMatchesRender(t *testing.T) {
	docs := []string{
		string(oktaBody),
		`{"userName":"jdoe","emails":[{"value":"a@b.co"}],"active":"False"}`,
		`{"userName":"quote\"back\\slash\u0001ctl\ttab\nnl\u2028ls é 😀 <>&","displayName":"x","emails":[{"value":"a@b.co","primary":"true"}],
		  "addresses":[{"type":"work","locality":"Zürich"}],"roles":[{"value":"{\"id\":\"1\"}"}]}`,
	}
	for _, body := range docs {
		doc, err := scim.DecodeUser([]byte(body))
		if err != nil {
			t.Fatalf("decode %s: %v", body, err)
		}
		u := birdie.User{ID: birdie.NewID(), Attributes: doc, Created: time.Unix(1700000000, 123456789), LastModified: time.Unix(1700000100, 0), Version: 7}
		if err := scim.Derive(&u); err != nil {
			t.Fatal(err)
		}
		got := scim.AppendUser(nil, &u, "https://h/scim/v2")
		want, err := json.Marshal(scim.Render(&u, "https://h/scim/v2"))
		if err != nil {
			t.Fatal(err)
		}
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("AppendUser wrote invalid JSON %s: %v", got, err)
		}
		json.Unmarshal(want, &w)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("AppendUser differs from Render:\n got %s\nwant %s", got, want)
		}
	}
}

func TestAppendJSONInvalidUTF8(t *testing.T) {
	got := string(scim.AppendJSON(nil, "a\xffb"))
	if got != `"a\ufffdb"` {
		t.Fatalf("got %s", got)
	}
}
