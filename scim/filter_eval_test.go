package scim

import (
	"testing"
	"time"

	"birdie"
)

func fltTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fltUsers are the users the Match tests run on: a full one, a sparse
// inactive one, and one with non-ASCII values.
func fltUsers() []*birdie.User {
	babs := &birdie.User{
		ID:          "2819c223-7f76-453a-919d-413861904646",
		UserName:    "Bjensen@Example.com",
		ExternalID:  "Ext-1",
		DisplayName: "Babs Jensen",
		Active:      true,
		Email:       "bjensen@example.com",
		Created:     fltTime("2015-10-10T14:38:21.8617979-07:00"),
		Version:     3,
		Attributes: map[string]any{
			"userName":    "Bjensen@Example.com",
			"externalId":  "Ext-1",
			"displayName": "Babs Jensen",
			"nickName":    "Babs",
			"title":       "Tour Guide",
			"active":      true,
			"name":        map[string]any{"familyName": "Jensen", "givenName": "Barbara"},
			"emails": []any{
				map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
				map[string]any{"value": "babs@jensen.org", "type": "home"},
			},
			"addresses": []any{map[string]any{"type": "work", "locality": "Paris"}},
			URNEnterprise: map[string]any{
				"employeeNumber": "701984",
				"department":     "Tour Operations",
				"manager":        map[string]any{"value": "26118915-6090-4610-87e4-49d8ca9f808d"},
			},
		},
	}
	babs.LastModified = babs.Created.Add(time.Hour)
	jdoe := &birdie.User{
		ID:       "7d420df3-9995-4831-a406-ecf8166f5f6a",
		UserName: "jdoe",
		Active:   false,
		Email:    "jdoe@example.org",
		Created:  fltTime("2010-01-01T00:00:00Z"),
		Attributes: map[string]any{
			"userName": "jdoe",
			"active":   false,
			"roles":    []any{map[string]any{"value": "admin"}},
			"title":    "",
		},
	}
	jdoe.LastModified = jdoe.Created
	elodie := &birdie.User{
		ID:          "e1",
		UserName:    "Élodie@exemple.fr",
		DisplayName: "ÉLODIE",
		Active:      true,
		Email:       "élodie@exemple.fr",
		Created:     fltTime("2020-06-01T12:00:00Z"),
		Attributes: map[string]any{
			"userName":    "Élodie@exemple.fr",
			"displayName": "ÉLODIE",
			"active":      true,
			"emails":      []any{map[string]any{"value": "ÉLODIE@EXEMPLE.FR", "type": "Work"}},
			"name":        map[string]any{"givenName": "Élodie"},
		},
	}
	elodie.LastModified = elodie.Created
	return []*birdie.User{babs, jdoe, elodie}
}

