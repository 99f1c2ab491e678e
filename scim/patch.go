package scim

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// PatchOp is one operation of a PatchOp request (RFC 7644 §3.5.2).
type PatchOp struct {
	Op    string // "add", "replace" or "remove"
	Path  string // "" when the operation has none
	Value any    // decoded JSON; nil when absent or null
}

// MaxPatchOperations bounds the operations of one PATCH request: they are
// applied inside a store transaction, which must stay short. Real IdPs send
// one operation per attribute, so a few dozen at most.
const MaxPatchOperations = 1000

// DecodePatch reads a PatchOp request body. It is liberal where IdPs
// differ and RFC 7644 does not need strictness: "schemas" is optional and
// not checked, member names are matched in any case ("Operations",
// "operations"), and so is op, because Entra sends "Add", "Replace" and
// "Remove". A missing or empty Operations array, an unknown op, a path that
// is not a string or a remove without a path are 400s saying what to send.
func DecodePatch(body []byte) ([]PatchOp, error) {
	raw, err := DecodeJSON(body)
	if err != nil {
		return nil, err
	}
	list, _ := memberFold(raw, "Operations").([]any)
	if len(list) == 0 {
		return nil, BadRequest(ErrInvalidSyntax, `a PatchOp body needs an "Operations" array with at least one operation, e.g. {"schemas":["%s"],"Operations":[{"op":"replace","path":"active","value":false}]}`, URNPatchOp)
	}
	if len(list) > MaxPatchOperations {
		return nil, BadRequest(ErrInvalidValue, "the request has %d operations; the limit is %d per PATCH: split it into several requests", len(list), MaxPatchOperations)
	}
	ops := make([]PatchOp, len(list))
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, atOp(i, BadRequest(ErrInvalidSyntax, `an operation must be an object with "op", "path" and "value", got %s`, jsonKind(item)))
		}
		var op PatchOp
		switch v := memberFold(m, "op").(type) {
		case string:
			op.Op = v
		case nil:
			return nil, atOp(i, BadRequest(ErrInvalidSyntax, `the operation has no "op"; use "add", "replace" or "remove"`))
		default:
			return nil, atOp(i, BadRequest(ErrInvalidSyntax, `"op" must be a string ("add", "replace" or "remove"), got %s`, jsonKind(v)))
		}
		switch v := memberFold(m, "path").(type) {
		case string:
			op.Path = v
		case nil: // absent or null: no path
		default:
			return nil, atOp(i, BadRequest(ErrInvalidSyntax, `"path" must be a string, got %s`, jsonKind(v)))
		}
		var hasValue bool
		op.Value, hasValue = lookupFold(m, "value")
		if ops[i], err = checkOp(op); err != nil {
			return nil, atOp(i, err)
		}
		if !hasValue && ops[i].Op != "remove" {
			// A missing value is not a null: treating it as one would
			// clear the attribute the IdP meant to set.
			return nil, atOp(i, BadRequest(ErrInvalidSyntax, `the %q operation needs a "value" (RFC 7644 §3.5.2.1, §3.5.2.3); to clear an attribute use "remove" with its "path"`, ops[i].Op))
		}
	}
	return ops, nil
}

// checkOp normalises op's name to lower case and checks what does not
// depend on the document. DecodePatch and ApplyPatch both call it, so that
// operations built in code obey the same rules as decoded ones.
func checkOp(op PatchOp) (PatchOp, error) {
	name := strings.ToLower(op.Op)
	switch name {
	case "add", "replace", "remove":
	default:
		return op, BadRequest(ErrInvalidSyntax, `unknown op %q; use "add", "replace" or "remove"`, op.Op)
	}
	op.Op = name
	op.Path = strings.TrimSpace(op.Path)
	if op.Op == "remove" && op.Path == "" {
		return op, BadRequest(ErrNoTarget, `a "remove" operation needs a "path" naming what to remove (RFC 7644 §3.5.2.2)`)
	}
	return op, nil
}

