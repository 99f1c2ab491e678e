package scim

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// lexer is the scanner shared by ParseFilter and ParsePatchPath. The parser
// drives it, asking for the kind of token it expects next (an attribute
// path, a word, a value): the lenient SCIM grammar real IdPs use is context
// dependent (the bare value example.com looks just like an attribute path),
// so a context-free tokenizer would have to guess. Tokens are substrings of
// the input, so scanning allocates nothing except for escaped strings.
type lexer struct {
	s    string
	pos  int
	kind string // scimType of the errors it reports: invalidFilter or invalidPath
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (l *lexer) skipSpace() {
	for l.pos < len(l.s) && isSpace(l.s[l.pos]) {
		l.pos++
	}
}

func (l *lexer) eof() bool { return l.pos >= len(l.s) }

// peek returns the byte at the current position, or 0 at the end.
func (l *lexer) peek() byte {
	if l.pos < len(l.s) {
		return l.s[l.pos]
	}
	return 0
}

// isNameByte reports whether c can be part of an attribute path token:
// ATTRNAME characters (RFC 7644 §3.10), '$' (for $ref), '.' between an
// attribute and its sub-attribute, and ':' inside a schema URN prefix.
func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '_' || c == '-' || c == '$' || c == '.' || c == ':'
}

// name scans an attribute path, operator or keyword; "" if none is here.
func (l *lexer) name() string {
	start := l.pos
	for l.pos < len(l.s) && isNameByte(l.s[l.pos]) {
		l.pos++
	}
	return l.s[start:l.pos]
}

// keyword consumes the word w (compared case-insensitively) if it is the
// next token, and reports whether it did.
func (l *lexer) keyword(w string) bool {
	end := l.pos + len(w)
	if end > len(l.s) || !strings.EqualFold(l.s[l.pos:end], w) {
		return false
	}
	if end < len(l.s) && isNameByte(l.s[end]) {
		return false // a longer word, e.g. "order"
	}
	l.pos = end
	return true
}

// Kinds of value tokens.
const (
	valString = iota // "quoted", JSON escapes decoded
	valBare          // an unquoted token that is no literal: taken as a string
	valTrue
	valFalse
	valNull
	valNumber
)

// token is a comparison value as written: its kind, its text (decoded for
// quoted strings) and its position for error details.
type token struct {
	kind int
	text string
	pos  int
}

// value scans a comparison value. Besides RFC 7644's JSON values it accepts
// a bare token up to whitespace, ')' or ']' (userName eq jdoe): authentik
// and Microsoft's test collection send those. Literals are recognised in
// any case (True, NULL) for the same reason.
func (l *lexer) value(after string) (token, *Error) {
	start := l.pos
	if l.eof() {
		return token{}, l.errorf(start, "expected a value after %q %s, found end of %s", after, l.at(start), l.what())
	}
	switch c := l.s[start]; c {
	case '"':
		s, err := l.quoted()
		return token{kind: valString, text: s, pos: start}, err
	case '(', ')', '[', ']':
		return token{}, l.errorf(start, "expected a value after %q %s, found %s", after, l.at(start), l.found(start))
	}
	for l.pos < len(l.s) {
		c := l.s[l.pos]
		if isSpace(c) || c == ')' || c == ']' {
			break
		}
		if c < 0x20 || c == 0x7f {
			return token{}, l.errorf(l.pos, "control character %U %s is not allowed in a value", rune(c), l.at(l.pos))
		}
		l.pos++
	}
	t := token{kind: valBare, text: l.s[start:l.pos], pos: start}
	switch {
	case strings.EqualFold(t.text, "true"):
		t.kind = valTrue
	case strings.EqualFold(t.text, "false"):
		t.kind = valFalse
	case strings.EqualFold(t.text, "null"):
		t.kind = valNull
	case isNumber(t.text):
		t.kind = valNumber
	}
	return t, nil
}

// quoted scans a JSON string starting at the opening quote. Without
// escapes the result is a substring of the input (no allocation).
func (l *lexer) quoted() (string, *Error) {
	start := l.pos
	for i := start + 1; i < len(l.s); i++ {
		switch c := l.s[i]; {
		case c == '"':
			l.pos = i + 1
			return l.s[start+1 : i], nil
		case c == '\\':
			return l.quotedEscaped(start, i)
		case c < 0x20:
			return "", l.errorf(i, "control character %U %s must be escaped in a quoted string (e.g. \\u%04x)", rune(c), l.at(i), c)
		}
	}
	return "", l.errorf(start, "unterminated string starting %s: add the closing '\"'", l.at(start))
}

