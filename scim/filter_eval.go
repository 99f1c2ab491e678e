package scim

import (
	"cmp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"birdie"
)

// Match reports whether the user satisfies f; a nil filter matches every
// user. Stores that cannot translate a filter into a query use it, so it
// is the reference semantics of filtering:
//
//   - the user is seen as its SCIM resource: id, externalId, userName,
//     displayName and active come from the User's fields (the ones stores
//     index, so Match and an index agree), meta.* from its times and
//     version, the account email from Email, everything else from
//     Attributes in the canonical form of doc.go;
//   - strings compare case-insensitively unless the attribute is caseExact
//     (id, externalId, manager.value, references);
//   - on a multi-valued attribute a comparison matches if any element does;
//   - pr means present and not empty; ne is "not eq", so an absent
//     attribute matches ne; eq null matches an absent attribute and ne null
//     a present one;
//   - gt/ge/lt/le compare strings lexicographically (folded unless
//     caseExact) and dateTimes as instants;
//   - a value of the wrong type for the attribute never matches.
func Match(f birdie.Filter, u *birdie.User) bool {
	if f == nil {
		return true
	}
	if u == nil {
		return false
	}
	return eval(f, u, nil, nil)
}

// MatchElement reports whether elem, one element of the complex attribute a
// (e.g. one of a user's emails), satisfies the relative filter f, the
// filter of a ValuePath or of a PATCH path such as emails[type eq "work"],
// with Match's semantics. A nil filter matches.
func MatchElement(a *Attribute, f birdie.Filter, elem map[string]any) bool {
	if a == nil {
		a = noScope
	}
	return eval(f, nil, a, elem)
}

// eval evaluates f. outer is nil at the top level; inside a ValuePath it is
// the multi-valued attribute and elem the element being tried, and paths
// are relative to elem. With an outer attribute other than meta, u is not
// read and may be nil.
func eval(f birdie.Filter, u *birdie.User, outer *Attribute, elem map[string]any) bool {
	switch f := f.(type) {
	case nil:
		return true
	case birdie.Compare:
		return evalCompare(&f, u, outer, elem)
	case *birdie.Compare:
		return f != nil && evalCompare(f, u, outer, elem)
	case birdie.And:
		return eval(f.Left, u, outer, elem) && eval(f.Right, u, outer, elem)
	case *birdie.And:
		return f != nil && eval(f.Left, u, outer, elem) && eval(f.Right, u, outer, elem)
	case birdie.Or:
		return eval(f.Left, u, outer, elem) || eval(f.Right, u, outer, elem)
	case *birdie.Or:
		return f != nil && (eval(f.Left, u, outer, elem) || eval(f.Right, u, outer, elem))
	case birdie.Not:
		return !eval(f.X, u, outer, elem)
	case *birdie.Not:
		return f != nil && !eval(f.X, u, outer, elem)
	case birdie.ValuePath:
		return outer == nil && evalValuePath(&f, u)
	case *birdie.ValuePath:
		return f != nil && outer == nil && evalValuePath(f, u)
	}
	return false
}

// noScope stands for the outer attribute of a ValuePath on an attribute
// without a definition: its sub-attributes compare case-insensitively.
var noScope = &Attribute{}

func evalValuePath(vp *birdie.ValuePath, u *birdie.User) bool {
	if vp.Path.Sub != "" {
		return false
	}
	v, _, def := rootValue(u, vp.Path)
	if def == MetaAttr {
		return eval(vp.Filter, u, MetaAttr, nil)
	}
	if def == nil {
		def = noScope
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok && eval(vp.Filter, u, def, m) {
				return true
			}
		}
	case []map[string]any:
		for _, m := range x {
			if eval(vp.Filter, u, def, m) {
				return true
			}
		}
	case map[string]any:
		return eval(vp.Filter, u, def, x)
	}
	return false
}

func evalCompare(c *birdie.Compare, u *birdie.User, outer *Attribute, elem map[string]any) bool {
	var (
		v   any
		sub string
		def *Attribute
	)
	switch outer {
	case nil:
		if s, def, ok := fieldString(u, c.Path); ok {
			return matchString(s, def, c.Op, c.Value)
		}
		v, sub, def = rootValue(u, c.Path)
	case MetaAttr: // meta[created gt "…"]: meta is not in Attributes
		if u == nil {
			return false
		}
		v, sub, def = rootValue(u, birdie.AttrPath{Attr: MetaAttr.Name, Sub: c.Path.Attr})
	default:
		v, sub, def = elem[c.Path.Attr], c.Path.Sub, subAttr(outer, c.Path.Attr)
	}
	return matchValue(v, sub, def, c.Op, c.Value)
}

