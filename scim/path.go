package scim

import (
	"fmt"
	"strings"

	"birdie"
)

// PatchPath is a parsed PATCH "path" (RFC 7644 §3.5.2).
type PatchPath struct {
	URN     string        // "" core/common, URNEnterprise, URNAccount (as written when Unknown)
	Attr    string        // canonical attribute name (as written when Unknown)
	Filter  birdie.Filter // valuePath filter (relative sub-attribute paths) or nil
	Sub     string        // canonical sub-attribute (as written when Unknown), or ""
	Unknown bool          // well-formed path to an attribute Birdie does not keep: PATCH ignores it

	// Resolved definitions; all nil when Unknown. Schema is UserSchema for
	// core and common attributes.
	Schema       *Schema
	Attribute    *Attribute
	SubAttribute *Attribute
}

// ParsePatchPath parses a PATCH path: attrPath, or valuePath optionally
// followed by ".sub", with or without a schema URN prefix; names in any
// case. An enterprise attribute may be named without its URN (Entra's bare
// "manager"). A well-formed path naming something Birdie does not keep (an
// unknown extension, attribute or sub-attribute) is not an error: it comes
// back with Unknown set so that PATCH can ignore it, as IdPs expect (they
// send paths for attributes they map by default). Malformed paths are a
// 400 invalidPath; a malformed filter inside the brackets is a 400
// invalidFilter. Paths naming read-only attributes (id, meta, the account
// email) parse fine: refusing them is PATCH's job (400 mutability).
//
// The filter inside brackets of an Unknown path is checked for syntax only;
// its attribute names are kept as written.
func ParsePatchPath(s string) (PatchPath, error) {
	p := parser{lexer: lexer{s: s, kind: ErrInvalidPath}}
	if err := p.checkInput(); err != nil {
		return PatchPath{}, err
	}
	p.skipSpace()
	if p.eof() {
		return PatchPath{}, BadRequest(ErrInvalidPath, "invalid path: the path is empty; name an attribute such as active or emails[type eq \"work\"].value, or leave path out")
	}
	start := p.pos
	name := p.name()
	if name == "" {
		return PatchPath{}, p.errorf(start, "expected an attribute name %s, found %s", p.at(start), p.found(start))
	}
	rp := resolvePath(name)
	if rp.bad != "" {
		return PatchPath{}, p.errorf(start, "%q %s is not a valid attribute path: %s", name, p.at(start), rp.bad)
	}
	var pp PatchPath
	switch {
	case rp.attr == nil:
		pp = PatchPath{URN: rp.urn, Attr: rp.attrName, Sub: rp.subName, Unknown: true}
	case rp.subName != "" && rp.attr.Type != TypeComplex:
		return PatchPath{}, p.errorf(start, "%q %s: %s is not a complex attribute, so it has no sub-attributes", name, p.at(start), rp.attr.Name)
	case rp.subName != "" && rp.sub == nil:
		pp = PatchPath{URN: rp.urn, Attr: rp.attr.Name, Sub: rp.subName, Unknown: true}
	default:
		pp = PatchPath{URN: rp.urn, Attr: rp.attr.Name, Schema: rp.schema, Attribute: rp.attr, SubAttribute: rp.sub}
		if rp.sub != nil {
			pp.Sub = rp.sub.Name
		}
	}
	if p.peek() == '[' {
		if err := p.pathFilter(&pp, name, rp.subName != ""); err != nil {
			return PatchPath{}, err
		}
	}
	p.skipSpace()
	if !p.eof() {
		switch p.peek() {
		case ']':
			return PatchPath{}, p.errorf(p.pos, "unbalanced ']' %s: it closes no '['", p.at(p.pos))
		case '.':
			return PatchPath{}, p.errorf(p.pos, "unexpected %s %s: a path has at most one sub-attribute", p.found(p.pos), p.at(p.pos))
		}
		return PatchPath{}, p.errorf(p.pos, "unexpected %s %s after the attribute path; a path is attr, attr.sub, attr[filter] or attr[filter].sub", p.found(p.pos), p.at(p.pos))
	}
	return pp, nil
}

