package scim

import (
	"strings"
	"unicode/utf8"
)

// checkJSONText rejects request bodies that encoding/json would accept but
// silently alter: bytes that are not UTF-8 (decoded as U+FFFD, so two
// different userNames could collide) and \u escapes of lone UTF-16
// surrogates (likewise). It returns a 400 invalidSyntax naming the byte
// offset, or nil.
func checkJSONText(body []byte) error {
	if !utf8.Valid(body) {
		off := 0
		for off < len(body) {
			r, size := utf8.DecodeRune(body[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return BadRequest(ErrInvalidSyntax, "the request body is not valid UTF-8 (at byte %d); send JSON encoded as UTF-8", off)
	}
	inString := false
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !inString {
			if c == '"' {
				inString = true
			}
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if i+1 < len(body) && body[i+1] == 'u' {
				r, ok := hexRune(body, i+2)
				if ok && r >= 0xD800 && r <= 0xDFFF {
					low, okLow := rune(0), false
					if r <= 0xDBFF && i+11 < len(body) && body[i+6] == '\\' && body[i+7] == 'u' {
						low, okLow = hexRune(body, i+8)
					}
					if !okLow || low < 0xDC00 || low > 0xDFFF {
						return BadRequest(ErrInvalidSyntax, "the request body has a lone UTF-16 surrogate escape %q (at byte %d), which is not a character", string(body[i:i+6]), i)
					}
					i += 11
					continue
				}
				i += 5
				continue
			}
			i++ // skip the escaped character
		}
	}
	return nil
}

func hexRune(b []byte, at int) (rune, bool) {
	if at+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// checkDuplicateMembers rejects objects, at any depth, that name one member
// twice in different letter case: SCIM attribute names are
// case-insensitive, so {"title":"a","TITLE":"b"} is ambiguous, and picking
// one would depend on map order. Every create and replace body is checked,
// so the walk allocates nothing unless it finds one: paths are built only
// for the error.
func checkDuplicateMembers(v any, path string) error {
	d := findDuplicateMember(v)
	if d == nil {
		return nil
	}
	p := path
	for i := len(d.path) - 1; i >= 0; i-- {
		p = d.path[i](p)
	}
	return BadRequest(ErrInvalidSyntax, "%s names the member %q twice (as %q and %q); attribute names are case-insensitive, send it once", where(p), strings.ToLower(min(d.a, d.b)), min(d.a, d.b), max(d.a, d.b))
}

// duplicateMember is a member named twice (as a and b) in the object at
// path, innermost step last, each step extending its parent's path.
type duplicateMember struct {
	a, b string
	path []func(string) string
}

func findDuplicateMember(v any) *duplicateMember {
	switch x := v.(type) {
	case map[string]any:
		if a, b, dup := duplicateKey(x); dup {
			return &duplicateMember{a: a, b: b}
		}
		for k, sv := range x {
			if d := findDuplicateMember(sv); d != nil {
				d.path = append(d.path, func(p string) string { return joinPath(p, k) })
				return d
			}
		}
	case []any:
		for i, e := range x {
			if d := findDuplicateMember(e); d != nil {
				d.path = append(d.path, func(p string) string { return elemPath(p, i) })
				return d
			}
		}
	}
	return nil
}

// duplicateKey finds two keys of m equal but for letter case. Objects in
// SCIM bodies have a handful of members: up to 16 are compared pairwise,
// without allocating; larger ones through a map of case-folded keys. Both
// agree with strings.EqualFold, as attribute lookup does (Schema.Attr), so
// that "diſplayName" beside "displayName" is refused, not one of them
// picked by map order.
func duplicateKey(m map[string]any) (a, b string, dup bool) {
	if len(m) < 2 {
		return "", "", false
	}
	if len(m) <= 16 {
		var keys [16]string
		n := 0
		for k := range m {
			for _, other := range keys[:n] {
				if strings.EqualFold(k, other) {
					return k, other, true
				}
			}
			keys[n] = k
			n++
		}
		return "", "", false
	}
	seen := make(map[string]string, len(m))
	for k := range m {
		lk := foldString(k) // equal exactly when strings.EqualFold says so
		if other, found := seen[lk]; found {
			return k, other, true
		}
		seen[lk] = k
	}
	return "", "", false
}

func where(path string) string {
	if path == "" {
		return "the request body"
	}
	return "the object at " + path
}

func joinPath(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}
