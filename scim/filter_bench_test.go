package scim

import "testing"

// Filters as IdPs send them on every lookup.
var benchFilters = []string{
	`userName eq "a@b.co"`,
	`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`,
	`emails[type eq "work"].value eq "alex@contoso.com"`,
	`name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)`,
	`id eq "2819c223-7f76-453a-919d-413861904646" and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "x"`,
}

func BenchmarkParseFilter(b *testing.B) {
	for _, s := range benchFilters {
		b.Run(s[:min(len(s), 24)], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseFilter(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMatch(b *testing.B) {
	users := fltUsers()
	for _, s := range benchFilters {
		f, err := ParseFilter(s)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(s[:min(len(s), 24)], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, u := range users {
					Match(f, u)
				}
			}
		})
	}
}

func BenchmarkParsePatchPath(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePatchPath(`emails[type eq "work"].value`); err != nil {
			b.Fatal(err)
		}
	}
}