// memberFold returns obj's member name, preferring an exact match and
// otherwise matching case-insensitively, or nil.
func memberFold(obj map[string]any, name string) any {
	v, _ := lookupFold(obj, name)
	return v
}

// lookupFold is memberFold that also reports whether the member exists
// (its value may be null).
func lookupFold(obj map[string]any, name string) (any, bool) {
	if v, ok := obj[name]; ok {
		return v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// atOp prefixes an error's detail with the index of the operation that
// caused it, so an IdP admin can find it in a long request.
func atOp(i int, err error) error {
	e := *AsError(err)
	e.Detail = "Operations[" + strconv.Itoa(i) + "]: " + e.Detail
	return &e
}

// ApplyPatch applies ops, in order, to the canonical document doc (not
// nil), in place, keeping it canonical (see the package doc). It stops at
// the first failing operation and leaves doc half-changed: the caller
// passes a copy (CopyDoc) and discards it on error, which makes a PATCH
// atomic. Errors are 400s whose detail starts with the operation's index.
//
// RFC 7644 §3.5.2 leaves room for judgement, and real IdPs lean on it, so
// the rules are:
//
//   - Without a path, add and replace take an object whose keys are treated
//     as paths: attribute names, dotted sub-attribute paths (Entra's
//     aadOptscim062020 "name.givenName"), URN-qualified paths, or a schema
//     URN whose value is an object of that schema's attributes. A JSON
//     string holding such an object is decoded first (a Keycloak plugin
//     sends one). The "schemas" key is ignored.
//   - Paths Birdie does not keep are accepted and ignored: rejecting them
//     would fail a whole Entra sync over an attribute nobody reads. id,
//     meta, groups and the account extension are read-only (400
//     mutability); password is accepted and discarded.
//   - null means unassigned (RFC 7643 §2.5): add or replace of null on a
//     single value removes it. add of null to a multi-valued attribute adds
//     nothing; replace of null removes the attribute or matched elements.
//   - add on a single-valued attribute is replace. add and replace of a
//     complex value merge it: sub-attributes not given are left unchanged
//     (RFC 7644 §3.5.2.3; Okta's {"name":{"givenName":"X"}}). The exception
//     is a singular complex attribute with a "value" (manager): a new
//     value starts a new object, since the old $ref and displayName
//     described the previous manager.
//   - add to a multi-valued attribute appends, skipping exact duplicates;
//     replace without a filter replaces the whole array; a sub-attribute
//     path without a filter (emails.value) sets it on every element,
//     creating one if there is none.
//   - add and replace on a filtered path change every matching element,
//     and when none matches create one from the filter's equality
//     conditions (emails[type eq "work"].value creates {"type":"work",...}):
//     Entra relies on this, and a strict RFC server breaks its sync.
//   - When an operation leaves an element primary, the others lose their
//     primary flag (RFC 7643 §2.4: at most one primary); of several
//     elements the operation marks primary, the last wins.
//   - remove of a filtered path that matches nothing succeeds and changes
//     nothing: IdPs retry removes after timeouts, and the state they asked
//     for holds. remove of a multi-valued attribute with a value array
//     (Entra, JumpCloud) removes the elements whose value is listed; any
//     other remove ignores its value (Entra may send one with manager).
//   - Empty objects and arrays left behind are removed, as is an empty
//     enterprise extension. Required attributes are not checked here:
//     Derive does that on the result (remove of userName is reported there).
func ApplyPatch(doc map[string]any, ops []PatchOp) error {
	for i, op := range ops {
		op, err := checkOp(op)
		if err == nil {
			if op.Path == "" {
				err = applyPathless(doc, op.Op, op.Value)
			} else {
				err = applyAt(doc, op.Op, op.Path, op.Value)
			}
		}
		if err != nil {
			return atOp(i, err)
		}
	}
	return canonicalize(doc)
}

// canonicalize passes every member of doc through the same normalisation
// as a request body, so that a PATCH leaves exactly what a POST with the
// same attributes would store: e.g. a manager whose value was replaced by
// "" is absent, as it is on create.
func canonicalize(doc map[string]any) error {
	fresh := make(map[string]any, len(doc))
	for k, v := range doc {
		if err := SetMember(fresh, k, v); err != nil {
			return err
		}
	}
	clear(doc)
	maps.Copy(doc, fresh)
	return nil
}

// applyPathless applies an add or replace without a path: each key of the
// value object as if it were an operation with that path. Keys are applied
// in sorted order so that the result does not depend on map order when two
// keys overlap ("name" sorts before "name.givenName").
func applyPathless(doc map[string]any, op string, v any) error {
	obj, ok := v.(map[string]any)
	if s, isStr := v.(string); isStr && strings.HasPrefix(strings.TrimSpace(s), "{") {
		// Some clients send the object as a JSON string.
		var err error
		if obj, err = DecodeJSON([]byte(s)); err != nil {
			return BadRequest(ErrInvalidValue, `the %q operation without a "path" has a "value" string that is not a JSON object of attributes: %s`, op, AsError(err).Detail)
		}
		ok = true
	}
	if !ok {
		return BadRequest(ErrInvalidValue, `the %q operation without a "path" needs a "value" object of attributes, e.g. {"active":false}, got %s`, op, jsonKind(v))
	}
	return applyMembers(doc, op, "", obj)
}

// applyMembers applies each member of obj at the path prefix+key.
func applyMembers(doc map[string]any, op, prefix string, obj map[string]any) error {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		if !strings.EqualFold(k, "schemas") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := applyAt(doc, op, prefix+k, obj[k]); err != nil {
			return err
		}
	}
	return nil
}

// applyAt applies one operation at path, an operation's path or a key of
// a path-less value.
func applyAt(doc map[string]any, op, path string, v any) error {
	if s := SchemaByURN(path); s != nil {
		return applySchema(doc, op, s, path, v)
	}
	p, err := ParsePatchPath(path)
	if err != nil {
		return err
	}
	if err := checkWritable(p, path); err != nil || p.Unknown {
		return err
	}
	a := p.Attribute
	if p.Filter != nil && !a.MultiValued {
		return BadRequest(ErrInvalidPath, "%q: %s is single-valued, so it cannot take a filter in brackets; name it or one of its sub-attributes, e.g. %s.%s", path, a.Name, a.Name, a.Sub[0].Name)
	}
	if a.Mutability == "writeOnly" {
		return nil // password: accepted and discarded, never stored
	}
	t := doc
	if p.Schema == EnterpriseSchema {
		ext, _ := doc[URNEnterprise].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			doc[URNEnterprise] = ext
		}
		t = ext
		defer func() {
			if len(ext) == 0 {
				delete(doc, URNEnterprise)
			}
		}()
	}
	switch {
	case a.Type != TypeComplex:
		return setOrDelete(t, a.Name, op, a, v, path)
	case !a.MultiValued:
		return applySingular(t, op, a, p.SubAttribute, path, v)
	default:
		return applyMulti(t, op, a, p, path, v)
	}
}

