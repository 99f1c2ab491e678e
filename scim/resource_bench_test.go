package scim_test

import (
	"encoding/json"
	"testing"
	"time"

	"birdie"
	"birdie/scim"
)

// oktaBody is a realistic create body, as Okta sends it with enterprise
// attributes mapped.
var oktaBody = []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
"userName":"jane.doe@example.com","name":{"givenName":"Jane","familyName":"Doe"},
"emails":[{"primary":true,"value":"jane.doe@example.com","type":"work"},{"value":"jane@home.example","type":"home"}],
"displayName":"Jane Doe","locale":"en-US","externalId":"00u1ab2cd3EF4gh5i6j7","groups":[],"password":"t2Xq9LmP","active":true,
"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","employeeNumber":"20018","manager":{"value":"a1b2"}}}`)

func benchUser(b *testing.B) birdie.User {
	doc, err := scim.DecodeUser(oktaBody)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	u := birdie.User{ID: birdie.NewID(), Attributes: doc, Created: now, LastModified: now, Version: 3}
	if err := scim.Derive(&u); err != nil {
		b.Fatal(err)
	}
	return u
}

func BenchmarkDecodeUser(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		doc, err := scim.DecodeUser(oktaBody)
		if err != nil {
			b.Fatal(err)
		}
		u := birdie.User{Attributes: doc}
		if err := scim.Derive(&u); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeUser is the JSON encoding of one User response, the
// cost every read pays.
func BenchmarkEncodeUser(b *testing.B) {
	u := benchUser(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(scim.Render(&u, "https://birdie.example.com/scim/v2")); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendUser is the hand-written encoder the server uses when no
// attributes projection is asked for.
func BenchmarkAppendUser(b *testing.B) {
	u := benchUser(b)
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	for b.Loop() {
		buf = scim.AppendUser(buf[:0], &u, "https://birdie.example.com/scim/v2")
	}
}

// BenchmarkDecodeStored decodes a stored attribute document, as every
// read of a user does: encoding/json against scim.DecodeDocument.
func BenchmarkDecodeStored(b *testing.B) {
	u := benchUser(b)
	stored, err := json.Marshal(u.Attributes)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(stored, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeDocument", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := scim.DecodeDocument(stored); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkEncodeStored encodes a user's attribute document as stores
// write it on every create and change: json.Marshal, which they used
// before, against scim.AppendDocument.
func BenchmarkEncodeStored(b *testing.B) {
	u := benchUser(b)
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(u.Attributes); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendDocument", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := scim.AppendDocument(make([]byte, 0, 1024), u.Attributes); err != nil {
				b.Fatal(err)
			}
		}
	})
}
