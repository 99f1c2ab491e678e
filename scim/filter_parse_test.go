package scim

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"birdie"
)

// Helpers that build expected ASTs. Prefixed to stay clear of helpers in
// the package's other test files.
func fltCore(attr, sub string) birdie.AttrPath { return birdie.AttrPath{Attr: attr, Sub: sub} }
func fltEnt(attr, sub string) birdie.AttrPath {
	return birdie.AttrPath{URN: URNEnterprise, Attr: attr, Sub: sub}
}
func fltCmp(p birdie.AttrPath, op string, v any) birdie.Filter {
	return birdie.Compare{Path: p, Op: op, Value: v}
}
func fltAnd(l, r birdie.Filter) birdie.Filter { return birdie.And{Left: l, Right: r} }
func fltOr(l, r birdie.Filter) birdie.Filter  { return birdie.Or{Left: l, Right: r} }
func fltVP(attr string, f birdie.Filter) birdie.Filter {
	return birdie.ValuePath{Path: fltCore(attr, ""), Filter: f}
}

var (
	fltUserNameX = fltCmp(fltCore("userName", ""), "eq", "x")
	fltTitlePr   = fltCmp(fltCore("title", ""), "pr", nil)
	fltWork      = fltCmp(fltCore("type", ""), "eq", "work")
)

