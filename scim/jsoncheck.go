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
// one would depend on map order.
func checkDuplicateMembers(v any, path string) error {
	switch x := v.(type) {
	case map[string]any:
		if len(x) > 1 {
			seen := make(map[string]string, len(x))
			for k := range x {
				lk := strings.ToLower(k)
				if other, dup := seen[lk]; dup {
					a, b := min(k, other), max(k, other)
					return BadRequest(ErrInvalidSyntax, "%s names the member %q twice (as %q and %q); attribute names are case-insensitive, send it once", where(path), lk, a, b)
				}
				seen[lk] = k
			}
		}
		for k, sv := range x {
			if err := checkDuplicateMembers(sv, joinPath(path, k)); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := checkDuplicateMembers(e, elemPath(path, i)); err != nil {
				return err
			}
		}
	}
	return nil
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
