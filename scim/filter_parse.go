package scim

import (
	"strings"
	"time"

	"birdie"
)

// Limits on filters (and PATCH paths). Filters arrive on every list
// request, straight from the network: the limits bound parsing time and
// recursion whatever the input.
const (
	MaxFilterLength = 4096 // bytes
	MaxFilterDepth  = 32   // nested parentheses, not(...) and [...]
)

// ParseFilter parses a SCIM filter (RFC 7644 §3.4.2.2) into a birdie.Filter
// whose attribute paths are resolved to canonical names: URN "" for core
// and common attributes, URNEnterprise or URNAccount for extension ones.
//
// Beyond the RFC it accepts what real IdPs send: keywords, operators and
// attribute names in any case (Ping's `username Eq "x"`), bare unquoted
// values (`userName eq jdoe`), "true"/"false" strings for booleans, and
// Microsoft's `emails[type eq "work"].value eq "x"`, read as
// emails[type eq "work" and value eq "x"]. Comparing a complex attribute
// that has a value sub-attribute (manager, emails) compares its value.
//
// Every error is a *Error 400 invalidFilter whose detail names the position
// and what was expected, since an IdP admin has to fix the filter by hand.
func ParseFilter(s string) (birdie.Filter, error) {
	p := parser{lexer: lexer{s: s, kind: ErrInvalidFilter}}
	if err := p.checkInput(); err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.eof() {
		return nil, BadRequest(ErrInvalidFilter, "invalid filter: the filter is empty; send e.g. userName eq \"jdoe@example.com\", or no filter parameter at all")
	}
	f, err := p.or(nil)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		return nil, p.unexpected()
	}
	return f, nil
}

// parser is a recursive-descent parser over a lexer. Recursion happens only
// on '(', not and '[', each of which counts towards MaxFilterDepth.
type parser struct {
	lexer
	depth int
	raw   bool // inside the brackets of an unknown PATCH attribute: syntax only, names kept as written
}

// unexpected reports trailing input after a complete expression.
func (p *parser) unexpected() *Error {
	switch p.peek() {
	case ')':
		return p.errorf(p.pos, "unbalanced ')' %s: it closes no '('", p.at(p.pos))
	case ']':
		return p.errorf(p.pos, "unbalanced ']' %s: it closes no '['", p.at(p.pos))
	}
	return p.errorf(p.pos, "expected \"and\", \"or\" or the end of the %s %s, found %s", p.what(), p.at(p.pos), p.found(p.pos))
}

// or parses `and-expr *("or" and-expr)`. scope is the multi-valued
// attribute whose brackets we are in (sub-attribute names are relative to
// it), or nil at the top level.
func (p *parser) or(scope *Attribute) (birdie.Filter, *Error) {
	left, err := p.and(scope)
	if err != nil {
		return nil, err
	}
	for {
		save := p.pos
		p.skipSpace()
		if !p.keyword("or") {
			p.pos = save
			return left, nil
		}
		right, err := p.and(scope)
		if err != nil {
			return nil, err
		}
		left = birdie.Or{Left: left, Right: right}
	}
}

// and parses `unary *("and" unary)`: and binds tighter than or.
func (p *parser) and(scope *Attribute) (birdie.Filter, *Error) {
	left, err := p.unary(scope)
	if err != nil {
		return nil, err
	}
	for {
		save := p.pos
		p.skipSpace()
		if !p.keyword("and") {
			p.pos = save
			return left, nil
		}
		right, err := p.unary(scope)
		if err != nil {
			return nil, err
		}
		left = birdie.And{Left: left, Right: right}
	}
}

// unary parses `"(" filter ")"`, `not "(" filter ")"` or an attribute
// expression.
func (p *parser) unary(scope *Attribute) (birdie.Filter, *Error) {
	p.skipSpace()
	start := p.pos
	if p.peek() == '(' {
		return p.group(scope, start)
	}
	name := p.name()
	if name == "" || strings.EqualFold(name, "and") || strings.EqualFold(name, "or") {
		return nil, p.errorf(start, "expected an attribute name, \"not\" or \"(\" %s, found %s", p.at(start), p.found(start))
	}
	if strings.EqualFold(name, "not") {
		p.skipSpace()
		if p.peek() != '(' {
			return nil, p.errorf(p.pos, "expected \"(\" after \"not\" %s (not takes a filter in parentheses, e.g. not (title pr)), found %s", p.at(p.pos), p.found(p.pos))
		}
		f, err := p.group(scope, p.pos)
		if err != nil {
			return nil, err
		}
		return birdie.Not{X: f}, nil
	}
	return p.attrExp(scope, name, start)
}

// group parses a parenthesised filter starting at the '(' at p.pos.
func (p *parser) group(scope *Attribute, open int) (birdie.Filter, *Error) {
	if err := p.enter(open); err != nil {
		return nil, err
	}
	p.pos++
	f, err := p.or(scope)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.peek() != ')' {
		return nil, p.errorf(p.pos, "expected \")\" to close the \"(\" %s, found %s %s", p.at(open), p.found(p.pos), p.at(p.pos))
	}
	p.pos++
	p.depth--
	return f, nil
}

