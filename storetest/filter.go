package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"birdie"
	"birdie/scim"
)

// filterUsers builds n users whose attributes vary in every way the
// filters of testFilterEquivalence look at: case, presence, several
// emails, booleans, extension attributes.
func filterUsers(t *testing.T, n int, t0 time.Time) []birdie.User {
	givenNames := []string{"Alice", "Bob", "Carol", "dave", "Eve", "BOB"}
	departments := []string{"Sales", "Engineering", "engineering", ""}
	var users []birdie.User
	for i := range n {
		attrs := map[string]any{}
		switch i % 4 {
		case 0:
			attrs["userName"] = fmt.Sprintf("user%02d@example.com", i)
		case 1:
			attrs["userName"] = fmt.Sprintf("User%02d@Example.COM", i)
		default:
			attrs["userName"] = fmt.Sprintf("jdoe%02d", i)
		}
		if i%3 != 0 {
			attrs["externalId"] = fmt.Sprintf("ext-%02d", i%20)
			if i%7 == 0 {
				attrs["externalId"] = fmt.Sprintf("EXT-%02d", i%20)
			}
		}
		if i%6 != 5 {
			attrs["displayName"] = fmt.Sprintf("Person %d", i%9)
		}
		attrs["name"] = map[string]any{"givenName": givenNames[i%len(givenNames)], "familyName": fmt.Sprintf("Fam%d", i%5)}
		var emails []any
		if i%4 != 0 || i%8 == 4 {
			emails = append(emails, map[string]any{"value": fmt.Sprintf("w%02d@corp.example", i%25), "type": "work", "primary": i%2 == 0})
		}
		if i%3 == 1 {
			emails = append(emails, map[string]any{"value": fmt.Sprintf("H%02d@Home.example", i%10), "type": "home"})
		}
		if i%5 == 2 {
			emails = append(emails, map[string]any{"value": fmt.Sprintf("other%d@corp.example", i%3), "type": "other", "primary": true})
		}
		if len(emails) > 0 {
			attrs["emails"] = emails
		}
		if i%5 != 0 {
			attrs["active"] = i%5 != 4
		} // absent: active defaults to true
		if d := departments[i%len(departments)]; d != "" {
			attrs[scim.URNEnterprise] = map[string]any{"department": d}
		}
		created := t0.Add(time.Duration(i) * time.Minute)
		u := makeUser(t, attrs, created)
		u.LastModified = created.Add(time.Duration(i%7) * time.Hour)
		users = append(users, u)
	}
	return users
}

// filterCases are filter texts for testFilterEquivalence. {id7} and {id9}
// stand for the ids of users 7 and 9, {t10} for meta.created of user 10
// ({t10+} half a microsecond later, {t10-zone} in UTC-7), {lm10} for its
// meta.lastModified.
var filterCases = []string{
	// userName: case-insensitive, indexed.
	`userName eq "user04@example.com"`,
	`userName eq "USER04@EXAMPLE.COM"`,
	`userName eq "user05@example.com"`,
	`userName eq "nobody"`,
	`userName ne "user04@example.com"`,
	`userName co "EXAMPLE"`,
	`userName sw "jdoe"`,
	`userName gt "user20"`,
	`userName pr`,
	// externalId: case-exact.
	`externalId eq "ext-04"`,
	`externalId eq "EXT-14"`,
	`externalId eq "ext-14"`,
	`externalId pr`,
	`not (externalId pr)`,
	`externalId sw "EXT"`,
	// emails.
	`emails.value eq "w05@corp.example"`,
	`emails.value eq "W05@CORP.EXAMPLE"`,
	`emails.value eq "h01@home.example"`,
	`emails eq "w06@corp.example"`,
	`emails.value co "home"`,
	`emails.value ew "corp.example"`,
	`emails[type eq "work"].value eq "w05@corp.example"`,
	`emails[type eq "home"].value eq "w05@corp.example"`,
	`emails[type eq "home" and value eq "h04@home.example"]`,
	`emails[value eq "other1@corp.example"]`,
	`emails[type eq "other"]`,
	`emails[primary eq true and value co "corp"]`,
	`not (emails[type eq "work" and value eq "w05@corp.example"])`,
	`emails.value eq "w21@corp.example" and emails.value eq "H06@home.example"`,
	// The account email.
	`urn:birdie:scim:schemas:extension:account:2.0:User:email eq "user04@example.com"`,
	`urn:birdie:scim:schemas:extension:account:2.0:User:email eq "W10@corp.example"`,
	`urn:birdie:scim:schemas:extension:account:2.0:User:email sw "other"`,
	// active.
	`active eq true`,
	`active eq false`,
	`active ne false`,
	`not (active eq true)`,
	// Not indexed.
	`name.givenName eq "bob"`,
	`name.givenName sw "C"`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "engineering"`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr`,
	`displayName eq "Person 3"`,
	// id and meta.
	`id eq "{id7}"`,
	`id eq "{id7}" or id eq "{id9}"`,
	`meta.created gt "{t10}"`,
	`meta.created le "{t10}"`,
	`meta.lastModified ge "{t10}"`,
	`meta.lastModified gt "{t10}"`,
	`meta.lastModified lt "{t10}"`,
	`meta.lastModified le "{t10}"`,
	`meta.lastModified eq "{lm10}"`,
	`meta.created eq "{t10}"`,
	`meta.created ge "{t10+}"`, // half a microsecond after: rounded the exact way
	`meta.created gt "{t10+}"`,
	`meta.created lt "{t10+}"`,
	`meta.created le "{t10+}"`,
	`meta.created eq "{t10+}"`,
	`meta.created lt "{t10-zone}"`, // the same instant written in another zone
	`meta.lastModified gt "{t10}" and active eq true`,
	`not (meta.lastModified gt "{t10}")`,
	`meta.lastModified gt "{t10}" or userName eq "user04@example.com"`,
	// Mixed.
	`userName eq "user04@example.com" or userName eq "jdoe06"`,
	`userName eq "USER01@example.com" and active eq true`,
	`active eq true and name.givenName eq "Bob"`,
	`name.givenName eq "Bob" and active eq false`,
	`(active eq true and externalId pr) and emails.value eq "w03@corp.example"`,
	`name.familyName eq "Fam2" and (active eq true and (externalId eq "ext-02" or userName sw "jdoe"))`,
	`emails.value eq "w05@corp.example" or name.givenName eq "Eve"`,
	`active eq true or not (name.givenName eq "Alice")`,
	`not (userName eq "user04@example.com")`,
	`not (name.givenName eq "Alice")`,
	`externalId eq "ext-02" and not (active eq false)`,
	`not (externalId eq "ext-02" or active eq false)`,
	`userName sw "user" and not (emails.value eq "w05@corp.example")`,
	`(userName eq "jdoe02" or emails.value eq "w03@corp.example") and name.givenName sw "c"`,
}

