package scim

// Projection applies the attributes and excludedAttributes parameters
// (RFC 7644 §3.4.2.5) to rendered resources. id and schemas are always
// returned. Names are resolved like PATCH paths, so they are
// case-insensitive and may be URN-qualified; a value filter in a name
// (`emails[type eq "work"]`, which Microsoft's test collection sends) selects
// the whole attribute. Names Birdie does not know select nothing.
type Projection struct {
	include, exclude selection
}

// selection maps an output key to nil (the whole value) or to the
// sub-keys selected within it.
type selection map[string]selection

// NewProjection builds a projection; with no names it returns every
// attribute.
func NewProjection(attributes, excluded []string) Projection {
	return Projection{include: buildSelection(attributes), exclude: buildSelection(excluded)}
}

func buildSelection(names []string) selection {
	if len(names) == 0 {
		return nil
	}
	sel := selection{}
	for _, n := range names {
		keys := outputKeys(n)
		if keys == nil {
			continue
		}
		cur := sel
		for i, k := range keys {
			child, seen := cur[k]
			if i == len(keys)-1 {
				cur[k] = nil // the whole value
				break
			}
			if seen && child == nil {
				break // already selected whole
			}
			if child == nil {
				child = selection{}
				cur[k] = child
			}
			cur = child
		}
	}
	return sel
}

// outputKeys resolves an attribute name to its key path in a rendered
// resource, or nil if Birdie does not know it.
func outputKeys(name string) []string {
	if s := SchemaByURN(name); s != nil {
		if s == UserSchema {
			return nil
		}
		return []string{s.ID}
	}
	p, err := ParsePatchPath(name)
	if err != nil || p.Unknown || p.Attr == "" {
		return nil
	}
	var keys []string
	if p.URN != "" && p.URN != URNUser {
		keys = append(keys, p.URN)
	}
	keys = append(keys, p.Attr)
	if p.Sub != "" {
		keys = append(keys, p.Sub)
	}
	return keys
}

// Apply returns res projected; res itself is not modified.
func (p Projection) Apply(res map[string]any) map[string]any {
	if p.include == nil && p.exclude == nil {
		return res
	}
	out := res
	if p.include != nil {
		out = pick(res, p.include)
		out["id"], out["schemas"] = res["id"], res["schemas"]
	}
	if p.exclude != nil {
		out = drop(out, p.exclude)
	}
	return out
}

func pick(m map[string]any, sel selection) map[string]any {
	out := make(map[string]any, len(sel))
	for k, sub := range sel {
		v, ok := m[k]
		if !ok {
			continue
		}
		if sub == nil {
			out[k] = v
			continue
		}
		if pv := pickValue(v, sub); pv != nil {
			out[k] = pv
		}
	}
	return out
}

func pickValue(v any, sel selection) any {
	switch x := v.(type) {
	case map[string]any:
		if r := pick(x, sel); len(r) > 0 {
			return r
		}
	case []any:
		var out []any
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				if r := pick(m, sel); len(r) > 0 {
					out = append(out, r)
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

func drop(m map[string]any, sel selection) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		sub, listed := sel[k]
		switch {
		case !listed || k == "id" || k == "schemas":
			out[k] = v
		case sub == nil:
			// excluded whole
		default:
			if dv := dropValue(v, sub); dv != nil {
				out[k] = dv
			}
		}
	}
	return out
}

func dropValue(v any, sel selection) any {
	switch x := v.(type) {
	case map[string]any:
		if r := drop(x, sel); len(r) > 0 {
			return r
		}
		return nil
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				if r := drop(m, sel); len(r) > 0 {
					out = append(out, r)
				}
			}
		}
		if len(out) > 0 {
			return out
		}
		return nil
	}
	return v
}
