package scim

import (
	"net/url"
	"strconv"
	"strings"

	"birdie"
)

// Paging limits. MaxCount is advertised as filter.maxResults: a larger
// count is clamped to it, not rejected (RFC 7644 §3.4.2.4).
const (
	DefaultCount = 100
	MaxCount     = 1000
)

// ListParams are the parameters of a list or search request.
type ListParams struct {
	Filter             birdie.Filter
	SortBy             string // a birdie.Sort* key, or "" for creation order
	Descending         bool
	StartIndex         int // 1-based, >= 1
	Count              int // 0..MaxCount
	Attributes         []string
	ExcludedAttributes []string

	// UseCursor selects cursor pagination (RFC 9865): the request had a
	// cursor parameter, empty for the first page.
	UseCursor bool
	Cursor    string
}

// Query returns the store query for these parameters.
func (p ListParams) Query() birdie.UserQuery {
	return birdie.UserQuery{Filter: p.Filter, SortBy: p.SortBy, Descending: p.Descending, StartIndex: p.StartIndex, Count: p.Count,
		UseCursor: p.UseCursor, Cursor: p.Cursor}
}

// ParseListQuery reads list parameters from a raw URL query string (RFC
// 7644 §3.4.2). Parameter names are matched case-insensitively; startIndex
// and count out of range are clamped, not rejected. A query string that
// cannot be parsed whole (a stray ';', a broken %-escape) or that gives a
// parameter twice is refused: silently dropping a filter would answer an
// IdP's lookup with the whole workspace.
func ParseListQuery(rawQuery string) (ListParams, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return ListParams{}, BadRequest(ErrInvalidFilter, "the query string is malformed (%v); percent-encode reserved characters such as ';', '%%', '&' and '+' in parameter values", err)
	}
	seen := map[string]string{}
	for k, v := range q {
		lk := strings.ToLower(k)
		if other, dup := seen[lk]; dup || len(v) > 1 {
			if !dup {
				other = k
			}
			return ListParams{}, BadRequest(ErrInvalidValue, "the query parameter %q is given more than once (as %q and %q); give it once", lk, min(k, other), max(k, other))
		}
		seen[lk] = k
	}
	get := func(name string) (string, bool) {
		for k, v := range q {
			if strings.EqualFold(k, name) && len(v) > 0 {
				return v[0], true
			}
		}
		return "", false
	}
	in := listInput{}
	if v, ok := get("filter"); ok {
		in.filter = &v
	}
	if v, ok := get("startIndex"); ok {
		in.startIndex = &v
	}
	if v, ok := get("count"); ok {
		in.count = &v
	}
	if v, ok := get("cursor"); ok {
		in.cursor = &v
	}
	in.sortBy, _ = get("sortBy")
	in.sortOrder, _ = get("sortOrder")
	if v, ok := get("attributes"); ok {
		in.attributes = SplitList(v)
	}
	if v, ok := get("excludedAttributes"); ok {
		in.excluded = SplitList(v)
	}
	return in.params()
}

// ParseSearchRequest reads list parameters from the body of a POST
// /Users/.search (RFC 7644 §3.4.3).
func ParseSearchRequest(body []byte) (ListParams, error) {
	raw, err := DecodeJSON(body)
	if err != nil {
		return ListParams{}, err
	}
	in := listInput{}
	for k, v := range raw {
		if v == nil {
			continue
		}
		switch strings.ToLower(k) {
		case "filter":
			s, ok := v.(string)
			if !ok {
				return ListParams{}, BadRequest(ErrInvalidValue, "search request: filter must be a string, got %s", jsonKind(v))
			}
			in.filter = &s
		case "startindex", "count":
			n, ok := v.(float64)
			if !ok {
				return ListParams{}, BadRequest(ErrInvalidValue, "search request: %s must be a number, got %s", k, jsonKind(v))
			}
			s := strconv.FormatFloat(n, 'f', -1, 64)
			if strings.ToLower(k) == "count" {
				in.count = &s
			} else {
				in.startIndex = &s
			}
		case "cursor":
			c, ok := v.(string)
			if !ok {
				return ListParams{}, BadRequest(ErrInvalidValue, "search request: cursor must be a string, got %s", jsonKind(v))
			}
			in.cursor = &c
		case "sortby", "sortorder":
			s, ok := v.(string)
			if !ok {
				return ListParams{}, BadRequest(ErrInvalidValue, "search request: %s must be a string, got %s", k, jsonKind(v))
			}
			if strings.ToLower(k) == "sortby" {
				in.sortBy = s
			} else {
				in.sortOrder = s
			}
		case "attributes", "excludedattributes":
			list, err := stringList(v, k)
			if err != nil {
				return ListParams{}, err
			}
			if strings.ToLower(k) == "attributes" {
				in.attributes = list
			} else {
				in.excluded = list
			}
		}
	}
	return in.params()
}

