package sqlstore_test

import (
	"testing"

	"birdie"
	"birdie/scim"
	"birdie/sqlstore"
)

// BenchmarkPlanFilter is the filter → SQL translation every list request
// pays, for the lookups IdPs send.
func BenchmarkPlanFilter(b *testing.B) {
	for _, text := range []string{
		`userName eq "jane.doe@example.com"`,
		`emails[type eq "work"].value eq "jane.doe@example.com"`,
		`externalId eq "00u1ab2cd3EF4gh5i6j7" and active eq true`,
	} {
		f, err := scim.ParseFilter(text)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(text, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, _, err := sqlstore.ListSQL(1, birdie.UserQuery{Filter: f, Count: 100}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