// pathFilter parses "[filter]" and an optional ".sub" after the attribute
// of pp, at p.pos.
func (p *parser) pathFilter(pp *PatchPath, name string, hasSub bool) *Error {
	open := p.pos
	if hasSub {
		return p.errorf(open, "brackets %s must follow an attribute name, not a sub-attribute; write e.g. emails[type eq \"work\"].value", p.at(open))
	}
	if !pp.Unknown && pp.Attribute.Type != TypeComplex {
		return p.errorf(open, "%q is a single-valued attribute, so it cannot take a filter in brackets %s", name, p.at(open))
	}
	p.pos++
	p.depth = 1
	p.kind, p.raw = ErrInvalidFilter, pp.Unknown
	f, err := p.or(pp.Attribute)
	if err != nil {
		return err
	}
	p.kind, p.raw = ErrInvalidPath, false
	p.skipSpace()
	if p.peek() != ']' {
		return p.errorf(p.pos, "expected \"]\" to close the \"[\" %s, found %s %s", p.at(open), p.found(p.pos), p.at(p.pos))
	}
	p.pos++
	pp.Filter = f
	if p.peek() != '.' {
		return nil
	}
	p.pos++
	subStart := p.pos
	sub := p.name()
	if before, _, ok := strings.Cut(sub, "."); ok && validName(before) {
		return p.errorf(subStart, "%q %s: a path has at most one sub-attribute", sub, p.at(subStart))
	}
	if !validName(sub) {
		return p.errorf(subStart, "expected a sub-attribute name after \"].\" %s, found %s", p.at(subStart), p.found(subStart))
	}
	if pp.Unknown {
		pp.Sub = sub
		return nil
	}
	sa := findAttr(pp.Attribute.Sub, sub)
	if sa == nil {
		pp.Sub, pp.Unknown = sub, true
		pp.Schema, pp.Attribute = nil, nil
		return nil
	}
	pp.Sub, pp.SubAttribute = sa.Name, sa
	return nil
}

// commonAttrs are the attributes every resource has (RFC 7643 §3.1),
// addressed without a URN or with the core schema's.
var commonAttrs = []*Attribute{IDAttr, ExternalIDAttr, MetaAttr}

// resolvedPath is an attribute path "[urn:]attr[.sub]" looked up in the
// schemas.
type resolvedPath struct {
	urn               string  // canonical ("" for core and common), or as written for an unknown schema
	schema            *Schema // nil when the URN names no schema Birdie knows
	attr, sub         *Attribute
	attrName, subName string // as written
	bad               string // why the path is malformed; "" if well-formed
}

// resolvePath splits and looks up an attribute path. The schema URN prefix
// is matched against the known schema ids before splitting on '.', since
// URNs contain "2.0". Names without a URN are looked up in the core schema,
// then the common attributes, then the extensions, so that "manager" and
// "email" find their extension.
func resolvePath(s string) resolvedPath {
	var r resolvedPath
	rest := s
	if len(s) >= 4 && strings.EqualFold(s[:4], "urn:") {
		for _, sc := range Schemas {
			if n := len(sc.ID); len(s) > n && s[n] == ':' && strings.EqualFold(s[:n], sc.ID) {
				r.schema, rest = sc, s[n+1:]
				break
			}
		}
		switch {
		case r.schema == UserSchema:
		case r.schema != nil:
			r.urn = r.schema.ID
		case SchemaByURN(s) != nil:
			r.bad = "it names a schema, not an attribute; add \":\" and an attribute name"
			return r
		default: // unknown extension: its attribute follows the last ':'
			i := strings.LastIndexByte(s, ':')
			r.urn, rest = s[:i], s[i+1:]
		}
	}
	attr, sub, dotted := strings.Cut(rest, ".")
	switch {
	case rest == "":
		r.bad = "the attribute name after the schema URN is missing"
	case !validName(attr):
		r.bad = fmt.Sprintf("%q is not an attribute name", attr)
	case dotted && (sub == "" || strings.HasPrefix(sub, ".") || strings.HasSuffix(sub, ".") || strings.Contains(sub, "..")):
		r.bad = "a name is missing around a '.'"
	case dotted && strings.Contains(sub, "."):
		r.bad = "a path has at most one sub-attribute (attr.sub)"
	case dotted && !validName(sub):
		r.bad = fmt.Sprintf("%q is not a sub-attribute name", sub)
	}
	if r.bad != "" {
		return r
	}
	r.attrName, r.subName = attr, sub
	switch r.schema {
	case nil:
		if r.urn != "" {
			return r // unknown extension
		}
		if r.attr = findAttr(UserSchema.Attributes, attr); r.attr == nil {
			r.attr = findAttr(commonAttrs, attr)
		}
		r.schema = UserSchema
		for _, ext := range []*Schema{EnterpriseSchema, AccountSchema} {
			if r.attr != nil {
				break
			}
			if r.attr = findAttr(ext.Attributes, attr); r.attr != nil {
				r.schema, r.urn = ext, ext.ID
			}
		}
	case UserSchema:
		if r.attr = findAttr(UserSchema.Attributes, attr); r.attr == nil {
			r.attr = findAttr(commonAttrs, attr)
		}
	default:
		r.attr = findAttr(r.schema.Attributes, attr)
	}
	if r.attr != nil && dotted {
		r.sub = findAttr(r.attr.Sub, sub)
	}
	return r
}

// findAttr finds an attribute by name, case-insensitively. Names are ASCII
// (validName), so a length check first skips most candidates cheaply.
func findAttr(list []*Attribute, name string) *Attribute {
	for _, a := range list {
		if len(a.Name) == len(name) && strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// validName reports whether s is an ATTRNAME (RFC 7644 §3.10: a letter,
// then letters, digits, '-' or '_'), or "$ref".
func validName(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '$' {
		return strings.EqualFold(s, "$ref")
	}
	if c := s[0] | 0x20; c < 'a' || c > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c|0x20 && c|0x20 <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