// quotedEscaped finishes a JSON string that has escapes; i is the first
// backslash.
func (l *lexer) quotedEscaped(start, i int) (string, *Error) {
	b := make([]byte, 0, len(l.s)-start)
	b = append(b, l.s[start+1:i]...)
	for i < len(l.s) {
		c := l.s[i]
		switch {
		case c == '"':
			l.pos = i + 1
			return string(b), nil
		case c < 0x20:
			return "", l.errorf(i, "control character %U %s must be escaped in a quoted string (e.g. \\u%04x)", rune(c), l.at(i), c)
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(l.s) {
			break
		}
		switch e := l.s[i+1]; e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := hex4(l.s, i+2)
			if !ok {
				return "", l.errorf(i, "invalid escape %s: \\u must be followed by 4 hex digits", l.at(i))
			}
			if r == 0 {
				// No identifier holds NUL, and PostgreSQL cannot compare
				// with it: refused rather than silently matching nothing.
				return "", l.errorf(i, "the escape \\u0000 %s is a NUL character, which no attribute value holds", l.at(i))
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(l.s, i+2); ok && i+1 < len(l.s) && l.s[i] == '\\' && l.s[i+1] == 'u' {
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						b = utf8.AppendRune(b, d)
						i += 6
						continue
					}
				}
				return "", l.errorf(i-6, "the escape %s %s is a lone UTF-16 surrogate, which is not a character", l.s[i-6:i], l.at(i-6))
			}
			b = utf8.AppendRune(b, r)
			continue
		default:
			return "", l.errorf(i, "invalid escape %q %s in a quoted string (use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)", l.s[i:i+2], l.at(i))
		}
		i += 2
	}
	return "", l.errorf(start, "unterminated string starting %s: add the closing '\"'", l.at(start))
}

// hex4 decodes the 4 hex digits at s[i:i+4].
func hex4(s string, i int) (rune, bool) {
	if i < 0 || i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// isNumber reports whether s is a JSON number.
func isNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

// checkInput applies the limits every filter and path must meet before it
// is scanned: a maximum length (so parsing time and recursion are bounded)
// and valid UTF-8 (so details can quote the input safely).
func (l *lexer) checkInput() *Error {
	if len(l.s) > MaxFilterLength {
		return BadRequest(l.kind, "invalid %s: it is %d bytes long; the limit is %d bytes", l.what(), len(l.s), MaxFilterLength)
	}
	for i := 0; i < len(l.s); {
		c := l.s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(l.s[i:])
		if r == utf8.RuneError && n == 1 {
			return l.errorf(i, "the %s is not valid UTF-8 (byte 0x%02x %s)", l.what(), c, l.at(i))
		}
		i += n
	}
	return nil
}

// what names the input in error details.
func (l *lexer) what() string {
	if l.kind == ErrInvalidPath {
		return "path"
	}
	return "filter"
}

// errorf returns a 400 error of the lexer's kind. Its detail starts with
// "invalid filter:" (or "invalid path:") so that it reads well on its own
// in an IdP's provisioning log.
func (l *lexer) errorf(pos int, format string, args ...any) *Error {
	return BadRequest(l.kind, "invalid %s: %s", l.what(), fmt.Sprintf(format, args...))
}

// at describes a byte offset for a person: "at position N", counting
// characters from 1.
func (l *lexer) at(pos int) string {
	pos = min(pos, len(l.s))
	return "at position " + strconv.Itoa(utf8.RuneCountInString(l.s[:pos])+1)
}

// found quotes what is at pos (up to the next space, at most 32 bytes), or
// says the input ended, for "expected X, found Y" details.
func (l *lexer) found(pos int) string {
	if pos >= len(l.s) {
		return "end of " + l.what()
	}
	end := pos
	for end < len(l.s) && !isSpace(l.s[end]) && end-pos < 32 {
		if end > pos && (l.s[end] == '(' || l.s[end] == ')' || l.s[end] == '[' || l.s[end] == ']') {
			break
		}
		end++
	}
	for end < len(l.s) && !utf8.RuneStart(l.s[end]) {
		end++
	}
	return strconv.Quote(l.s[pos:end])
}

// parseNumber converts a token that isNumber accepted.
func parseNumber(s string) float64 {
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