// coreIndex and enterpriseIndex map canonical names to definitions, for
// the case-exactness and type of the attribute a Compare names; the
// definitions of the attributes read from User fields are kept at hand.
var (
	coreIndex       = index(UserSchema.Attributes, commonAttrs)
	enterpriseIndex = index(EnterpriseSchema.Attributes)
	userNameDef     = UserSchema.Attr("userName")
	displayNameDef  = UserSchema.Attr("displayName")
	activeDef       = UserSchema.Attr("active")
	emailDef        = AccountSchema.Attr("email")
)

// fieldString returns the string User field a top-level path names (id,
// externalId, userName, displayName, the account email), so that the most
// common filters compare without boxing the value in an interface.
func fieldString(u *birdie.User, p birdie.AttrPath) (string, *Attribute, bool) {
	if p.Sub != "" {
		return "", nil, false
	}
	switch p.URN {
	case "":
		switch p.Attr {
		case IDAttr.Name:
			return u.ID, IDAttr, true
		case ExternalIDAttr.Name:
			return u.ExternalID, ExternalIDAttr, true
		case userNameDef.Name:
			return u.UserName, userNameDef, true
		case displayNameDef.Name:
			return u.DisplayName, displayNameDef, true
		}
	case URNAccount:
		if p.Attr == emailDef.Name {
			return u.Email, emailDef, true
		}
	}
	return "", nil, false
}

// matchString is matchValue for a singular string attribute ("" = absent).
func matchString(s string, def *Attribute, op string, want any) bool {
	switch {
	case s == "":
		return matchValue(nil, "", def, op, want)
	case op == birdie.OpNe:
		return !matchString(s, def, birdie.OpEq, want)
	case op == birdie.OpPresent:
		return true
	}
	w, ok := want.(string)
	return ok && compareStrings(s, w, def.CaseExact, op)
}

func index(lists ...[]*Attribute) map[string]*Attribute {
	m := map[string]*Attribute{}
	for _, l := range lists {
		for _, a := range l {
			m[a.Name] = a
		}
	}
	return m
}

// rootValue returns the raw value of the top-level attribute p names, the
// sub-attribute still to select in it (p.Sub, or "" when already applied)
// and the definition of what is compared.
func rootValue(u *birdie.User, p birdie.AttrPath) (any, string, *Attribute) {
	switch p.URN {
	case "":
		switch p.Attr {
		case IDAttr.Name:
			return nonEmpty(u.ID), p.Sub, IDAttr
		case ExternalIDAttr.Name:
			return nonEmpty(u.ExternalID), p.Sub, ExternalIDAttr
		case userNameDef.Name:
			return nonEmpty(u.UserName), p.Sub, userNameDef
		case displayNameDef.Name:
			return nonEmpty(u.DisplayName), p.Sub, displayNameDef
		case activeDef.Name:
			return u.Active, p.Sub, activeDef
		case MetaAttr.Name:
			return metaValue(u, p.Sub)
		}
		return u.Attributes[p.Attr], p.Sub, subAttr(coreIndex[p.Attr], p.Sub)
	case URNEnterprise:
		ext, _ := u.Attributes[URNEnterprise].(map[string]any)
		return ext[p.Attr], p.Sub, subAttr(enterpriseIndex[p.Attr], p.Sub)
	case URNAccount:
		if p.Attr == emailDef.Name {
			return nonEmpty(u.Email), p.Sub, emailDef
		}
	}
	return nil, "", nil
}

// metaValue returns meta or one of its sub-attributes. meta.location needs
// the base URL, which a filter cannot know, so it is absent here (and
// ParseFilter refuses it).
func metaValue(u *birdie.User, sub string) (any, string, *Attribute) {
	def := subAttr(MetaAttr, sub)
	switch sub {
	case "":
		return true, "", MetaAttr // always present
	case "resourceType":
		return "User", "", def
	case "created":
		return nonZero(u.Created), "", def
	case "lastModified":
		return nonZero(u.LastModified), "", def
	case "version":
		return u.ETag(), "", def
	}
	return nil, "", nil
}

