package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"birdie"
)

// ignoredOnWrite are top-level members a client may send that Birdie never
// takes from a request body: server-owned attributes (RFC 7643 §3.1), the
// read-only groups, and password, which is accepted and discarded because
// Birdie signs people in through SSO.
var ignoredOnWrite = []string{"schemas", "id", "meta", "groups", "password"}

// DecodeJSON decodes a request body that must be one JSON object. Syntax
// errors become 400 invalidSyntax with the byte offset, so an IdP admin can
// find the mistake in their template.
//
// It also refuses what encoding/json would accept but alter or resolve by
// chance: invalid UTF-8, lone surrogate escapes, and a member named twice
// in different case (see checkJSONText, checkDuplicateMembers).
func DecodeJSON(body []byte) (map[string]any, error) {
	if err := checkJSONText(body); err != nil {
		return nil, err
	}
	// The fast decoder takes every valid object (with encoding/json's
	// result); encoding/json runs only to explain what is wrong.
	if obj, err := DecodeDocument(body); err == nil {
		if err := checkDuplicateMembers(obj, ""); err != nil {
			return nil, err
		}
		return obj, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var raw any
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, BadRequest(ErrInvalidSyntax, "the request body is empty; send a JSON object")
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, BadRequest(ErrInvalidSyntax, "the request body is not valid JSON: %v (at byte %d)", err, se.Offset)
		}
		return nil, BadRequest(ErrInvalidSyntax, "the request body is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, BadRequest(ErrInvalidSyntax, "the request body has data after its JSON object; send exactly one object")
	}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, BadRequest(ErrInvalidSyntax, "the request body must be a JSON object, got %s", jsonKind(raw))
	}
	if err := checkDuplicateMembers(obj, ""); err != nil {
		return nil, err
	}
	return obj, nil
}

// DecodeUser turns a POST or PUT body into a canonical attribute document.
// Unknown attributes and extensions are dropped; server-owned members and
// password are ignored; values are checked against the schema.
func DecodeUser(body []byte) (map[string]any, error) {
	raw, err := DecodeJSON(body)
	if err != nil {
		return nil, err
	}
	doc := make(map[string]any, len(raw))
	for k, v := range raw {
		if err := SetMember(doc, k, v); err != nil {
			return nil, err
		}
	}
	return doc, nil
}

// SetMember sets one member of a resource object, as found at the top level
// of a POST/PUT body or as a key of a path-less PATCH value, into the
// canonical document doc. The key may be an attribute name, a schema URN
// whose value is an object of that schema's attributes, or an attribute
// name qualified by its schema URN. A nil value removes the attribute.
// Keys Birdie does not keep are ignored.
func SetMember(doc map[string]any, key string, v any) error {
	for _, ig := range ignoredOnWrite {
		if strings.EqualFold(key, ig) {
			return nil
		}
	}
	if s := SchemaByURN(key); s != nil {
		if v == nil {
			if s == EnterpriseSchema {
				delete(doc, URNEnterprise)
			}
			return nil
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return BadRequest(ErrInvalidValue, "extension %q must be an object of its attributes, got %s", key, jsonKind(v))
		}
		for k, sv := range obj {
			if s == UserSchema {
				if err := SetMember(doc, k, sv); err != nil {
					return err
				}
				continue
			}
			if a := s.Attr(k); a != nil {
				if err := setAttr(doc, s, a, sv); err != nil {
					return err
				}
			}
		}
		return nil
	}
	s, a := lookupQualified(key)
	if a == nil {
		return nil // unknown attribute or extension: ignored, not stored
	}
	return setAttr(doc, s, a, v)
}

// lookupQualified resolves a top-level member name: a core attribute (or
// externalId), or "<schema URN>:<attribute>". It returns nil for names
// Birdie does not keep.
func lookupQualified(key string) (*Schema, *Attribute) {
	if strings.EqualFold(key, ExternalIDAttr.Name) {
		return UserSchema, ExternalIDAttr
	}
	if a := UserSchema.Attr(key); a != nil {
		return UserSchema, a
	}
	for _, s := range Schemas {
		if len(key) > len(s.ID)+1 && strings.EqualFold(key[:len(s.ID)], s.ID) && key[len(s.ID)] == ':' {
			name := key[len(s.ID)+1:]
			if s == UserSchema {
				return lookupQualified(name)
			}
			if a := s.Attr(name); a != nil {
				return s, a
			}
		}
	}
	return nil, nil
}

