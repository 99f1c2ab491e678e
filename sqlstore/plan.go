package sqlstore

import (
	"time"

	"birdie"
	"birdie/scim"
)

// A plan is what ListUsers does with a filter: a SQL condition over
// indexed columns, and whether that condition is the whole filter (exact)
// or only a necessary condition (a prefilter, after which every candidate
// row is checked with scim.Match).
//
// The translation rules, applied bottom-up:
//
//   - Compare with op eq and a non-empty value of the attribute's type, on
//     an indexed attribute, is exact:
//     id                       → id = v
//     userName                 → user_name_key = FoldKey(v)
//     externalId               → external_id = v (caseExact)
//     active                   → active = v (a bool)
//     the account email        → email_key = FoldKey(v)
//     emails.value (or emails) → pk IN (SELECT user_pk FROM user_emails
//     WHERE workspace_id = ws AND value_key = FoldKey(v))
//     Each is ANDed with workspace_id = ws (see leaf).
//   - meta.created and meta.lastModified compared with eq, gt, ge, lt or
//     le to a dateTime are exact too: created or last_modified against
//     the instant in microseconds (see translateMetaTime).
//   - ValuePath emails[…] whose filter has, on its And-spine, a conjunct
//     value eq v: that user_emails condition as a prefilter (exact if the
//     bracket holds nothing else).
//   - And: both sides translated → their AND (exact if both are); one side
//     translated → that side, as a prefilter. This applies at any depth of
//     the And-spine.
//   - Or: both sides translated → their OR (exact if both are); otherwise
//     nothing (a row could match through the untranslated side).
//   - Not: its operand translated exactly → NOT of it, exact; otherwise
//     nothing (NOT of a prefilter would drop rows that match).
//   - Anything else (other operators, other attributes, null, empty
//     strings, attribute paths not in the form scim.ParseFilter writes):
//     nothing.
//
// Exactness relies on the SQL condition holding for a row exactly when
// scim.Match holds for it: this is why only eq is translated on strings
// (whose ordering and case folding SQL would not reproduce), why empty
// strings are not (an absent externalId is stored as the empty string,
// which Match does not equal ""), and why every column compared is NOT
// NULL (so NOT never meets SQL's unknown). One known gap: the *_key
// columns hold birdie.FoldKey (strings.ToLower) while Match folds with
// Unicode simple case folding; the two differ only for a few non-ASCII
// letters (ſ and s, ς and σ, …), where the index-backed eq can miss a
// match that Match would find.
type plan struct {
	where  string // "" when nothing translated
	args   []any
	exact  bool // where is equivalent to the whole filter
	scoped bool // where alone implies workspace_id = ws
	ranged bool // where holds a meta.created/lastModified range (see listQuery.ranged)
}

// planFilter plans f for listing the workspace's users. A nil filter gives
// an exact plan with no condition.
func planFilter(f birdie.Filter, workspaceID int64) plan {
	if f == nil {
		return plan{exact: true}
	}
	p, ok := translate(f, workspaceID)
	if !ok {
		return plan{}
	}
	return p
}

// translate returns the SQL condition for f, or ok == false if no useful
// condition exists.
func translate(f birdie.Filter, ws int64) (plan, bool) {
	switch f := f.(type) {
	case birdie.Compare:
		return translateCompare(f, ws)
	case birdie.ValuePath:
		return translateValuePath(f, ws)
	case birdie.And:
		return translateAnd(f.Left, f.Right, ws)
	case birdie.Or:
		return translateOr(f.Left, f.Right, ws)
	case birdie.Not:
		return translateNot(f.X, ws)
	case *birdie.Compare:
		if f != nil {
			return translateCompare(*f, ws)
		}
	case *birdie.ValuePath:
		if f != nil {
			return translateValuePath(*f, ws)
		}
	case *birdie.And:
		if f != nil {
			return translateAnd(f.Left, f.Right, ws)
		}
	case *birdie.Or:
		if f != nil {
			return translateOr(f.Left, f.Right, ws)
		}
	case *birdie.Not:
		if f != nil {
			return translateNot(f.X, ws)
		}
	}
	return plan{}, false
}

func translateAnd(l, r birdie.Filter, ws int64) (plan, bool) {
	lp, lok := translate(l, ws)
	rp, rok := translate(r, ws)
	switch {
	case lok && rok:
		return plan{
			where:  "(" + lp.where + " AND " + rp.where + ")",
			args:   append(lp.args, rp.args...),
			exact:  lp.exact && rp.exact,
			scoped: lp.scoped || rp.scoped,
			ranged: lp.ranged || rp.ranged,
		}, true
	case lok:
		lp.exact = false
		return lp, true
	case rok:
		rp.exact = false
		return rp, true
	}
	return plan{}, false
}

func translateOr(l, r birdie.Filter, ws int64) (plan, bool) {
	lp, lok := translate(l, ws)
	rp, rok := translate(r, ws)
	if !lok || !rok {
		return plan{}, false
	}
	return plan{
		where:  "(" + lp.where + " OR " + rp.where + ")",
		args:   append(lp.args, rp.args...),
		exact:  lp.exact && rp.exact,
		scoped: lp.scoped && rp.scoped,
		ranged: lp.ranged || rp.ranged,
	}, true
}

func translateNot(x birdie.Filter, ws int64) (plan, bool) {
	p, ok := translate(x, ws)
	if !ok || !p.exact {
		return plan{}, false
	}
	p.where = "NOT (" + p.where + ")"
	p.scoped = false
	return p, true
}

// isCore reports whether urn is the core schema's as scim.ParseFilter
// writes it (and as scim.Match reads it): empty.
func isCore(urn string) bool { return urn == "" }

