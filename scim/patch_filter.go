package scim

import (
	"reflect"
	"slices"

	"birdie"
)

// This file holds PATCH on multi-valued attributes: selecting elements by
// filter, creating an element from a filter, removing listed elements, and
// keeping one primary. ApplyPatch's doc comment states the rules.

// applyMulti applies an operation to a multi-valued attribute (emails,
// addresses, ...): to the elements its filter selects, to a sub-attribute
// of every element, or to the array as a whole.
func applyMulti(t map[string]any, op string, a *Attribute, p PatchPath, path string, v any) error {
	list, _ := t[a.Name].([]any)
	var touched []int // elements the operation set, for settlePrimary
	var err error
	switch {
	case p.Filter != nil:
		list, touched, err = applyFiltered(list, op, a, p.Filter, p.SubAttribute, path, v)
	case p.SubAttribute != nil:
		list, touched, err = applyEvery(list, op, p.SubAttribute, path, v)
	case op == "remove" && v != nil:
		list, err = removeListed(list, a, path, v)
	case op == "remove" || op == "replace" && v == nil:
		list = nil
	default:
		var nv any
		if nv, err = NormalizeValue(a, v, path); err != nil {
			break
		}
		if op == "replace" {
			list = nil
		}
		for _, e := range elementsOf(nv) {
			i := slices.IndexFunc(list, func(x any) bool { return reflect.DeepEqual(x, e) })
			if i < 0 {
				list, i = append(list, e), len(list)
			}
			touched = append(touched, i)
		}
	}
	if err != nil {
		return err
	}
	settlePrimary(list, touched)
	list = slices.DeleteFunc(list, func(e any) bool { m, ok := e.(map[string]any); return ok && len(m) == 0 })
	if len(list) == 0 {
		delete(t, a.Name)
	} else {
		t[a.Name] = list
	}
	return nil
}

func elementsOf(v any) []any { l, _ := v.([]any); return l }

// applyEvery applies an operation on a sub-attribute path without a filter
// (emails.value) to every element. add or replace on an empty attribute
// creates one element, so that the value is not silently lost.
func applyEvery(list []any, op string, sub *Attribute, path string, v any) ([]any, []int, error) {
	if len(list) == 0 && op != "remove" && v != nil {
		list = []any{map[string]any{}}
	}
	touched := make([]int, 0, len(list))
	for i, e := range list {
		if m, ok := e.(map[string]any); ok {
			if err := setOrDelete(m, sub.Name, op, sub, v, path); err != nil {
				return nil, nil, err
			}
			touched = append(touched, i)
		}
	}
	return list, touched, nil
}