// testFilterEquivalence checks that ListUsers, however the store splits a
// filter between its indexes and scim.Match, returns exactly what
// scim.Match over every user returns: the same total and the same users,
// in order, page by page.
func testFilterEquivalence(t *testing.T, s birdie.Store) {
	ws := newWorkspace(t, s, "acme")
	other := newWorkspace(t, s, "other")
	t0 := now().Add(-24 * time.Hour)
	users := filterUsers(t, 50, t0)
	for _, u := range users {
		createUser(t, s, ws.ID, u)
	}
	// Users of another workspace that match most filters must never show.
	for _, u := range filterUsers(t, 6, t0) {
		createUser(t, s, other.ID, u)
	}
	subst := strings.NewReplacer(
		"{id7}", users[7].ID,
		"{id9}", users[9].ID,
		"{t10}", users[10].Created.Format(time.RFC3339Nano),
		"{t10+}", users[10].Created.Add(500*time.Nanosecond).Format(time.RFC3339Nano),
		"{t10-zone}", users[10].Created.In(time.FixedZone("", -7*3600)).Format(time.RFC3339Nano),
		"{lm10}", users[10].LastModified.Format(time.RFC3339Nano),
	)
	for _, text := range filterCases {
		text = subst.Replace(text)
		t.Run(text, func(t *testing.T) {
			f, err := scim.ParseFilter(text)
			must(t, err, "scim.ParseFilter")
			var want []string
			for i := range users {
				if scim.Match(f, &users[i]) {
					want = append(want, users[i].ID)
				}
			}
			total, got := listAll(t, s, ws.ID, birdie.UserQuery{Filter: f}, 1000)
			if total != len(want) || !slices.Equal(ids(got), want) {
				t.Fatalf("ListUsers gives total %d and %v;\nscim.Match over every user gives %d: %v", total, ids(got), len(want), want)
			}
			_, paged := listAll(t, s, ws.ID, birdie.UserQuery{Filter: f}, 3)
			if !slices.Equal(ids(paged), want) {
				t.Errorf("in pages of 3 ListUsers gives %v, want %v", ids(paged), want)
			}
			page, err := s.ListUsers(ctx(t), ws.ID, birdie.UserQuery{Filter: f, Count: 0})
			must(t, err, "ListUsers count 0")
			if page.Total != len(want) || len(page.Users) != 0 {
				t.Errorf("count 0: Total %d with %d users, want %d with none", page.Total, len(page.Users), len(want))
			}
			// Sorted by userName, descending: the same set, in that order.
			_, sorted := listAll(t, s, ws.ID, birdie.UserQuery{Filter: f, SortBy: birdie.SortUserName, Descending: true}, 4)
			if len(sorted) != len(want) {
				t.Fatalf("sorted by userName ListUsers gives %d users, want %d", len(sorted), len(want))
			}
			for i := 1; i < len(sorted); i++ {
				if birdie.FoldKey(sorted[i-1].UserName) < birdie.FoldKey(sorted[i].UserName) {
					t.Errorf("sorted by userName descending: %q before %q", sorted[i-1].UserName, sorted[i].UserName)
				}
			}
			for _, u := range sorted {
				if !scim.Match(f, &u) {
					t.Errorf("sorted by userName, ListUsers returned %s (%s), which does not match", u.ID, u.UserName)
				}
			}
		})
	}
}
