package scim

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// DecodeDocument decodes a JSON object: a stored attribute document (the
// JSON written when the user was saved) or, through DecodeJSON, a request
// body. It gives exactly what json.Unmarshal into a map[string]any gives
// (objects as map[string]any, arrays as []any, numbers as float64, the
// last of duplicate keys) and fails where it fails, but several times
// faster: every read of a user decodes one, and on the GET path
// encoding/json's reflection was the largest cost after the query itself.
// Strings with escapes or invalid UTF-8 are handed to encoding/json so
// that its exact rules for escapes, invalid UTF-8 and lone surrogates
// apply; plain strings, the vast majority, are copied as they are. Its
// errors are terse (a caller explaining a request body to a person uses
// encoding/json's, see DecodeJSON).
func DecodeDocument(b []byte) (map[string]any, error) {
	d := docDecoder{b: b}
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return nil, d.fail("want a JSON object")
	}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.space()
	if d.i != len(d.b) {
		return nil, d.fail("data after the document")
	}
	return v.(map[string]any), nil
}

// DecodeStrings decodes a stored JSON array of strings (or null) as
// json.Unmarshal into a []string would.
func DecodeStrings(b []byte) ([]string, error) {
	d := docDecoder{b: b}
	d.space()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.space()
	if d.i != len(d.b) {
		return nil, d.fail("data after the array")
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		out := make([]string, len(x))
		for k, e := range x {
			s, ok := e.(string)
			if !ok && e != nil {
				return nil, errors.New("scim: stored array holds a non-string")
			}
			out[k] = s
		}
		return out, nil
	}
	return nil, errors.New("scim: stored value is not an array")
}

// maxDocDepth is encoding/json's own nesting limit.
const maxDocDepth = 10000

type docDecoder struct {
	b []byte
	i int
}

func (d *docDecoder) fail(what string) error {
	return fmt.Errorf("scim: JSON document: %s at byte %d", what, d.i)
}

func (d *docDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *docDecoder) value(depth int) (any, error) {
	if depth >= maxDocDepth { // depth counts from 0: maxDocDepth levels at most
		return nil, d.fail("nesting too deep")
	}
	d.space()
	if d.i >= len(d.b) {
		return nil, d.fail("unexpected end")
	}
	switch c := d.b[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		return d.str()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return nil, d.fail("unexpected character")
}

func (d *docDecoder) literal(word string) error {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return d.fail("invalid literal")
	}
	d.i += len(word)
	return nil
}

func (d *docDecoder) object(depth int) (any, error) {
	d.i++ // '{'
	m := make(map[string]any)
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return m, nil
	}
	for {
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, d.fail("want a key")
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, d.fail("want ':'")
		}
		d.i++
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m[k] = v
		if more, err := d.next('}'); !more {
			return m, err
		}
	}
}

func (d *docDecoder) array(depth int) (any, error) {
	d.i++ // '['
	a := []any{}
	d.space()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return a, nil
	}
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		if more, err := d.next(']'); !more {
			return a, err
		}
	}
}

// next reads what follows a member or element: ',' (more is true) or
// the closing byte (more is false); anything else is an error.
func (d *docDecoder) next(closing byte) (more bool, err error) {
	d.space()
	if d.i >= len(d.b) {
		return false, d.fail("unexpected end")
	}
	switch d.b[d.i] {
	case ',':
		d.i++
		return true, nil
	case closing:
		d.i++
		return false, nil
	}
	return false, d.fail("want ',' or '" + string(closing) + "'")
}

// str decodes the string starting at d.i. Valid UTF-8 without escapes is
// copied as is; anything else goes through encoding/json.
func (d *docDecoder) str() (string, error) {
	start := d.i
	d.i++ // '"'
	plain, ascii := true, true
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			raw := d.b[start+1 : d.i-1]
			if plain && (ascii || utf8.Valid(raw)) {
				return string(raw), nil
			}
			var s string
			if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
				return "", d.fail("invalid string")
			}
			return s, nil
		case c == '\\':
			plain = false
			d.i += 2 // the escaped byte is never the closing quote
		case c < 0x20:
			return "", d.fail("control character in string")
		case c >= utf8.RuneSelf:
			ascii = false
			d.i++
		default:
			d.i++
		}
	}
	return "", d.fail("unterminated string")
}

// number checks JSON's number grammar (stricter than strconv's) and
// parses the literal as encoding/json does.
func (d *docDecoder) number() (any, error) {
	start := d.i
	if d.b[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.b) && d.b[d.i] == '0':
		d.i++
	case d.i < len(d.b) && d.b[d.i] >= '1' && d.b[d.i] <= '9':
		d.digits()
	default:
		return nil, d.fail("invalid number")
	}
	if d.i < len(d.b) && d.b[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return nil, d.fail("invalid number")
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return nil, d.fail("invalid number")
		}
	}
	f, err := strconv.ParseFloat(string(d.b[start:d.i]), 64)
	if err != nil {
		return nil, d.fail("number out of range")
	}
	return f, nil
}

func (d *docDecoder) digits() int {
	n := 0
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
		n++
	}
	return n
}