// enter counts one level of nesting, refusing to go past MaxFilterDepth.
func (p *parser) enter(pos int) *Error {
	p.depth++
	if p.depth > MaxFilterDepth {
		return p.errorf(pos, "it nests deeper than %d levels of parentheses, not and brackets %s", MaxFilterDepth, p.at(pos))
	}
	return nil
}

// attrExp parses what follows an attribute path: `op value`, `pr`, or
// (at the top level) `[filter]`, optionally followed by Microsoft's
// `.sub op value`.
func (p *parser) attrExp(scope *Attribute, name string, start int) (birdie.Filter, *Error) {
	r, err := p.resolve(scope, name, start)
	if err != nil {
		return nil, err
	}
	if p.peek() != '[' {
		return p.comparison(r, name)
	}
	open := p.pos
	if scope != nil || p.raw {
		return nil, p.errorf(open, "nested brackets %s are not allowed: a filter in brackets compares sub-attributes of one attribute", p.at(open))
	}
	if r.sub != "" {
		return nil, p.errorf(open, "brackets %s must follow an attribute name, not the sub-attribute %q; write e.g. emails[type eq \"work\"].value", p.at(open), name)
	}
	if r.def.Type != TypeComplex {
		return nil, p.errorf(open, "%q is not a complex attribute, so it cannot take a filter in brackets %s", name, p.at(open))
	}
	inner, err := p.bracket(r.def)
	if err != nil {
		return nil, err
	}
	vp := birdie.ValuePath{Path: r.path, Filter: inner}
	if p.peek() != '.' {
		return vp, nil
	}
	// emails[type eq "work"].value eq "x" (Entra): the comparison applies to
	// the same element as the bracket filter.
	p.pos++
	subStart := p.pos
	sub := p.name()
	if sub == "" {
		return nil, p.errorf(subStart, "expected a sub-attribute name after \"].\" %s, found %s", p.at(subStart), p.found(subStart))
	}
	sr, err := p.resolve(r.def, sub, subStart)
	if err != nil {
		return nil, err
	}
	cmp, err := p.comparison(sr, name+"[…]."+sub)
	if err != nil {
		return nil, err
	}
	vp.Filter = birdie.And{Left: inner, Right: cmp}
	return vp, nil
}

// bracket parses `[filter]` at p.pos, relative to the attribute def (nil
// in raw mode).
func (p *parser) bracket(def *Attribute) (birdie.Filter, *Error) {
	open := p.pos
	if err := p.enter(open); err != nil {
		return nil, err
	}
	p.pos++
	inner, err := p.or(def)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.peek() != ']' {
		return nil, p.errorf(p.pos, "expected \"]\" to close the \"[\" %s, found %s %s", p.at(open), p.found(p.pos), p.at(p.pos))
	}
	p.pos++
	p.depth--
	return inner, nil
}

// ref is a resolved attribute path in a filter.
type ref struct {
	path birdie.AttrPath
	def  *Attribute // the attribute compared: the sub-attribute if any; nil in raw mode
	sub  string     // sub-attribute as written, "" if none
}

// resolve turns an attribute path as written into canonical names.
func (p *parser) resolve(scope *Attribute, name string, pos int) (ref, *Error) {
	if p.raw {
		return ref{path: birdie.AttrPath{Attr: name}}, nil
	}
	if scope != nil {
		sa := findAttr(scope.Sub, name)
		if sa == nil {
			return ref{}, p.errorf(pos, "unknown sub-attribute %q of %q %s (it has %s)", name, scope.Name, p.at(pos), subNames(scope))
		}
		return ref{path: birdie.AttrPath{Attr: sa.Name}, def: sa}, nil
	}
	rp := resolvePath(name)
	switch {
	case rp.bad != "":
		return ref{}, p.errorf(pos, "%q %s is not a valid attribute path: %s", name, p.at(pos), rp.bad)
	case rp.attr == nil && rp.urn != "" && rp.schema == nil:
		return ref{}, p.errorf(pos, "unknown schema %q in %q %s (Birdie knows %s, %s and %s)", rp.urn, name, p.at(pos), URNUser, URNEnterprise, URNAccount)
	case rp.attr == nil:
		return ref{}, p.errorf(pos, "unknown attribute %q %s", name, p.at(pos))
	case rp.subName != "" && rp.sub == nil:
		if rp.attr.Type != TypeComplex {
			return ref{}, p.errorf(pos, "%q %s: %s has no sub-attributes", name, p.at(pos), rp.attr.Name)
		}
		return ref{}, p.errorf(pos, "unknown sub-attribute %q of %q %s (it has %s)", rp.subName, rp.attr.Name, p.at(pos), subNames(rp.attr))
	case rp.attr.Mutability == "writeOnly":
		return ref{}, p.errorf(pos, "%q %s cannot be filtered on: it is never stored", name, p.at(pos))
	case rp.attr == MetaAttr && rp.sub != nil && rp.sub.Name == "location":
		return ref{}, p.errorf(pos, "%q %s cannot be filtered on; filter on id instead", name, p.at(pos))
	}
	r := ref{path: birdie.AttrPath{URN: rp.urn, Attr: rp.attr.Name}, def: rp.attr, sub: rp.subName}
	if rp.sub != nil {
		r.path.Sub = rp.sub.Name
		r.def = rp.sub
	}
	return r, nil
}

