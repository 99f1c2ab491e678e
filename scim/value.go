package scim

import (
	"encoding/json"
	"strconv"
	"strings"
)

// NormalizeValue turns a JSON value a client sent for attribute a into the
// canonical form described in the package doc. path names the attribute in
// error details (e.g. "emails[1].primary"). It returns nil for an
// unassigned value (null, empty array, empty object).
//
// It is liberal where real IdPs are known to deviate and strict elsewhere:
// booleans may arrive as the strings "true"/"false" in any case (Entra,
// OneLogin); a multi-valued attribute may arrive as a single object
// (OneLogin's emails); a singular complex attribute with a "value"
// sub-attribute may arrive as a bare string or a one-element array (Entra's
// manager). Anything else of the wrong type is a 400 invalidValue naming
// the attribute, since guessing would store something the client did not
// mean.
func NormalizeValue(a *Attribute, v any, path string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch {
	case a.Type == TypeComplex && a.MultiValued:
		return normalizeMulti(a, v, path)
	case a.Type == TypeComplex:
		return normalizeComplex(a, v, path, false)
	case a.Type == TypeBoolean:
		return normalizeBool(v, path)
	default:
		s, ok := v.(string)
		if !ok {
			return nil, BadRequest(ErrInvalidValue, "attribute %q must be a string, got %s", path, jsonKind(v))
		}
		if s == "" && a.Type == TypeReference {
			return nil, nil // an empty reference refers to nothing
		}
		return s, nil
	}
}

func normalizeBool(v any, path string) (any, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		switch {
		case strings.EqualFold(b, "true"):
			return true, nil
		case strings.EqualFold(b, "false"):
			return false, nil
		}
	}
	return nil, BadRequest(ErrInvalidValue, "attribute %q must be a boolean (true or false), got %s", path, jsonKind(v))
}

// normalizeComplex normalises a singular complex value, or one element of
// a multi-valued attribute (element true).
func normalizeComplex(a *Attribute, v any, path string, element bool) (any, error) {
	switch x := v.(type) {
	case string:
		if a.SubAttr("value") != nil {
			if x == "" {
				return nil, nil
			}
			return map[string]any{"value": x}, nil
		}
	case []any:
		if !a.MultiValued && a.SubAttr("value") != nil && len(x) <= 1 {
			if len(x) == 0 {
				return nil, nil
			}
			return normalizeComplex(a, x[0], path, element)
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, sv := range x {
			sa := a.SubAttr(k)
			if sa == nil {
				continue // unknown sub-attribute: ignored, never stored
			}
			nv, err := NormalizeValue(sa, sv, path+"."+sa.Name)
			if err != nil {
				return nil, err
			}
			if nv != nil {
				out[sa.Name] = nv
			}
		}
		if !element && a.SubAttr("value") != nil && out["value"] == "" {
			// A singular reference (manager) whose id is empty refers to
			// nobody: OneLogin templates send {"value": ""} for users
			// without a manager.
			return nil, nil
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return nil, BadRequest(ErrInvalidValue, "attribute %q must be an object, got %s", path, jsonKind(v))
}

func normalizeMulti(a *Attribute, v any, path string) (any, error) {
	var items []any
	switch x := v.(type) {
	case []any:
		items = x
	case map[string]any:
		items = []any{x}
	default:
		return nil, BadRequest(ErrInvalidValue, "attribute %q must be an array of objects, got %s", path, jsonKind(v))
	}
	out := make([]any, 0, len(items))
	for i, it := range items {
		elem := *a
		elem.MultiValued = false
		nv, err := normalizeComplex(&elem, it, elemPath(path, i), true)
		if err != nil {
			return nil, err
		}
		if nv != nil {
			out = append(out, nv)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func elemPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// jsonKind names the JSON type of a decoded value, for error details.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "an unsupported value"
}