// setAttr normalises v for attribute a of schema s and stores it in doc.
// Read-only attributes (groups, the account email) are skipped.
func setAttr(doc map[string]any, s *Schema, a *Attribute, v any) error {
	if a.Mutability == "readOnly" || s == AccountSchema {
		return nil
	}
	if a.Mutability == "writeOnly" { // password: accepted and discarded
		return nil
	}
	nv, err := NormalizeValue(a, v, a.Name)
	if err != nil {
		return err
	}
	target := doc
	if s == EnterpriseSchema {
		ext, _ := doc[URNEnterprise].(map[string]any)
		if ext == nil {
			if nv == nil {
				return nil
			}
			ext = map[string]any{}
			doc[URNEnterprise] = ext
		}
		target = ext
	}
	if nv == nil {
		delete(target, a.Name)
	} else {
		target[a.Name] = nv
	}
	if s == EnterpriseSchema && len(target) == 0 {
		delete(doc, URNEnterprise)
	}
	return nil
}

// MaxIndexedBytes bounds the values Birdie indexes (userName, externalId,
// displayName, every emails value): at most 1024 bytes of UTF-8 each, far
// above any real identifier (an email address is at most 254) and well
// within what a database index entry may hold, so a pathological value is
// a clear 400 rather than a storage failure.
const MaxIndexedBytes = 1024

// Derive sets the fields of u that stores index (UserName, ExternalID,
// DisplayName, Active, Email, EmailValues) from u.Attributes, and checks
// what every user must have: a non-empty userName and an account email.
// An absent active is set to true (RFC 7643 leaves the default to the
// service provider; every IdP expects a new user to be active).
func Derive(u *birdie.User) error {
	a := u.Attributes
	name, _ := a["userName"].(string)
	if strings.TrimSpace(name) == "" {
		return BadRequest(ErrInvalidValue, "userName is required and must not be empty")
	}
	u.UserName = name
	u.ExternalID, _ = a["externalId"].(string)
	u.DisplayName, _ = a["displayName"].(string)
	active, ok := a["active"].(bool)
	if !ok {
		active = true
		a["active"] = true
	}
	u.Active = active
	emails, _ := a["emails"].([]any)
	list := make([]birdie.Email, 0, len(emails))
	u.EmailValues = u.EmailValues[:0]
	for _, e := range emails {
		m, _ := e.(map[string]any)
		v, _ := m["value"].(string)
		t, _ := m["type"].(string)
		p, _ := m["primary"].(bool)
		list = append(list, birdie.Email{Value: v, Type: t, Primary: p})
		if v != "" {
			u.EmailValues = append(u.EmailValues, v)
		}
	}
	email, err := birdie.AccountEmail(name, list)
	if err != nil {
		return BadRequest(ErrInvalidValue, "%s", birdie.ErrorMessage(err))
	}
	u.Email = email
	for _, f := range []struct{ name, v string }{{"userName", u.UserName}, {"externalId", u.ExternalID}, {"displayName", u.DisplayName}} {
		if err := checkIndexed(f.name, f.v); err != nil {
			return err
		}
	}
	for _, v := range u.EmailValues {
		if err := checkIndexed("an emails value", v); err != nil {
			return err
		}
	}
	return nil
}

// checkIndexed checks a value Birdie indexes: bounded in size, and without
// NUL characters, which identifiers never hold and PostgreSQL cannot store.
func checkIndexed(name, v string) error {
	if len(v) > MaxIndexedBytes {
		return BadRequest(ErrInvalidValue, "%s is %d bytes long; Birdie accepts at most %d bytes", name, len(v), MaxIndexedBytes)
	}
	if strings.IndexByte(v, 0) >= 0 {
		return BadRequest(ErrInvalidValue, "%s contains a NUL character (\\u0000), which an identifier cannot hold", name)
	}
	return nil
}

// TimeFormat is how Birdie writes meta.created and meta.lastModified
// (RFC 3339 in UTC, millisecond precision).
const TimeFormat = "2006-01-02T15:04:05.000Z07:00"

// Render returns the user as a full SCIM User resource. baseURL is the
// absolute URL of the SCIM root (e.g. https://host/scim/v2), used for
// meta.location.
func Render(u *birdie.User, baseURL string) map[string]any {
	res := make(map[string]any, len(u.Attributes)+4)
	for k, v := range u.Attributes {
		res[k] = v
	}
	schemas := []string{URNUser}
	if _, ok := u.Attributes[URNEnterprise]; ok {
		schemas = append(schemas, URNEnterprise)
	}
	schemas = append(schemas, URNAccount)
	res["schemas"] = schemas
	res["id"] = u.ID
	res["active"] = u.Active
	res[URNAccount] = map[string]any{"email": u.Email}
	res["meta"] = map[string]any{
		"resourceType": "User",
		"created":      u.Created.UTC().Format(TimeFormat),
		"lastModified": u.LastModified.UTC().Format(TimeFormat),
		"location":     Location(baseURL, u.ID),
		"version":      u.ETag(),
	}
	return res
}

// Location is the absolute URL of a user resource.
func Location(baseURL, id string) string {
	return fmt.Sprintf("%s/Users/%s", strings.TrimRight(baseURL, "/"), id)
}

// ParseTime parses a time written by TimeFormat or any RFC 3339 form.
func ParseTime(s string) (time.Time, error) { return time.Parse(time.RFC3339Nano, s) }