// applySchema applies an operation whose path is a bare schema URN: its
// value is an object of that schema's attributes.
func applySchema(doc map[string]any, op string, s *Schema, path string, v any) error {
	if s == AccountSchema {
		return readOnlyError(path)
	}
	if op == "remove" || v == nil {
		if s == EnterpriseSchema {
			delete(doc, URNEnterprise)
			return nil
		}
		return BadRequest(ErrNoTarget, "%q names the core schema, which cannot be removed as a whole; name an attribute instead", path)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return BadRequest(ErrInvalidValue, "%q must be an object of that schema's attributes, got %s", path, jsonKind(v))
	}
	prefix := s.ID + ":"
	if s == UserSchema {
		prefix = ""
	}
	return applyMembers(doc, op, prefix, obj)
}

// checkWritable rejects paths to what Birdie owns: id, meta and groups
// (readOnly in the schemas) and anything in the account extension, even
// an attribute it does not have, since the whole extension is Birdie's.
func checkWritable(p PatchPath, path string) error {
	if p.Attribute != nil && p.Attribute.Mutability == "readOnly" || strings.EqualFold(p.URN, URNAccount) {
		return readOnlyError(path)
	}
	return nil
}

func readOnlyError(path string) error {
	return BadRequest(ErrMutability, "%q is read-only: Birdie sets it, and a PATCH cannot change or remove it", path)
}