// matchCases: filter → whether it matches [babs, jdoe, elodie].
var matchCases = []struct {
	filter string
	want   [3]bool
}{
	// userName: not case-exact.
	{`userName eq "bjensen@example.com"`, [3]bool{true, false, false}},
	{`username Eq "BJENSEN@EXAMPLE.COM"`, [3]bool{true, false, false}},
	{`userName eq jdoe`, [3]bool{false, true, false}},
	{`userName eq "JDOE"`, [3]bool{false, true, false}},
	{`userName ne "jdoe"`, [3]bool{true, false, true}},
	{`userName co "EXAMPLE"`, [3]bool{true, false, false}},
	{`userName sw O`, [3]bool{false, false, false}},
	{`userName sw "bj"`, [3]bool{true, false, false}},
	{`userName ew ".COM"`, [3]bool{true, false, false}},
	{`userName gt "j"`, [3]bool{false, true, true}}, // é sorts after ASCII
	{`userName ge "jdoe"`, [3]bool{false, true, true}},
	{`userName gt "jdoe"`, [3]bool{false, false, true}},
	{`userName lt "c"`, [3]bool{true, false, false}},
	{`userName le "JDOE"`, [3]bool{true, true, false}},
	{`userName pr`, [3]bool{true, true, true}},
	// Non-ASCII folding.
	{`userName eq "élodie@EXEMPLE.FR"`, [3]bool{false, false, true}},
	{`userName sw "éLO"`, [3]bool{false, false, true}},
	{`displayName co "lodie"`, [3]bool{false, false, true}},
	{`emails.value ew "exemple.fr"`, [3]bool{false, false, true}},
	{`userName gt "e"`, [3]bool{false, true, true}}, // É folds above e
	// externalId and id are case-exact.
	{`externalId eq "Ext-1"`, [3]bool{true, false, false}},
	{`externalId eq "ext-1"`, [3]bool{false, false, false}},
	{`externalId co "xt"`, [3]bool{true, false, false}},
	{`externalId ne "ext-1"`, [3]bool{true, true, true}},
	{`externalId pr`, [3]bool{true, false, false}},
	{`externalId eq null`, [3]bool{false, true, true}},
	{`externalId ne null`, [3]bool{true, false, false}},
	{`id eq "2819c223-7f76-453a-919d-413861904646"`, [3]bool{true, false, false}},
	{`id eq "2819C223-7F76-453A-919D-413861904646"`, [3]bool{false, false, false}},
	{`id eq "2819c223-7f76-453a-919d-413861904646" and manager eq "26118915-6090-4610-87e4-49d8ca9f808d"`, [3]bool{true, false, false}},
	{`id eq "2819c223-7f76-453a-919d-413861904646" and manager eq "26118915-6090-4610-87E4-49D8CA9F808D"`, [3]bool{false, false, false}},
	// displayName, title, ne on absent, pr on empty.
	{`DisplayName eq "babs jensen"`, [3]bool{true, false, false}},
	{`displayName ne "Babs Jensen"`, [3]bool{false, true, true}},
	{`title pr`, [3]bool{true, false, false}},
	{`title eq ""`, [3]bool{false, true, false}},
	{`title eq null`, [3]bool{false, true, true}},
	{`nickName ne "x"`, [3]bool{true, true, true}},
	{`nickName co ""`, [3]bool{true, false, false}},
	// Booleans.
	{`active eq true`, [3]bool{true, false, true}},
	{`active eq "False"`, [3]bool{false, true, false}},
	{`active ne true`, [3]bool{false, true, false}},
	{`active pr`, [3]bool{true, true, true}},
	{`emails[primary eq true]`, [3]bool{true, false, false}},
	{`emails.primary eq false`, [3]bool{false, false, false}},
	{`emails.primary ne true`, [3]bool{false, true, true}},
	// Multi-valued: any element.
	{`emails.value eq "BABS@jensen.org"`, [3]bool{true, false, false}},
	{`emails eq "bjensen@example.com"`, [3]bool{true, false, false}},
	{`emails.type eq "work"`, [3]bool{true, false, true}},
	{`emails.type eq "home"`, [3]bool{true, false, false}},
	{`emails.type ne "work"`, [3]bool{false, true, false}},
	{`emails pr`, [3]bool{true, false, true}},
	{`emails.display pr`, [3]bool{false, false, false}},
	{`emails.value eq null`, [3]bool{false, true, false}},
	{`roles.value eq "ADMIN"`, [3]bool{false, true, false}},
	{`emails.Value co example.com or emails.Value co example.org`, [3]bool{true, false, false}},
	// Complex attributes.
	{`name.familyName eq "jensen"`, [3]bool{true, false, false}},
	{`name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)`, [3]bool{false, false, false}},
	{`name.FamilyName eq Jensen and (emails.Value co example.com or emails.Value co example.org)`, [3]bool{true, false, false}},
	{`name pr`, [3]bool{true, false, true}},
	{`name.givenName sw "é"`, [3]bool{false, false, true}},
	{`name.middleName pr`, [3]bool{false, false, false}},
	// Value paths, evaluated per element.
	{`emails[type eq "work" and value co "@example.com"]`, [3]bool{true, false, false}},
	{`emails[type eq "home" and value co "@example.com"]`, [3]bool{false, false, false}},
	{`emails[type eq "work"].value eq "bjensen@example.com"`, [3]bool{true, false, false}},
	{`emails[type eq "work"].value eq "babs@jensen.org"`, [3]bool{false, false, false}},
	{`emails[type eq "work"].value eq "élodie@exemple.fr"`, [3]bool{false, false, true}},
	{`emails[not (type eq "work")]`, [3]bool{true, false, false}},
	{`emails[type eq "work" or type eq "home"] and active eq true`, [3]bool{true, false, true}},
	{`addresses[type eq "work"].locality eq "paris"`, [3]bool{true, false, false}},
	{`addresses[type eq "home"].locality pr`, [3]bool{false, false, false}},
	{`manager[value sw "2611"]`, [3]bool{true, false, false}},
	{`name[givenName pr]`, [3]bool{true, false, true}},
	// Enterprise and account extensions.
	{`employeeNumber eq 701984`, [3]bool{true, false, false}},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department co "tour"`, [3]bool{true, false, false}},
	{`manager.value pr`, [3]bool{true, false, false}},
	{`manager pr`, [3]bool{true, false, false}},
	{`manager eq null`, [3]bool{false, true, true}},
	{`department ne "x"`, [3]bool{true, true, true}},
	{`email eq "JDOE@example.org"`, [3]bool{false, true, false}},
	{`urn:birdie:scim:schemas:extension:account:2.0:User:email ew ".fr"`, [3]bool{false, false, true}},
	// meta.
	{`meta.Created gt 2015-10-10T14:38:21.8617979-07:00`, [3]bool{false, false, true}},
	{`meta.created ge 2015-10-10T14:38:21.8617979-07:00`, [3]bool{true, false, true}},
	{`meta.created eq "2015-10-10T21:38:21.8617979Z"`, [3]bool{true, false, false}},
	{`meta.created lt "2015-01-01T00:00:00Z"`, [3]bool{false, true, false}},
	{`meta.created le "2010-01-01T00:00:00Z"`, [3]bool{false, true, false}},
	{`meta.lastModified gt "2015-10-10T22:00:00Z"`, [3]bool{true, false, true}},
	{`meta.created ne "2010-01-01T01:00:00+01:00"`, [3]bool{true, false, true}},
	{`meta.resourceType eq "User"`, [3]bool{true, true, true}},
	{`meta.resourceType eq "user"`, [3]bool{false, false, false}},
	{`meta.version eq "W/\"3\""`, [3]bool{true, false, false}},
	{`meta pr`, [3]bool{true, true, true}},
	{`meta[created lt "2011-01-01T00:00:00Z"]`, [3]bool{false, true, false}},
	{`groups pr`, [3]bool{false, false, false}},
	{`groups eq "g"`, [3]bool{false, false, false}},
	// Logic.
	{`not (active eq true)`, [3]bool{false, true, false}},
	{`active eq true and not (userName sw "b")`, [3]bool{false, false, true}},
	{`userName eq jdoe or displayName co "lodie" and active eq true`, [3]bool{false, true, true}},
	{`(userName eq jdoe or displayName co "lodie") and active eq false`, [3]bool{false, true, false}},
}

func TestMatch(t *testing.T) {
	users := fltUsers()
	for _, tc := range matchCases {
		f, err := ParseFilter(tc.filter)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tc.filter, err)
			continue
		}
		for i, u := range users {
			if got := Match(f, u); got != tc.want[i] {
				t.Errorf("Match(%q, %s) = %v, want %v", tc.filter, u.UserName, got, tc.want[i])
			}
		}
	}
}

// Hand-built filters that ParseFilter never produces (wrong value types,
// pointer nodes, nil parts) must not panic, and wrong types never match.
func TestMatchHandBuilt(t *testing.T) {
	babs := fltUsers()[0]
	cases := []struct {
		name string
		f    birdie.Filter
		want bool
	}{
		{"nil filter", nil, true},
		{"string attribute vs bool", fltCmp(fltCore("userName", ""), "eq", true), false},
		{"string attribute vs number", fltCmp(fltCore("userName", ""), "gt", 1.0), false},
		{"ne with a wrong type", fltCmp(fltCore("userName", ""), "ne", 1.0), true},
		{"bool attribute vs string", fltCmp(fltCore("active", ""), "eq", "true"), false},
		{"bool attribute gt", fltCmp(fltCore("active", ""), "gt", false), false},
		{"dateTime vs garbage", fltCmp(fltCore("meta", "created"), "gt", "yesterday"), false},
		{"dateTime co", fltCmp(fltCore("meta", "created"), "co", "2015-10-10T14:38:21Z"), false},
		{"complex without sub", fltCmp(fltCore("emails", ""), "eq", "bjensen@example.com"), false},
		{"unknown operator", fltCmp(fltCore("userName", ""), "xx", "x"), false},
		{"unknown attribute", fltCmp(fltCore("nope", ""), "eq", "x"), false},
		{"unknown attribute pr", fltCmp(fltCore("nope", ""), "pr", nil), false},
		{"unknown URN", fltCmp(birdie.AttrPath{URN: "urn:x", Attr: "a"}, "eq", "x"), false},
		{"sub of a simple attribute", fltCmp(fltCore("userName", "x"), "eq", "x"), false},
		{"meta.location", fltCmp(fltCore("meta", "location"), "pr", nil), false},
		{"pointer compare", &birdie.Compare{Path: fltCore("userName", ""), Op: "eq", Value: "BJENSEN@example.com"}, true},
		{"nil pointer compare", (*birdie.Compare)(nil), false},
		{"pointer and", &birdie.And{Left: fltTitlePr, Right: nil}, true},
		{"pointer or", &birdie.Or{Left: nil, Right: fltTitlePr}, true},
		{"pointer not", &birdie.Not{X: fltTitlePr}, false},
		{"pointer value path", &birdie.ValuePath{Path: fltCore("emails", ""), Filter: fltWork}, true},
		{"value path nil filter", birdie.ValuePath{Path: fltCore("emails", "")}, true},
		{"value path on simple attribute", birdie.ValuePath{Path: fltCore("userName", ""), Filter: fltWork}, false},
		{"value path with sub", birdie.ValuePath{Path: fltCore("emails", "value"), Filter: fltWork}, false},
		{"value path on unknown", birdie.ValuePath{Path: fltCore("nope", ""), Filter: fltWork}, false},
		{"nested value path", fltVP("emails", fltVP("emails", fltWork)), false},
		{"relative sub path", fltVP("emails", fltCmp(fltCore("value", "x"), "eq", "x")), false},
		{"float compare", fltCmp(fltCore("nope", ""), "eq", 1.0), false},
	}
	for _, tc := range cases {
		if got := Match(tc.f, babs); got != tc.want {
			t.Errorf("%s: Match(%#v) = %v, want %v", tc.name, tc.f, got, tc.want)
		}
	}
	if Match(fltTitlePr, nil) {
		t.Error("Match on a nil user matched")
	}
	if !Match(nil, nil) {
		t.Error("nil filter did not match a nil user")
	}
	// Attributes of unexpected shapes never match and never panic.
	odd := &birdie.User{Attributes: map[string]any{
		"emails":      []map[string]any{{"value": "a@b.c", "type": "work"}},
		"title":       42.0,
		"name":        "not a map",
		"roles":       []any{"admin", 7.0},
		URNEnterprise: "not a map",
	}}
	oddCases := []struct {
		f    string
		want bool
	}{
		{`emails.value eq "A@B.C"`, true},
		{`emails[type eq "work"]`, true},
		{`emails pr`, true},
		{`emails.value eq null`, false},
		{`title eq "42"`, false},
		{`title pr`, true},
		{`name.givenName eq "x"`, false},
		{`name pr`, true},
		{`roles.value eq "admin"`, false},
		{`roles pr`, true},
		{`department eq "x"`, false},
		{`meta.created pr`, false},
		{`userName pr`, false},
	}
	for _, tc := range oddCases {
		f, err := ParseFilter(tc.f)
		if err != nil {
			t.Fatal(err)
		}
		if got := Match(f, odd); got != tc.want {
			t.Errorf("odd user: Match(%q) = %v, want %v", tc.f, got, tc.want)
		}
	}
	// A number attribute value against a number (not produced by the
	// schemas, but the comparison is defined).
	num := &birdie.User{Attributes: map[string]any{"x": 2.0}}
	if !Match(fltCmp(fltCore("x", ""), "gt", 1.0), num) || Match(fltCmp(fltCore("x", ""), "lt", 1.0), num) {
		t.Error("number comparison")
	}
}

func TestMatchElement(t *testing.T) {
	emails := UserSchema.Attr("emails")
	work := map[string]any{"value": "A@B.c", "type": "Work", "primary": true}
	for _, tc := range []struct {
		a    *Attribute
		f    string
		want bool
	}{
		{emails, `type eq "work" and value eq "a@b.C"`, true},
		{emails, `primary eq "True"`, true},
		{emails, `not (type eq "work")`, false},
		{emails, `display pr`, false},
		{MetaAttr, `created pr`, false}, // meta needs a user
		{nil, `type eq "WORK"`, true},
	} {
		var f birdie.Filter = fltCmp(fltCore("created", ""), "pr", nil)
		if tc.a != MetaAttr {
			vp, err := ParseFilter("emails[" + tc.f + "]")
			if err != nil {
				t.Fatal(err)
			}
			f = vp.(birdie.ValuePath).Filter
		}
		if got := MatchElement(tc.a, f, work); got != tc.want {
			t.Errorf("MatchElement(%q) = %v, want %v", tc.f, got, tc.want)
		}
	}
	if !MatchElement(emails, nil, work) {
		t.Error("nil filter did not match")
	}
}

func TestFoldRune(t *testing.T) {
	for _, tc := range []struct{ a, b string }{{"K", "k"}, {"\u212a", "k"}, {"ſ", "S"}, {"É", "é"}, {"Σ", "ς"}} {
		if foldString(tc.a) != foldString(tc.b) {
			t.Errorf("foldString(%q) = %q, foldString(%q) = %q", tc.a, foldString(tc.a), tc.b, foldString(tc.b))
		}
	}
	// Ordering agrees between the ASCII fast path and the folded path.
	if compareStrings("_a", "A_", false, "lt") != compareStrings("_aé", "A_é", false, "lt") {
		t.Error("ASCII and non-ASCII folded ordering disagree")
	}
}