func translateCompare(c birdie.Compare, ws int64) (plan, bool) {
	if isCore(c.Path.URN) && c.Path.Attr == "meta" && (c.Path.Sub == "created" || c.Path.Sub == "lastModified") {
		return translateMetaTime(c, ws)
	}
	if c.Op != birdie.OpEq {
		return plan{}, false
	}
	if b, ok := c.Value.(bool); ok {
		if isCore(c.Path.URN) && c.Path.Attr == "active" && c.Path.Sub == "" {
			return leaf("active = ?", ws, b), true
		}
		return plan{}, false
	}
	v, ok := c.Value.(string)
	if !ok || v == "" || !validKey(v) {
		return plan{}, false
	}
	p := c.Path
	switch {
	case p.URN == scim.URNAccount && p.Attr == "email" && p.Sub == "":
		return leaf("email_key = ?", ws, birdie.FoldKey(v)), true
	case !isCore(p.URN):
		return plan{}, false
	case p.Attr == "id" && p.Sub == "":
		return leaf("id = ?", ws, v), true
	case p.Attr == "userName" && p.Sub == "":
		return leaf("user_name_key = ?", ws, birdie.FoldKey(v)), true
	case p.Attr == "externalId" && p.Sub == "":
		return leaf("external_id = ?", ws, v), true
	case p.Attr == "emails" && p.Sub == "value":
		return emailValuePlan(v, ws), true
	}
	return plan{}, false
}

// translateMetaTime translates meta.created and meta.lastModified compared
// with eq, gt, ge, lt or le to a dateTime: the filter incremental syncs
// send ("what changed since my last run"), answered by the
// users_created and users_last_modified indexes instead of a scan.
//
// Stored times are whole microseconds and scim.Match compares instants, so
// a value with a fraction of a microsecond is rounded the way that keeps
// the SQL condition exact: down for gt and le, up for ge and lt; eq with
// such a value matches no stored time and is left to scim.Match. A value
// scim.Match cannot parse is not translated either.
func translateMetaTime(c birdie.Compare, ws int64) (plan, bool) {
	v, ok := c.Value.(string)
	if !ok {
		return plan{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return plan{}, false
	}
	col := "created"
	if c.Path.Sub == "lastModified" {
		col = "last_modified"
	}
	ranged := func(cond string, v int64) (plan, bool) {
		p := leaf(cond, ws, v)
		p.ranged = true
		return p, true
	}
	floor := t.Unix()*1_000_000 + int64(t.Nanosecond()/1000) // exact for times before 1970 too
	ceil := floor
	if t.Nanosecond()%1000 != 0 {
		ceil++
	}
	switch c.Op {
	case birdie.OpGt:
		return ranged(col+" > ?", floor)
	case birdie.OpGe:
		return ranged(col+" >= ?", ceil)
	case birdie.OpLt:
		return ranged(col+" < ?", ceil)
	case birdie.OpLe:
		return ranged(col+" <= ?", floor)
	case birdie.OpEq:
		if ceil == floor {
			return ranged(col+" = ?", floor)
		}
	}
	return plan{}, false
}

// leaf is an exact condition on one indexed column, scoped to the
// workspace. Scoping each leaf lets the query drop its own top-level
// workspace_id = ws when the plan is scoped, so that an OR of lookups is
// planned as a union of index lookups: given "workspace_id = ? AND (… OR
// …)", SQLite (without statistics) prefers to scan the workspace through
// any index on workspace_id.
func leaf(cond string, ws int64, v any) plan {
	return plan{where: "(workspace_id = ? AND " + cond + ")", args: []any{ws, v}, exact: true, scoped: true}
}

// emailValuePlan is the exact condition for emails.value eq v. It is
// scoped without repeating workspace_id = ws on users, because a
// user_emails row always carries its user's workspace_id: SQLite then
// reads the matching users by primary key rather than through an index on
// workspace_id.
func emailValuePlan(v string, ws int64) plan {
	return plan{
		where:  "pk IN (SELECT user_pk FROM user_emails WHERE workspace_id = ? AND value_key = ?)",
		args:   []any{ws, birdie.FoldKey(v)},
		exact:  true,
		scoped: true,
	}
}

// translateValuePath prefilters emails[… value eq v …] by v.
func translateValuePath(vp birdie.ValuePath, ws int64) (plan, bool) {
	if !isCore(vp.Path.URN) || vp.Path.Attr != "emails" || vp.Path.Sub != "" {
		return plan{}, false
	}
	v, only, ok := valueConjunct(vp.Filter)
	if !ok {
		return plan{}, false
	}
	p := emailValuePlan(v, ws)
	p.exact = only
	return p, true
}

// valueConjunct finds a conjunct `value eq v` (v a non-empty string) on
// the And-spine of a bracket filter. only reports whether that conjunct is
// the whole filter.
func valueConjunct(f birdie.Filter) (v string, only, ok bool) {
	switch f := f.(type) {
	case birdie.Compare:
		return valueEq(f)
	case birdie.And:
		return valueConjunctAnd(f.Left, f.Right)
	case *birdie.Compare:
		if f != nil {
			return valueEq(*f)
		}
	case *birdie.And:
		if f != nil {
			return valueConjunctAnd(f.Left, f.Right)
		}
	}
	return "", false, false
}

func valueConjunctAnd(l, r birdie.Filter) (string, bool, bool) {
	if v, _, ok := valueConjunct(l); ok {
		return v, false, true
	}
	if v, _, ok := valueConjunct(r); ok {
		return v, false, true
	}
	return "", false, false
}

func valueEq(c birdie.Compare) (string, bool, bool) {
	v, ok := c.Value.(string)
	if c.Op != birdie.OpEq || c.Path.Attr != "value" || c.Path.Sub != "" || !ok || v == "" || !validKey(v) {
		return "", false, false
	}
	return v, true, true
}
