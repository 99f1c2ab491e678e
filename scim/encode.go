package scim

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"birdie"
)

// AppendUser appends the JSON of the user resource Render describes, without
// building the intermediate map: every read pays for encoding, so this is
// a hand-written encoder for the few types a canonical document holds
// (string, bool, map[string]any, []any, []string). Attribute keys are
// written in sorted order, as encoding/json does.
func AppendUser(b []byte, u *birdie.User, baseURL string) []byte {
	b = append(b, '{')
	keys := make([]string, 0, len(u.Attributes))
	for k := range u.Attributes {
		if k != "active" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, u.Attributes[k])
		b = append(b, ',')
	}
	b = append(b, `"active":`...)
	b = strconv.AppendBool(b, u.Active)
	b = append(b, `,"id":`...)
	b = appendString(b, u.ID)
	b = append(b, `,"meta":{"created":"`...)
	b = u.Created.UTC().AppendFormat(b, TimeFormat)
	b = append(b, `","lastModified":"`...)
	b = u.LastModified.UTC().AppendFormat(b, TimeFormat)
	b = append(b, `","location":`...)
	b = appendString(b, Location(baseURL, u.ID))
	b = append(b, `,"resourceType":"User","version":`...)
	b = appendString(b, u.ETag())
	b = append(b, `},"schemas":["`+URNUser+`"`...)
	if _, ok := u.Attributes[URNEnterprise]; ok {
		b = append(b, `,"`+URNEnterprise+`"`...)
	}
	b = append(b, `,"`+URNAccount+`"],"`+URNAccount+`":{"email":`...)
	b = appendString(b, u.Email)
	return append(b, '}', '}')
}

// AppendString appends s as a JSON string, escaped as appendString says:
// the same bytes as encoding/json without HTML escaping, and as slog's
// JSONHandler (the server's access log relies on that).
func AppendString(b []byte, s string) []byte { return appendString(b, s) }

// AppendJSON appends the JSON of a value of a canonical document.
func AppendJSON(b []byte, v any) []byte { return appendValue(b, v) }

// AppendDocument appends doc as JSON, as stores keep a user's attributes:
// the bytes encoding/json writes, except that <, > and & are not escaped
// and numbers are written as strconv's shortest 'g' form, both read back
// to the same values. It fails, like json.Marshal, on a value of a type a
// canonical document does not hold or on a number JSON cannot write (NaN,
// ±Inf). Every create and change of a user encodes one: this is several
// times cheaper than json.Marshal's reflection over a map.
//
// A nil map or slice, at any depth, is written as null, as json.Marshal
// writes it (rendering writes {} and [] for those).
func AppendDocument(b []byte, doc map[string]any) ([]byte, error) {
	e := checkedEncoder{nilAsNull: true}
	b = e.append(b, doc)
	return b, e.bad
}

func appendValue(b []byte, v any) []byte {
	var e checkedEncoder
	return e.append(b, v)
}

// checkedEncoder appends values, writing null for a value JSON cannot hold
// and keeping an error naming the first such value in bad: rendering (which
// ignores bad) stays valid JSON, storing refuses it.
type checkedEncoder struct {
	nilAsNull bool // write nil maps and slices as null, not {} and []
	bad       error
}

func (e *checkedEncoder) append(b []byte, v any) []byte {
	if e.nilAsNull {
		switch x := v.(type) {
		case map[string]any:
			if x == nil {
				return append(b, "null"...)
			}
		case []any:
			if x == nil {
				return append(b, "null"...)
			}
		case []string:
			if x == nil {
				return append(b, "null"...)
			}
		}
	}
	switch x := v.(type) {
	case string:
		return appendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case nil:
		return append(b, "null"...)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = e.append(b, x[k])
		}
		return append(b, '}')
	case []any:
		b = append(b, '[')
		for i, el := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.append(b, el)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, str := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, str)
		}
		return append(b, ']')
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			if e.bad == nil {
				e.bad = fmt.Errorf("json: unsupported value: %v", x)
			}
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	}
	// Not a canonical document type: a programming error upstream. null
	// keeps the output valid JSON.
	if e.bad == nil {
		e.bad = fmt.Errorf("json: unsupported type %T", v)
	}
	return append(b, "null"...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, and U+2028/U+2029
// escaped (as encoding/json does) so the output is safe in JavaScript.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// IsZero reports whether the projection returns every attribute.
func (p Projection) IsZero() bool { return p.include == nil && p.exclude == nil }

// AppendProjectedUser appends one user resource with the projection
// applied; without a projection it is AppendUser.
func AppendProjectedUser(b []byte, u *birdie.User, baseURL string, p Projection) []byte {
	if p.IsZero() {
		return AppendUser(b, u, baseURL)
	}
	return appendValue(b, p.Apply(Render(u, baseURL)))
}

// ListPage is what a ListResponse carries besides its resources.
type ListPage struct {
	Total      int
	StartIndex int    // 0 for cursor pagination, where it is not written
	NextCursor string // RFC 9865; "" when there is no next page or cursors were not asked for
	PrevCursor string
}

// AppendUserList appends a ListResponse (RFC 7644 §3.4.2) of users.
func AppendUserList(b []byte, users []birdie.User, page ListPage, baseURL string, p Projection) []byte {
	b = append(b, `{"Resources":[`...)
	for i := range users {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendProjectedUser(b, &users[i], baseURL, p)
	}
	return appendListEnd(b, len(users), page)
}

// AppendRenderedList appends a ListResponse of resources already encoded
// (by AppendUser): the same bytes AppendUserList gives for their users.
func AppendRenderedList(b []byte, resources [][]byte, page ListPage) []byte {
	b = append(b, `{"Resources":[`...)
	for i, res := range resources {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, res...)
	}
	return appendListEnd(b, len(resources), page)
}

// appendListEnd closes the Resources array and writes the rest of a
// ListResponse of n resources.
func appendListEnd(b []byte, n int, page ListPage) []byte {
	b = append(b, `],"itemsPerPage":`...)
	b = strconv.AppendInt(b, int64(n), 10)
	if page.NextCursor != "" {
		b = append(b, `,"nextCursor":`...)
		b = appendString(b, page.NextCursor)
	}
	if page.PrevCursor != "" {
		b = append(b, `,"previousCursor":`...)
		b = appendString(b, page.PrevCursor)
	}
	b = append(b, `,"schemas":["`+URNListResponse+`"]`...)
	if page.StartIndex > 0 {
		b = append(b, `,"startIndex":`...)
		b = strconv.AppendInt(b, int64(page.StartIndex), 10)
	}
	b = append(b, `,"totalResults":`...)
	b = strconv.AppendInt(b, int64(page.Total), 10)
	return append(b, '}')
}