// filterParseCases are filters that must parse, with their AST. They also
// seed FuzzParseFilter.
var filterParseCases = []struct {
	in   string
	want birdie.Filter
}{
	// Operators, each of them.
	{`userName eq "a@b.co"`, fltCmp(fltCore("userName", ""), "eq", "a@b.co")},
	{`userName ne "x"`, fltCmp(fltCore("userName", ""), "ne", "x")},
	{`userName co "x"`, fltCmp(fltCore("userName", ""), "co", "x")},
	{`userName sw "x"`, fltCmp(fltCore("userName", ""), "sw", "x")},
	{`userName ew "x"`, fltCmp(fltCore("userName", ""), "ew", "x")},
	{`userName gt "x"`, fltCmp(fltCore("userName", ""), "gt", "x")},
	{`userName ge "x"`, fltCmp(fltCore("userName", ""), "ge", "x")},
	{`userName lt "x"`, fltCmp(fltCore("userName", ""), "lt", "x")},
	{`userName le "x"`, fltCmp(fltCore("userName", ""), "le", "x")},
	{`title pr`, fltTitlePr},
	{`title PR`, fltTitlePr},

	// Case-insensitive names, operators and keywords (Ping: username Eq).
	{`username Eq "x"`, fltUserNameX},
	{`USERNAME EQ "x"`, fltUserNameX},
	{`DisplayName eq "BobIsAmazing"`, fltCmp(fltCore("displayName", ""), "eq", "BobIsAmazing")},
	{`userName eq "x" AND title pr`, fltAnd(fltUserNameX, fltTitlePr)},
	{`userName eq "x" Or title pr`, fltOr(fltUserNameX, fltTitlePr)},
	{`NOT (title pr)`, birdie.Not{X: fltTitlePr}},
	{`not(title pr)`, birdie.Not{X: fltTitlePr}},

	// Unquoted values (authentik, Microsoft's collection).
	{`userName eq jdoe`, fltCmp(fltCore("userName", ""), "eq", "jdoe")},
	{`userName sw O`, fltCmp(fltCore("userName", ""), "sw", "O")},
	{`emails.Value co example.com`, fltCmp(fltCore("emails", "value"), "co", "example.com")},
	{`meta.Created gt 2015-10-10T14:38:21.8617979-07:00`, fltCmp(fltCore("meta", "created"), "gt", "2015-10-10T14:38:21.8617979-07:00")},
	{`name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)`,
		fltAnd(fltCmp(fltCore("name", "familyName"), "eq", "Employee"),
			fltOr(fltCmp(fltCore("emails", "value"), "co", "example.com"), fltCmp(fltCore("emails", "value"), "co", "example.org")))},
	{`employeeNumber eq 00123`, fltCmp(fltEnt("employeeNumber", ""), "eq", "00123")},
	{`employeeNumber eq 12.5e3`, fltCmp(fltEnt("employeeNumber", ""), "eq", "12.5e3")},
	{`userName eq true`, fltCmp(fltCore("userName", ""), "eq", "true")},
	{`userName eq a"b`, fltCmp(fltCore("userName", ""), "eq", `a"b`)},
	{`(userName eq x)`, fltUserNameX},
	{`emails[type eq work]`, fltVP("emails", fltWork)},

	// Booleans: coerced from true/false in any case, quoted or not.
	{`active eq true`, fltCmp(fltCore("active", ""), "eq", true)},
	{`active eq "True"`, fltCmp(fltCore("active", ""), "eq", true)},
	{`active eq False`, fltCmp(fltCore("active", ""), "eq", false)},
	{`active ne "FALSE"`, fltCmp(fltCore("active", ""), "ne", false)},
	{`emails[primary eq "true"]`, fltVP("emails", fltCmp(fltCore("primary", ""), "eq", true))},
	{`active eq null`, fltCmp(fltCore("active", ""), "eq", nil)},

	// null.
	{`userName eq null`, fltCmp(fltCore("userName", ""), "eq", nil)},
	{`externalId ne NULL`, fltCmp(fltCore("externalId", ""), "ne", nil)},

	// Escapes.
	{`userName eq "a\"b\\c\/d"`, fltCmp(fltCore("userName", ""), "eq", `a"b\c/d`)},
	{`userName eq "\u00e9\u00C9\t\n\r\b\f"`, fltCmp(fltCore("userName", ""), "eq", "éÉ\t\n\r\b\f")},
	{`userName eq "\ud83d\ude00"`, fltCmp(fltCore("userName", ""), "eq", "😀")},
	{`userName eq ""`, fltCmp(fltCore("userName", ""), "eq", "")},
	{`displayName eq "Zoë (ops) [x] and or"`, fltCmp(fltCore("displayName", ""), "eq", "Zoë (ops) [x] and or")},

	// Precedence: not > and > or; and/or are left-associative.
	{`userName eq "x" or title pr and active eq true`,
		fltOr(fltUserNameX, fltAnd(fltTitlePr, fltCmp(fltCore("active", ""), "eq", true)))},
	{`userName eq "x" and title pr or active eq true`,
		fltOr(fltAnd(fltUserNameX, fltTitlePr), fltCmp(fltCore("active", ""), "eq", true))},
	{`userName eq "x" and (title pr or active eq true)`,
		fltAnd(fltUserNameX, fltOr(fltTitlePr, fltCmp(fltCore("active", ""), "eq", true)))},
	{`title pr and title pr and userName eq "x"`, fltAnd(fltAnd(fltTitlePr, fltTitlePr), fltUserNameX)},
	{`not (title pr) and userName eq "x"`, fltAnd(birdie.Not{X: fltTitlePr}, fltUserNameX)},
	{`((userName eq "x"))`, fltUserNameX},
	{"\t userName\teq\n\"x\" \r\n", fltUserNameX},
	{`userName eq "x"and title pr`, fltAnd(fltUserNameX, fltTitlePr)},
	{`(userName eq "x")or(title pr)`, fltOr(fltUserNameX, fltTitlePr)},

	// Fully qualified names; URNs in any case; bare extension names.
	{`urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "B"`, fltCmp(fltCore("name", "givenName"), "eq", "B")},
	{`URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:USERNAME eq "x"`, fltUserNameX},
	{`urn:ietf:params:scim:schemas:core:2.0:User:id eq "i"`, fltCmp(fltCore("id", ""), "eq", "i")},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m"`, fltCmp(fltEnt("manager", "value"), "eq", "m")},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1"`, fltCmp(fltEnt("employeeNumber", ""), "eq", "1")},
	{`urn:birdie:scim:schemas:extension:account:2.0:User:email eq "e"`, fltCmp(birdie.AttrPath{URN: URNAccount, Attr: "email"}, "eq", "e")},
	{`email Co "e"`, fltCmp(birdie.AttrPath{URN: URNAccount, Attr: "email"}, "co", "e")},
	{`Department eq "Ops"`, fltCmp(fltEnt("department", ""), "eq", "Ops")},
	{`externalID eq "E"`, fltCmp(fltCore("externalId", ""), "eq", "E")},

	// A complex attribute stands for its value; pr works on it directly.
	{`id eq "i" and manager eq "m"`, fltAnd(fltCmp(fltCore("id", ""), "eq", "i"), fltCmp(fltEnt("manager", "value"), "eq", "m"))},
	{`emails eq "a@b.c"`, fltCmp(fltCore("emails", "value"), "eq", "a@b.c")},
	{`groups eq "g"`, fltCmp(fltCore("groups", "value"), "eq", "g")},
	{`emails pr`, fltCmp(fltCore("emails", ""), "pr", nil)},
	{`name pr`, fltCmp(fltCore("name", ""), "pr", nil)},
	{`manager pr`, fltCmp(fltEnt("manager", ""), "pr", nil)},
	{`meta pr`, fltCmp(fltCore("meta", ""), "pr", nil)},
	{`manager.$ref pr`, fltCmp(fltEnt("manager", "$ref"), "pr", nil)},

	// meta and dateTimes.
	{`meta.lastModified ge "2020-01-01T00:00:00Z"`, fltCmp(fltCore("meta", "lastModified"), "ge", "2020-01-01T00:00:00Z")},
	{`meta.created lt "2020-01-01T00:00:00.123456789+02:00"`, fltCmp(fltCore("meta", "created"), "lt", "2020-01-01T00:00:00.123456789+02:00")},
	{`meta.created eq null`, fltCmp(fltCore("meta", "created"), "eq", nil)},
	{`meta.resourceType eq "User"`, fltCmp(fltCore("meta", "resourceType"), "eq", "User")},
	{`meta.version eq "W/\"3\""`, fltCmp(fltCore("meta", "version"), "eq", `W/"3"`)},

	// Value paths: relative sub-attribute paths inside the brackets.
	{`emails[type eq "work" and value co "@x.com"]`, fltVP("emails", fltAnd(fltWork, fltCmp(fltCore("value", ""), "co", "@x.com")))},
	{`Emails[Type EQ "work"]`, fltVP("emails", fltWork)},
	{`emails[not (type eq "work")]`, fltVP("emails", birdie.Not{X: fltWork})},
	{`emails[(type eq "work")]`, fltVP("emails", fltWork)},
	{`emails[type eq "work"].value eq "x"`, fltVP("emails", fltAnd(fltWork, fltCmp(fltCore("value", ""), "eq", "x")))},
	{`emails[type eq "work"].Value pr`, fltVP("emails", fltAnd(fltWork, fltCmp(fltCore("value", ""), "pr", nil)))},
	{`addresses[type eq "work"].locality eq "Paris"`, fltVP("addresses", fltAnd(fltWork, fltCmp(fltCore("locality", ""), "eq", "Paris")))},
	{`emails[type eq "work"] and userName eq "x"`, fltAnd(fltVP("emails", fltWork), fltUserNameX)},
	{`urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"]`, fltVP("emails", fltWork)},
	{`manager[value eq "m"]`, birdie.ValuePath{Path: fltEnt("manager", ""), Filter: fltCmp(fltCore("value", ""), "eq", "m")}},
	{`userName eq "x" and emails[type eq "work"]`, fltAnd(fltUserNameX, fltVP("emails", fltWork))},
	{strings.Repeat("(", MaxFilterDepth) + `userName eq "x"` + strings.Repeat(")", MaxFilterDepth), fltUserNameX},
}