// comparison parses `op value` or `pr` after the attribute path r (written
// as name).
func (p *parser) comparison(r ref, name string) (birdie.Filter, *Error) {
	p.skipSpace()
	opPos := p.pos
	op := canonicalOp(p.name())
	if op == "" {
		return nil, p.errorf(opPos, "expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after %q %s, found %s", name, p.at(opPos), p.found(opPos))
	}
	if op == birdie.OpPresent {
		return birdie.Compare{Path: r.path, Op: op}, nil
	}
	if r.def != nil && r.def.Type == TypeComplex {
		// manager eq "x", emails eq "a@b.c": RFC 7644 §3.4.2.2 lets a
		// complex attribute stand for its value sub-attribute.
		v := findAttr(r.def.Sub, "value")
		if v == nil {
			return nil, p.errorf(opPos, `%q is a complex attribute; compare one of its sub-attributes (%s), e.g. %s.%s %s "…"`, name, subNames(r.def), r.def.Name, r.def.Sub[0].Name, op)
		}
		r.path.Sub, r.def = v.Name, v
	}
	p.skipSpace()
	t, err := p.value(op)
	if err != nil {
		return nil, err
	}
	v, err := p.coerce(r, name, op, opPos, t)
	if err != nil {
		return nil, err
	}
	return birdie.Compare{Path: r.path, Op: op, Value: v}, nil
}

// canonicalOp returns the canonical (lower-case) operator for w, in any
// case, or "" if w is none.
func canonicalOp(w string) string {
	if len(w) != 2 {
		return ""
	}
	switch w[0] | 0x20 {
	case 'e':
		switch w[1] | 0x20 {
		case 'q':
			return birdie.OpEq
		case 'w':
			return birdie.OpEw
		}
	case 'n':
		if w[1]|0x20 == 'e' {
			return birdie.OpNe
		}
	case 'c':
		if w[1]|0x20 == 'o' {
			return birdie.OpCo
		}
	case 's':
		if w[1]|0x20 == 'w' {
			return birdie.OpSw
		}
	case 'g':
		switch w[1] | 0x20 {
		case 't':
			return birdie.OpGt
		case 'e':
			return birdie.OpGe
		}
	case 'l':
		switch w[1] | 0x20 {
		case 't':
			return birdie.OpLt
		case 'e':
			return birdie.OpLe
		}
	case 'p':
		if w[1]|0x20 == 'r' {
			return birdie.OpPresent
		}
	}
	return ""
}

// coerce checks the value t against the attribute's type and converts it:
// booleans to bool (from true/false in any case, quoted or not), dateTimes
// checked as RFC 3339, and anything else to its text, so that an unquoted
// employeeNumber eq 00123 compares as the string "00123". null is kept
// (nil) and only works with eq and ne.
func (p *parser) coerce(r ref, name, op string, opPos int, t token) (any, *Error) {
	if r.def == nil { // raw mode: the literal as written
		switch t.kind {
		case valTrue:
			return true, nil
		case valFalse:
			return false, nil
		case valNull:
			return nil, nil
		case valNumber:
			return parseNumber(t.text), nil
		}
		return t.text, nil
	}
	if t.kind == valNull {
		if op != birdie.OpEq && op != birdie.OpNe {
			return nil, p.errorf(t.pos, "null %s can only be compared with eq or ne, not %s", p.at(t.pos), op)
		}
		return nil, nil
	}
	switch r.def.Type {
	case TypeBoolean:
		if op != birdie.OpEq && op != birdie.OpNe {
			return nil, p.errorf(opPos, "%q is a boolean attribute; operator %q %s cannot be used on it (use eq or ne)", name, op, p.at(opPos))
		}
		if t.kind != valNumber {
			switch {
			case strings.EqualFold(t.text, "true"):
				return true, nil
			case strings.EqualFold(t.text, "false"):
				return false, nil
			}
		}
		return nil, p.errorf(t.pos, "%q is a boolean attribute; expected true or false %s, found %s", name, p.at(t.pos), p.found(t.pos))
	case TypeDateTime:
		if op == birdie.OpCo || op == birdie.OpSw || op == birdie.OpEw {
			return nil, p.errorf(opPos, "%q is a dateTime attribute; operator %q %s cannot be used on it (use eq, ne, gt, ge, lt or le)", name, op, p.at(opPos))
		}
		if _, err := time.Parse(time.RFC3339Nano, t.text); err != nil || t.kind != valString && t.kind != valBare {
			return nil, p.errorf(t.pos, "%q is a dateTime attribute; %q %s is not an RFC 3339 date-time such as 2015-10-10T14:38:21Z or 2015-10-10T14:38:21.8617979-07:00", name, t.text, p.at(t.pos))
		}
	}
	return t.text, nil
}

// subNames lists the sub-attributes of a for error details.
func subNames(a *Attribute) string {
	names := make([]string, len(a.Sub))
	for i, s := range a.Sub {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}
