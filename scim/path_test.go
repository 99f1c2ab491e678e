package scim

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"birdie"
)

func TestParsePatchPath(t *testing.T) {
	emails := UserSchema.Attr("emails")
	name := UserSchema.Attr("name")
	addresses := UserSchema.Attr("addresses")
	manager := EnterpriseSchema.Attr("manager")
	cases := []struct {
		in      string
		urn     string
		attr    string
		sub     string
		filter  birdie.Filter
		unknown bool
		schema  *Schema
		def     *Attribute
		subDef  *Attribute
	}{
		{in: "active", attr: "active", schema: UserSchema, def: UserSchema.Attr("active")},
		{in: "ACTIVE", attr: "active", schema: UserSchema, def: UserSchema.Attr("active")},
		{in: " userName ", attr: "userName", schema: UserSchema, def: UserSchema.Attr("userName")},
		{in: "name.givenName", attr: "name", sub: "givenName", schema: UserSchema, def: name, subDef: name.SubAttr("givenName")},
		{in: "Name.GivenName", attr: "name", sub: "givenName", schema: UserSchema, def: name, subDef: name.SubAttr("givenName")},
		{in: "emails", attr: "emails", schema: UserSchema, def: emails},
		{in: `emails[type eq "work"]`, attr: "emails", filter: fltWork, schema: UserSchema, def: emails},
		{in: `emails[type eq "work"].value`, attr: "emails", sub: "value", filter: fltWork, schema: UserSchema, def: emails, subDef: emails.SubAttr("value")},
		{in: `Emails[Type Eq "work"].Value`, attr: "emails", sub: "value", filter: fltWork, schema: UserSchema, def: emails, subDef: emails.SubAttr("value")},
		{in: `emails[type eq work and primary eq "True"]`, attr: "emails", filter: fltAnd(fltWork, fltCmp(fltCore("primary", ""), "eq", true)), schema: UserSchema, def: emails},
		{in: `phoneNumbers[type eq "mobile"].value`, attr: "phoneNumbers", sub: "value", filter: fltCmp(fltCore("type", ""), "eq", "mobile"), schema: UserSchema, def: UserSchema.Attr("phoneNumbers"), subDef: UserSchema.Attr("phoneNumbers").SubAttr("value")},
		{in: `addresses[type eq "work"].locality`, attr: "addresses", sub: "locality", filter: fltWork, schema: UserSchema, def: addresses, subDef: addresses.SubAttr("locality")},
		{in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", urn: URNEnterprise, attr: "manager", schema: EnterpriseSchema, def: manager},
		{in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value", urn: URNEnterprise, attr: "manager", sub: "value", schema: EnterpriseSchema, def: manager, subDef: manager.SubAttr("value")},
		{in: "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:employeeNumber", urn: URNEnterprise, attr: "employeeNumber", schema: EnterpriseSchema, def: EnterpriseSchema.Attr("employeeNumber")},
		{in: "urn:ietf:params:scim:schemas:core:2.0:User:displayName", attr: "displayName", schema: UserSchema, def: UserSchema.Attr("displayName")},
		{in: "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName", attr: "name", sub: "familyName", schema: UserSchema, def: name, subDef: name.SubAttr("familyName")},
		{in: "urn:ietf:params:scim:schemas:core:2.0:User:externalId", attr: "externalId", schema: UserSchema, def: ExternalIDAttr},
		{in: `urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"].value`, attr: "emails", sub: "value", filter: fltWork, schema: UserSchema, def: emails, subDef: emails.SubAttr("value")},
		{in: "manager", urn: URNEnterprise, attr: "manager", schema: EnterpriseSchema, def: manager},
		{in: "department", urn: URNEnterprise, attr: "department", schema: EnterpriseSchema, def: EnterpriseSchema.Attr("department")},
		{in: "manager.$ref", urn: URNEnterprise, attr: "manager", sub: "$ref", schema: EnterpriseSchema, def: manager, subDef: manager.SubAttr("$ref")},
		{in: `manager[value eq "m"]`, urn: URNEnterprise, attr: "manager", filter: fltCmp(fltCore("value", ""), "eq", "m"), schema: EnterpriseSchema, def: manager},
		// Read-only and server-owned attributes parse; PATCH refuses them.
		{in: "id", attr: "id", schema: UserSchema, def: IDAttr},
		{in: "meta", attr: "meta", schema: UserSchema, def: MetaAttr},
		{in: "meta.lastModified", attr: "meta", sub: "lastModified", schema: UserSchema, def: MetaAttr, subDef: MetaAttr.SubAttr("lastModified")},
		{in: "groups", attr: "groups", schema: UserSchema, def: UserSchema.Attr("groups")},
		{in: "password", attr: "password", schema: UserSchema, def: UserSchema.Attr("password")},
		{in: "email", urn: URNAccount, attr: "email", schema: AccountSchema, def: AccountSchema.Attr("email")},
		{in: "urn:birdie:scim:schemas:extension:account:2.0:User:email", urn: URNAccount, attr: "email", schema: AccountSchema, def: AccountSchema.Attr("email")},
		// Well-formed paths to what Birdie does not keep.
		{in: `members[value eq "x"]`, attr: "members", filter: fltCmp(fltCore("value", ""), "eq", "x"), unknown: true},
		{in: `members[value eq 1 and Display pr].Value`, attr: "members", sub: "Value", filter: fltAnd(fltCmp(fltCore("value", ""), "eq", 1.0), fltCmp(fltCore("Display", ""), "pr", nil)), unknown: true},
		{in: "urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User:foo", urn: "urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User", attr: "foo", unknown: true},
		{in: "urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User:foo.bar", urn: "urn:ietf:params:scim:schemas:extension:CustomExt:2.0:User", attr: "foo", sub: "bar", unknown: true},
		{in: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costcentre", urn: URNEnterprise, attr: "costcentre", unknown: true},
		{in: "adreses", attr: "adreses", unknown: true},
		{in: "roles.foo", attr: "roles", sub: "foo", unknown: true},
		{in: "name.nickName", attr: "name", sub: "nickName", unknown: true},
		{in: `emails[type eq "work"].foo`, attr: "emails", sub: "foo", filter: fltWork, unknown: true},
	}
	for _, tc := range cases {
		got, err := ParsePatchPath(tc.in)
		if err != nil {
			t.Errorf("ParsePatchPath(%q): %v", tc.in, err)
			continue
		}
		want := PatchPath{URN: tc.urn, Attr: tc.attr, Sub: tc.sub, Filter: tc.filter, Unknown: tc.unknown, Schema: tc.schema, Attribute: tc.def, SubAttribute: tc.subDef}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ParsePatchPath(%q)\n got  %+v\n want %+v", tc.in, got, want)
		}
	}
}

func TestParsePatchPathErrors(t *testing.T) {
	cases := []struct {
		in, scimType, detail string
	}{
		{"", ErrInvalidPath, "the path is empty"},
		{"   ", ErrInvalidPath, "the path is empty"},
		{"name..givenName", ErrInvalidPath, `invalid path: "name..givenName" at position 1 is not a valid attribute path: a name is missing around a '.'`},
		{"name.", ErrInvalidPath, "a name is missing"},
		{"name.givenName.x", ErrInvalidPath, "at most one sub-attribute"},
		{".name", ErrInvalidPath, "not a valid attribute path"},
		{"userName.foo", ErrInvalidPath, "userName is not a complex attribute"},
		{`userName[value eq "x"]`, ErrInvalidPath, `"userName" is a single-valued attribute, so it cannot take a filter in brackets at position 9`},
		{`active[value eq "x"]`, ErrInvalidPath, "single-valued"},
		{`emails.value[type eq "x"]`, ErrInvalidPath, "must follow an attribute name"},
		{`emails[type eq "work"`, ErrInvalidPath, `expected "]" to close the "[" at position 7, found end of path`},
		{`emails[type eq "work")`, ErrInvalidPath, `expected "]"`},
		{`emails[type eq "work"]]`, ErrInvalidPath, `unbalanced ']' at position 23`},
		{`emails]`, ErrInvalidPath, `unbalanced ']'`},
		{`emails[type eq "work"].value.x`, ErrInvalidPath, "at most one sub-attribute"},
		{`emails[type eq "work"].`, ErrInvalidPath, `expected a sub-attribute name after "]." at position 24`},
		{`emails[type eq "work"]x`, ErrInvalidPath, `unexpected "x" at position 23`},
		{`emails x`, ErrInvalidPath, `unexpected "x" at position 8 after the attribute path`},
		{`emails[type eq "work"] extra`, ErrInvalidPath, "unexpected"},
		{`"emails"`, ErrInvalidPath, `expected an attribute name at position 1, found "\"emails\""`},
		{`[type eq "work"]`, ErrInvalidPath, "expected an attribute name"},
		{`1abc`, ErrInvalidPath, "not an attribute name"},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", ErrInvalidPath, "names a schema, not an attribute"},
		{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:", ErrInvalidPath, "attribute name after the schema URN is missing"},
		{"urn:x:", ErrInvalidPath, "missing"},
		{"emails\x00", ErrInvalidPath, `unexpected "\x00"`},
		{"emails\xff", ErrInvalidPath, "not valid UTF-8"},
		{strings.Repeat("a", MaxFilterLength+1), ErrInvalidPath, "the limit is 4096 bytes"},
		// A broken filter inside the brackets is invalidFilter.
		{`emails[type equals "work"]`, ErrInvalidFilter, `invalid filter: expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after "type" at position 13, found "equals"`},
		{`emails[]`, ErrInvalidFilter, `found "]"`},
		{`emails[foo eq "x"]`, ErrInvalidFilter, `unknown sub-attribute "foo" of "emails"`},
		{`emails[type eq "work`, ErrInvalidFilter, "unterminated string"},
		{`emails[type[x eq "y"] eq "z"]`, ErrInvalidFilter, "nested brackets"},
		{`members[value eq "x"`, ErrInvalidPath, `expected "]"`},
		{`members[value equals "x"]`, ErrInvalidFilter, "expected a comparison operator"},
		{`members[value[x eq "y"] eq "z"]`, ErrInvalidFilter, "nested brackets"},
		{`emails[` + strings.Repeat("(", MaxFilterDepth) + `type pr` + strings.Repeat(")", MaxFilterDepth) + `]`, ErrInvalidFilter, "nests deeper than 32 levels"},
	}
	for _, tc := range cases {
		got, err := ParsePatchPath(tc.in)
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("ParsePatchPath(%.60q) = %+v, %v; want a *Error", tc.in, got, err)
			continue
		}
		if se.Status != http.StatusBadRequest || se.ScimType != tc.scimType || !strings.Contains(se.Detail, tc.detail) {
			t.Errorf("ParsePatchPath(%.60q) = %d %s %q\nwant 400 %s containing %q", tc.in, se.Status, se.ScimType, se.Detail, tc.scimType, tc.detail)
		}
		if !reflect.DeepEqual(got, PatchPath{}) {
			t.Errorf("ParsePatchPath(%.60q) returned %+v with its error", tc.in, got)
		}
	}
}