type listInput struct {
	filter, startIndex, count *string
	cursor                    *string
	sortBy, sortOrder         string
	attributes, excluded      []string
}

func (in listInput) params() (ListParams, error) {
	p := ListParams{StartIndex: 1, Count: DefaultCount, Attributes: in.attributes, ExcludedAttributes: in.excluded}
	if in.filter != nil {
		// An empty filter is ParseFilter's error, not "no filter": a
		// lookup whose value a broken template left out must not be
		// answered with the whole workspace.
		f, err := ParseFilter(*in.filter)
		if err != nil {
			return p, err
		}
		p.Filter = f
	}
	if in.startIndex != nil {
		n, err := parseInt(*in.startIndex, "startIndex")
		if err != nil {
			return p, err
		}
		p.StartIndex = max(n, 1)
	}
	if in.cursor != nil {
		if in.startIndex != nil {
			return p, BadRequest(ErrInvalidValue, "use either startIndex (index pagination) or cursor (cursor pagination), not both")
		}
		p.UseCursor, p.Cursor = true, *in.cursor
	}
	if in.count != nil {
		n, err := parseInt(*in.count, "count")
		if err != nil {
			return p, err
		}
		p.Count = min(max(n, 0), MaxCount)
	}
	if in.sortBy != "" {
		key, ok := sortKey(in.sortBy)
		if !ok {
			return p, BadRequest(ErrInvalidValue, "sortBy %q is not supported; sort by one of: userName, displayName, externalId, id, active, meta.created, meta.lastModified, %s:email", in.sortBy, URNAccount)
		}
		p.SortBy = key
	}
	switch strings.ToLower(in.sortOrder) {
	case "", "ascending":
	case "descending":
		p.Descending = true
	default:
		return p, BadRequest(ErrInvalidValue, "sortOrder must be \"ascending\" or \"descending\", got %q", in.sortOrder)
	}
	return p, nil
}

// parseInt reads an integer parameter; values beyond the int range are
// clamped like any other out-of-range value.
func parseInt(s, name string) (int, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			if strings.HasPrefix(s, "-") {
				return -1 << 31, nil
			}
			return 1<<31 - 1, nil
		}
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return 0, BadRequest(ErrInvalidValue, "%s must be an integer, got %q", name, s)
		}
		n = int64(f)
	}
	return int(max(min(n, 1<<31-1), -1<<31)), nil
}

// sortKey maps a sortBy attribute to a store sort key.
func sortKey(attr string) (string, bool) {
	a := attr
	if len(a) > len(URNUser)+1 && strings.EqualFold(a[:len(URNUser)+1], URNUser+":") {
		a = a[len(URNUser)+1:]
	}
	if strings.EqualFold(a, URNAccount+":email") {
		return birdie.SortEmail, true
	}
	for _, k := range []string{birdie.SortID, birdie.SortUserName, birdie.SortExternalID, birdie.SortDisplayName, birdie.SortActive, birdie.SortCreated, birdie.SortLastModified} {
		if strings.EqualFold(a, k) {
			return k, true
		}
	}
	return "", false
}

// SplitList splits a comma-separated parameter (attributes,
// excludedAttributes) into its trimmed, non-empty items.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func stringList(v any, name string) ([]string, error) {
	switch x := v.(type) {
	case string:
		return SplitList(x), nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, BadRequest(ErrInvalidValue, "search request: %s must be an array of strings", name)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, BadRequest(ErrInvalidValue, "search request: %s must be an array of strings, got %s", name, jsonKind(v))
}

// ListResponse builds a ListResponse message (RFC 7644 §3.4.2) around
// already-rendered resources; Resources is always present, even empty.
func ListResponse(total, startIndex int, resources []any) map[string]any {
	if resources == nil {
		resources = []any{}
	}
	return map[string]any{
		"schemas":      []string{URNListResponse},
		"totalResults": total,
		"startIndex":   startIndex,
		"itemsPerPage": len(resources),
		"Resources":    resources,
	}
}