func TestParseFilter(t *testing.T) {
	for _, tc := range filterParseCases {
		got, err := ParseFilter(tc.in)
		if err != nil {
			t.Errorf("ParseFilter(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseFilter(%q)\n got  %#v\n want %#v", tc.in, got, tc.want)
		}
	}
}

// filterErrorCases must fail with 400 invalidFilter and a detail that
// contains the given text (so details stay actionable).
var filterErrorCases = []struct {
	in, detail string
}{
	{``, "the filter is empty"},
	// Escapes that encoding/json would turn into U+FFFD or NUL: refused,
	// since no stored value can hold them.
	{`userName eq "\ud800x"`, `lone UTF-16 surrogate`},
	{`userName eq "\u0000"`, `NUL character`},
	{"  \t", "the filter is empty"},
	{`userName equals "x"`, `invalid filter: expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after "userName" at position 10, found "equals"`},
	{`userName`, `after "userName" at position 9, found end of filter`},
	{`userName = "x"`, `found "="`},
	{`userName eq`, `expected a value after "eq" at position 12, found end of filter`},
	{`userName eq )`, `expected a value after "eq" at position 13, found ")"`},
	{`userName eq "x`, "unterminated string starting at position 13"},
	{`userName eq "x\"`, "unterminated string"},
	{`userName eq "x\`, "unterminated string"},
	{`"`, `expected an attribute name, "not" or "(" at position 1, found "\""`},
	{`userName eq "a\qb"`, `invalid escape "\\q" at position 15`},
	{`userName eq "\u12"`, `\u must be followed by 4 hex digits`},
	{`userName eq "\u12G4"`, `\u must be followed by 4 hex digits`},
	{"userName eq \"a\tb\"", "control character U+0009"},
	{"userName eq \"a\x00b\"", "control character U+0000"},
	{"userName eq a\x00b", "control character U+0000 at position 14"},
	{"\x00", `found "\x00"`},
	{"userName\x00eq \"x\"", `found "\x00eq"`},
	{"userName eq \"\xff\"", "not valid UTF-8 (byte 0xff at position 14)"},
	{"\xc3", "not valid UTF-8"},
	{`foo eq "x"`, `unknown attribute "foo" at position 1`},
	{`emails.foo eq "x"`, `unknown sub-attribute "foo" of "emails"`},
	{`userName.foo eq "x"`, "userName has no sub-attributes"},
	{`password eq "x"`, "cannot be filtered on"},
	{`meta.location eq "x"`, "cannot be filtered on"},
	{`name eq "x"`, `"name" is a complex attribute`},
	{`meta eq "x"`, `"meta" is a complex attribute`},
	{`active gt true`, `operator "gt" at position 8 cannot be used on it`},
	{`active co "t"`, `boolean attribute`},
	{`active eq "yes"`, `expected true or false at position 11, found "\"yes\""`},
	{`active eq 1`, `expected true or false`},
	{`emails[primary eq "maybe"]`, `expected true or false`},
	{`meta.created gt "yesterday"`, "not an RFC 3339 date-time"},
	{`meta.created gt 2015-10-10`, "not an RFC 3339 date-time"},
	{`meta.created eq true`, "not an RFC 3339 date-time"},
	{`meta.created co "2015"`, `dateTime attribute; operator "co"`},
	{`userName co null`, "null at position 13 can only be compared with eq or ne"},
	{`(userName eq "x"`, `expected ")" to close the "(" at position 1, found end of filter`},
	{`((userName eq "x")`, `expected ")"`},
	{`userName eq "x")`, `unbalanced ')' at position 16`},
	{`()`, `found ")"`},
	{`(`, `found end of filter`},
	{`)`, `found ")"`},
	{`not userName eq "x"`, `expected "(" after "not" at position 5`},
	{`not`, `expected "(" after "not"`},
	{`userName eq "x" and`, `expected an attribute name, "not" or "(" at position 20, found end of filter`},
	{`userName eq "x" or`, `found end of filter`},
	{`and userName eq "x"`, `expected an attribute name, "not" or "(" at position 1, found "and"`},
	{`userName eq "x" or or title pr`, `at position 20, found "or"`},
	{`userName eq "x" xor title pr`, `expected "and", "or" or the end of the filter at position 17, found "xor"`},
	{`userName eq "x" "y"`, `expected "and", "or"`},
	{`title pr "x"`, `expected "and", "or"`},
	{`userName eq "x" (title pr)`, `expected "and", "or"`},
	{`emails[type eq "work"`, `expected "]" to close the "[" at position 7, found end of filter`},
	{`emails[type eq "work")`, `expected "]"`},
	{`emails[type eq "work"]]`, `unbalanced ']'`},
	{`userName eq "x"]`, `unbalanced ']'`},
	{`emails[]`, `found "]"`},
	{`emails[type[value eq "x"] eq "y"]`, "nested brackets"},
	{`emails[type eq "work"].value[x eq "y"]`, "expected a comparison operator"},
	{`userName[value eq "x"]`, "not a complex attribute"},
	{`emails.value[type eq "x"]`, "must follow an attribute name"},
	{`emails[foo eq "x"]`, `unknown sub-attribute "foo" of "emails" at position 8 (it has value, display, type, primary)`},
	{`emails[emails.type eq "x"]`, `unknown sub-attribute "emails.type"`},
	{`emails[type eq "work"].foo eq "x"`, `unknown sub-attribute "foo"`},
	{`emails[type eq "work"].value`, "expected a comparison operator"},
	{`emails[type eq "work"].`, `expected a sub-attribute name after "]." at position 24`},
	{`emails[type eq "work"] eq "x"`, `expected "and", "or"`},
	{`name..givenName eq "x"`, "not a valid attribute path: a name is missing"},
	{`name.givenName. eq "x"`, "not a valid attribute path"},
	{`.userName eq "x"`, "not a valid attribute path"},
	{`name.givenName.x eq "x"`, "at most one sub-attribute"},
	{`1userName eq "x"`, "not an attribute name"},
	{`foo:bar eq "x"`, "not an attribute name"},
	{`urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User:foo eq "x"`, `unknown schema "urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User"`},
	{`urn:ietf:params:scim:schemas:core:2.0:User eq "x"`, "names a schema, not an attribute"},
	{`urn:ietf:params:scim:schemas:core:2.0:User: eq "x"`, "attribute name after the schema URN is missing"},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName eq "x"`, `unknown attribute`},
	{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:id eq "x"`, `unknown attribute`},
	{`schemas eq "x"`, `unknown attribute "schemas"`},
	{`displayName eq "é" foo`, `at position 20, found "foo"`},
	{strings.Repeat("(", MaxFilterDepth+1) + `userName eq "x"` + strings.Repeat(")", MaxFilterDepth+1), "nests deeper than 32 levels"},
	{strings.Repeat("not (", MaxFilterDepth+1) + `title pr` + strings.Repeat(")", MaxFilterDepth+1), "nests deeper than 32 levels"},
	{strings.Repeat("(", MaxFilterDepth-1) + `emails[type eq "x"]` + strings.Repeat(")", MaxFilterDepth-1), ""},
	{strings.Repeat("(", 100000), "the limit is 4096 bytes"},
	{`userName eq "` + strings.Repeat("a", MaxFilterLength) + `"`, "the limit is 4096 bytes"},
}

func TestParseFilterErrors(t *testing.T) {
	for _, tc := range filterErrorCases {
		f, err := ParseFilter(tc.in)
		if tc.detail == "" { // at the depth limit exactly: must parse
			if err != nil {
				t.Errorf("ParseFilter(%.60q): %v", tc.in, err)
			}
			continue
		}
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("ParseFilter(%.60q) = %#v, %v; want a *Error", tc.in, f, err)
			continue
		}
		if f != nil || se.Status != http.StatusBadRequest || se.ScimType != ErrInvalidFilter || !strings.Contains(se.Detail, tc.detail) {
			t.Errorf("ParseFilter(%.60q) = %v, %d %s %q\nwant 400 invalidFilter containing %q", tc.in, f, se.Status, se.ScimType, se.Detail, tc.detail)
		}
		if !strings.HasPrefix(se.Detail, "invalid filter: ") {
			t.Errorf("ParseFilter(%.60q) detail %q does not start with \"invalid filter: \"", tc.in, se.Detail)
		}
	}
}

// The longest allowed filter parses; one byte more does not.
func TestParseFilterLengthLimit(t *testing.T) {
	pad := MaxFilterLength - len(`userName eq ""`)
	ok := `userName eq "` + strings.Repeat("a", pad) + `"`
	if _, err := ParseFilter(ok); err != nil {
		t.Errorf("filter of %d bytes: %v", len(ok), err)
	}
	if _, err := ParseFilter(ok + " "); err == nil {
		t.Errorf("filter of %d bytes parsed", len(ok)+1)
	}
	// A long and-chain within the limit parses without deep recursion.
	chain := strings.Repeat(`title pr and `, (MaxFilterLength-len(`title pr`))/len(`title pr and `)) + `title pr`
	if _, err := ParseFilter(chain); err != nil {
		t.Errorf("long chain: %v", err)
	}
}

// FuzzParseFilter checks that no input makes ParseFilter (or
// ParsePatchPath, which shares its lexer) panic, that every failure is a
// 400 of the right scimType, and that whatever parses can be evaluated.
func FuzzParseFilter(f *testing.F) {
	for _, tc := range filterParseCases {
		f.Add(tc.in)
	}
	for _, tc := range filterErrorCases {
		if len(tc.in) <= MaxFilterLength {
			f.Add(tc.in)
		}
	}
	users := fltUsers()
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(s)
		if err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Status != http.StatusBadRequest || se.ScimType != ErrInvalidFilter || se.Detail == "" {
				t.Fatalf("ParseFilter(%q): unexpected error %#v", s, err)
			}
		} else {
			for _, u := range users {
				Match(flt, u)
			}
		}
		if _, err := ParsePatchPath(s); err != nil {
			var se *Error
			if !errors.As(err, &se) || se.Status != http.StatusBadRequest || se.ScimType != ErrInvalidPath && se.ScimType != ErrInvalidFilter {
				t.Fatalf("ParsePatchPath(%q): unexpected error %#v", s, err)
			}
		}
	})
}
