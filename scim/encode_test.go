package scim_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
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

// TestAppendDocumentReadsBackAsJSONMarshal checks the stores' encoder
// against what they wrote before it, json.Marshal: over random documents
// with every canonical type (nil maps and slices, []string and integers
// included), awkward strings and numbers of every size,
// what AppendDocument writes is valid JSON and reads back (through
// DecodeDocument, as stores read it) to exactly what json.Marshal's bytes
// read back to.
func TestAppendDocumentReadsBackAsJSONMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "plain", "quote\"back\\slash", "\u0001ctl\ttab\nnl\r", "\u2028\u2029", "é 😀 Zürich", "<a href=\"x\">&amp;</a>", "bad\xffutf8\xc3", "\x00nul"}
	nums := []float64{0, -0.0, 1, -1, 0.5, 1e-7, 1e-6, 123456789, 1e20, 1e21, 1.5e300, -2.25e-300, math.MaxFloat64, math.SmallestNonzeroFloat64}
	var value func(depth int) any
	value = func(depth int) any {
		switch k := rng.IntN(12); {
		case k == 0:
			return nil
		case k == 1:
			return rng.IntN(2) == 0
		case k == 2:
			return nums[rng.IntN(len(nums))]
		case k == 3 && depth < 4:
			m := map[string]any{}
			for range rng.IntN(5) {
				m[strs[rng.IntN(len(strs))]+strconv.Itoa(rng.IntN(3))] = value(depth + 1)
			}
			return m
		case k == 4 && depth < 4:
			a := make([]any, rng.IntN(4))
			for i := range a {
				a[i] = value(depth + 1)
			}
			return a
		case k == 5:
			return [...]any{map[string]any(nil), []any(nil), []string(nil)}[rng.IntN(3)]
		case k == 6:
			return []string{strs[rng.IntN(len(strs))], strs[rng.IntN(len(strs))]}[:rng.IntN(3)]
		case k == 7:
			return [...]any{rng.IntN(1000) - 500, int64(rng.Uint64() >> 11)}[rng.IntN(2)]
		default:
			return strs[rng.IntN(len(strs))]
		}
	}
	for range 2000 {
		doc := map[string]any{}
		for range 1 + rng.IntN(6) {
			doc[strs[rng.IntN(len(strs))]] = value(0)
		}
		got, err := scim.AppendDocument(nil, doc)
		if err != nil {
			t.Fatalf("AppendDocument(%#v): %v", doc, err)
		}
		if !json.Valid(got) {
			t.Fatalf("invalid JSON %q", got)
		}
		old, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		g, err := scim.DecodeDocument(got)
		if err != nil {
			t.Fatalf("DecodeDocument(%s): %v", got, err)
		}
		w, err := scim.DecodeDocument(old)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("reads back differently:\n got %s\nwant %s", got, old)
		}
	}
}

// TestAppendDocumentRefuses checks that what json.Marshal refuses is
// refused, not stored as null.
func TestAppendDocumentRefuses(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), math.Inf(-1), time.Now(), struct{}{}, []int{1}} {
		doc := map[string]any{"a": []any{map[string]any{"b": v}}}
		if got, err := scim.AppendDocument(nil, doc); err == nil {
			t.Errorf("AppendDocument(%#v) = %s, want an error", v, got)
		}
	}
}