// applyFiltered applies an operation on a filtered path
// (emails[type eq "work"], emails[type eq "work"].value) to every matching
// element. add and replace create an element from the filter when none
// matches (see seedElement); remove of nothing is a success.
func applyFiltered(list []any, op string, a *Attribute, f birdie.Filter, sub *Attribute, path string, v any) ([]any, []int, error) {
	var hits []int
	for i, e := range list {
		// eval with an outer attribute reads only the element, never the user.
		if m, ok := e.(map[string]any); ok && MatchElement(a, f, m) {
			hits = append(hits, i)
		}
	}
	if op == "remove" && sub == nil {
		return deleteIndexes(list, hits), nil, nil
	}
	if len(hits) == 0 && op != "remove" {
		target := elementAttr(a)
		if sub != nil {
			target = sub
		}
		nv, err := NormalizeValue(target, v, path)
		if err != nil || nv == nil {
			return list, nil, err // nothing to create
		}
		seed, err := seedElement(a, f, path)
		if err != nil {
			return nil, nil, err
		}
		list, hits = append(list, seed), []int{len(list)}
	}
	for _, i := range hits {
		m := list[i].(map[string]any)
		var err error
		switch {
		case sub != nil:
			err = setOrDelete(m, sub.Name, op, sub, v, path)
		default:
			var merged map[string]any
			if v != nil {
				merged, err = mergeComplex(a, m, v, path)
			}
			if merged == nil && err == nil && op == "replace" {
				clear(m) // replace with null unassigns the element; add of null adds nothing
			}
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return list, hits, nil
}

// seedElement returns the element that an add or replace on a filtered
// path creates when no element matches: the filter's equality conditions
// as sub-attribute values (emails[type eq "work"] gives {"type":"work"}).
// Entra sends Add emails[type eq "work"].value for a user who has no work
// email yet and expects this. Only a filter of eq comparisons joined by
// and describes one element unambiguously; anything else (or, ne, co, a
// condition on an unknown sub-attribute, two different values for one
// sub-attribute) is a 400 noTarget, as RFC 7644 §3.5.2 has it.
func seedElement(a *Attribute, f birdie.Filter, path string) (map[string]any, error) {
	m := map[string]any{}
	if !seedFrom(a, f, m) {
		return nil, BadRequest(ErrNoTarget, "%q matches no element of %s, and Birdie can create one only from a filter of eq comparisons joined by and, e.g. %s[type eq \"work\"]", path, a.Name, a.Name)
	}
	return m, nil
}

func seedFrom(a *Attribute, f birdie.Filter, m map[string]any) bool {
	switch x := f.(type) {
	case birdie.And:
		return seedFrom(a, x.Left, m) && seedFrom(a, x.Right, m)
	case birdie.Compare:
		sa := a.SubAttr(x.Path.Attr)
		if x.Op != birdie.OpEq || sa == nil || x.Path.Sub != "" {
			return false
		}
		nv, err := NormalizeValue(sa, x.Value, sa.Name)
		if err != nil || nv == nil {
			return false
		}
		if old, ok := m[sa.Name]; ok && old != nv {
			return false
		}
		m[sa.Name] = nv
		return true
	}
	return false
}

// deleteIndexes returns list without the elements at the (ascending) indexes.
func deleteIndexes(list []any, idx []int) []any {
	if len(idx) == 0 {
		return list
	}
	out := make([]any, 0, len(list)-len(idx))
	for i, e := range list {
		if len(idx) > 0 && idx[0] == i {
			idx = idx[1:]
			continue
		}
		out = append(out, e)
	}
	return out
}

// removeListed handles remove of a multi-valued attribute with a value
// array and no filter, as Entra and JumpCloud send it
// ({"op":"remove","path":"emails","value":[{"value":"a@b.c"}]}): it
// removes the elements whose value is one of those listed, compared as the
// value sub-attribute is (case-insensitively unless caseExact).
func removeListed(list []any, a *Attribute, path string, v any) ([]any, error) {
	va := a.SubAttr("value")
	if va == nil {
		return nil, BadRequest(ErrInvalidValue, `%q: a "remove" with a value array removes the elements whose "value" is listed, and %s elements have no value; use a filter path instead, e.g. %s[type eq "work"]`, path, a.Name, a.Name)
	}
	nv, err := NormalizeValue(a, v, path)
	if err != nil {
		return nil, err
	}
	var values []string
	for i, e := range elementsOf(nv) {
		s, ok := e.(map[string]any)["value"].(string)
		if !ok {
			return nil, BadRequest(ErrInvalidValue, `%q has no "value": a "remove" with a value array removes the elements whose value is listed; to remove by another sub-attribute use a filter path, e.g. %s[type eq "work"]`, elemPath(path, i), a.Name)
		}
		values = append(values, s)
	}
	return slices.DeleteFunc(list, func(e any) bool {
		m, _ := e.(map[string]any)
		s, ok := m["value"].(string)
		return ok && slices.ContainsFunc(values, func(w string) bool { return compareStrings(s, w, va.CaseExact, birdie.OpEq) })
	}), nil
}

// settlePrimary keeps at most one primary element (RFC 7643 §2.4). If an
// element the operation set (touched, in the order it set them) is
// primary, the last such one stays primary and every other primary
// element gets primary=false.
func settlePrimary(list []any, touched []int) {
	keep := -1
	for _, i := range touched {
		if isPrimary(list[i]) {
			keep = i
		}
	}
	if keep < 0 {
		return
	}
	for i, e := range list {
		if i != keep && isPrimary(e) {
			e.(map[string]any)["primary"] = false
		}
	}
}

func isPrimary(e any) bool {
	m, _ := e.(map[string]any)
	p, _ := m["primary"].(bool)
	return p
}
