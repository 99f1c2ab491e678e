package scim

import "testing"

// BenchmarkApplyPatch measures what the server does per PATCH inside the
// store transaction: copy the stored document, apply the operations.
// Decoding the body happens before the transaction and is left out.
func BenchmarkApplyPatch(b *testing.B) {
	cases := []struct{ name, doc, body string }{
		{"okta-deactivate", ptOkta,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`},
		{"entra-multi-replace", ptEntra,
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
				{"op":"Replace","path":"displayName","value":"Alex W."},
				{"op":"Replace","path":"emails[type eq \"work\"].value","value":"alex.w@contoso.com"},
				{"op":"Replace","path":"name.givenName","value":"Alexander"},
				{"op":"Replace","path":"name.familyName","value":"Wilber"},
				{"op":"Replace","path":"externalId","value":"awilber"},
				{"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"20018"}]}`},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			doc := ptDoc(b, c.doc)
			ops, err := DecodePatch([]byte(c.body))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := ApplyPatch(CopyDoc(doc), ops); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