// setOrDelete sets t[name] to v normalised for a, or deletes it for a
// remove or a null value.
func setOrDelete(t map[string]any, name, op string, a *Attribute, v any, path string) error {
	if op == "remove" || v == nil {
		delete(t, name)
		return nil
	}
	nv, err := NormalizeValue(a, v, path)
	if err != nil {
		return err
	}
	if nv == nil {
		delete(t, name)
	} else {
		t[name] = nv
	}
	return nil
}

// applySingular applies an operation to a singular complex attribute
// (name, manager), or to one of its sub-attributes when sub is not nil.
func applySingular(t map[string]any, op string, a, sub *Attribute, path string, v any) error {
	cur, _ := t[a.Name].(map[string]any)
	if sub == nil {
		if op == "remove" || v == nil {
			delete(t, a.Name)
			return nil
		}
		m, err := mergeComplex(a, cur, v, path)
		if err != nil {
			return err
		}
		if m == nil { // manager "": unassigned
			delete(t, a.Name)
			return nil
		}
		cur = m
	} else {
		if cur == nil {
			cur = map[string]any{}
		}
		if isReference(a) && sub.Name == "value" && op != "remove" {
			// A new manager id: the old $ref and displayName described the old one.
			if nv, _ := NormalizeValue(sub, v, path); nv != nil && nv != cur["value"] {
				clear(cur)
			}
		}
		if err := setOrDelete(cur, sub.Name, op, sub, v, path); err != nil {
			return err
		}
	}
	if len(cur) == 0 {
		delete(t, a.Name)
	} else {
		t[a.Name] = cur
	}
	return nil
}

// isReference reports whether a is a singular complex attribute whose
// "value" identifies what its other sub-attributes describe (manager).
func isReference(a *Attribute) bool { return !a.MultiValued && a.SubAttr("value") != nil }

// mergeComplex merges v into the complex value cur (which may be nil) and
// returns the result; for a multi-valued a, cur is one element. A
// sub-attribute given as null is removed; unknown sub-attributes are
// ignored, as in Decode. A value that is not an object (manager's bare id,
// a one-element array) is normalised first; if that leaves nothing (""
// or []), the value is unassigned and the result is nil.
func mergeComplex(a *Attribute, cur map[string]any, v any, path string) (map[string]any, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		nv, err := NormalizeValue(elementAttr(a), v, path)
		if err != nil || nv == nil {
			return nil, err
		}
		obj = nv.(map[string]any)
	}
	if cur == nil {
		cur = map[string]any{}
	}
	if isReference(a) {
		if id, ok := memberFold(obj, "value").(string); ok && id != cur["value"] {
			clear(cur)
		}
	}
	for k, sv := range obj {
		if sa := a.SubAttr(k); sa != nil {
			if err := setOrDelete(cur, sa.Name, "replace", sa, sv, path+"."+sa.Name); err != nil {
				return nil, err
			}
		}
	}
	return cur, nil
}

// elementAttr returns the attribute that describes one element of a (a
// itself if a is singular), for NormalizeValue.
func elementAttr(a *Attribute) *Attribute {
	if !a.MultiValued {
		return a
	}
	e := *a
	e.MultiValued = false
	return &e
}

// CopyDoc returns a deep copy of a canonical document, so that ApplyPatch
// can work on the copy and the caller keep the original if it fails.
func CopyDoc(doc map[string]any) map[string]any {
	if doc == nil {
		return map[string]any{}
	}
	return copyJSON(doc).(map[string]any)
}

func copyJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = copyJSON(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = copyJSON(e)
		}
		return s
	}
	return v
}