func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonZero(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// subAttr returns a's sub-attribute with the canonical name, a itself for
// "", or nil.
func subAttr(a *Attribute, name string) *Attribute {
	if a == nil || name == "" {
		return a
	}
	for _, s := range a.Sub {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// matchValue applies op to v (selecting sub in it, element-wise for a
// multi-valued attribute) and want.
func matchValue(v any, sub string, def *Attribute, op string, want any) bool {
	switch op {
	case birdie.OpNe:
		return !matchValue(v, sub, def, birdie.OpEq, want)
	case birdie.OpPresent:
		return present(v, sub)
	}
	if want == nil {
		return op == birdie.OpEq && !present(v, sub)
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if sub == "" {
				if compareScalar(e, def, op, want) {
					return true
				}
			} else if m, ok := e.(map[string]any); ok && compareScalar(m[sub], def, op, want) {
				return true
			}
		}
		return false
	case []map[string]any:
		for _, m := range x {
			if sub != "" && compareScalar(m[sub], def, op, want) {
				return true
			}
		}
		return false
	case map[string]any:
		return sub != "" && compareScalar(x[sub], def, op, want)
	}
	return sub == "" && compareScalar(v, def, op, want)
}

// present reports whether v (or sub in it) holds a non-empty value.
func present(v any, sub string) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return sub == "" && x != ""
	case time.Time:
		return sub == "" && !x.IsZero()
	case map[string]any:
		if sub != "" {
			return present(x[sub], "")
		}
		for _, e := range x {
			if present(e, "") {
				return true
			}
		}
		return false
	case []any:
		for _, e := range x {
			if present(e, sub) {
				return true
			}
		}
		return false
	case []map[string]any:
		for _, e := range x {
			if present(e, sub) {
				return true
			}
		}
		return false
	}
	return sub == "" // bool, number
}

// compareScalar compares one attribute value x with the filter value.
func compareScalar(x any, def *Attribute, op string, want any) bool {
	switch w := want.(type) {
	case string:
		switch a := x.(type) {
		case string:
			if def != nil && def.Type == TypeDateTime {
				t, err := time.Parse(time.RFC3339Nano, a)
				return err == nil && compareTime(t, w, op)
			}
			return compareStrings(a, w, def != nil && def.CaseExact, op)
		case time.Time:
			return compareTime(a, w, op)
		}
	case bool:
		a, ok := x.(bool)
		return ok && op == birdie.OpEq && a == w
	case float64:
		a, ok := x.(float64)
		return ok && ordered(cmp.Compare(a, w), op)
	}
	return false
}

func compareTime(a time.Time, w, op string) bool {
	t, err := time.Parse(time.RFC3339Nano, w)
	return err == nil && ordered(a.Compare(t), op)
}

// ordered applies an ordering operator (or eq) to a comparison result.
func ordered(c int, op string) bool {
	switch op {
	case birdie.OpEq:
		return c == 0
	case birdie.OpGt:
		return c > 0
	case birdie.OpGe:
		return c >= 0
	case birdie.OpLt:
		return c < 0
	case birdie.OpLe:
		return c <= 0
	}
	return false
}

func compareStrings(a, b string, exact bool, op string) bool {
	if !exact {
		if op == birdie.OpEq {
			return strings.EqualFold(a, b) // has its own ASCII fast path
		}
		if !isASCII(a) || !isASCII(b) {
			a, b = foldString(a), foldString(b)
		} else {
			switch op {
			case birdie.OpCo:
				return containsFoldASCII(a, b)
			case birdie.OpSw:
				return len(a) >= len(b) && equalFoldASCII(a[:len(b)], b)
			case birdie.OpEw:
				return len(a) >= len(b) && equalFoldASCII(a[len(a)-len(b):], b)
			}
			return ordered(compareFoldASCII(a, b), op)
		}
	}
	switch op {
	case birdie.OpEq:
		return a == b
	case birdie.OpCo:
		return strings.Contains(a, b)
	case birdie.OpSw:
		return strings.HasPrefix(a, b)
	case birdie.OpEw:
		return strings.HasSuffix(a, b)
	}
	return ordered(strings.Compare(a, b), op)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// equalFoldASCII compares two ASCII strings of the same length.
func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func containsFoldASCII(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCII(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

func compareFoldASCII(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := cmp.Compare(lowerASCII(a[i]), lowerASCII(b[i])); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// foldString maps every rune of s to one representative of its case-fold
// class (the class strings.EqualFold uses), lower-case for ASCII letters so
// that ordering agrees with the ASCII fast path.
func foldString(s string) string { return strings.Map(foldRune, s) }

func foldRune(r rune) rune {
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		m = min(m, f)
	}
	if m < utf8.RuneSelf {
		return rune(lowerASCII(byte(m)))
	}
	return m
}
