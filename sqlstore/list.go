package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"birdie"
	"birdie/scim"
)

// sortColumns maps the sort keys of a UserQuery to the column that orders
// them; each has an index on (workspace_id, column, pk).
var sortColumns = []struct{ key, col string }{
	{birdie.SortCreated, "created"},
	{birdie.SortLastModified, "last_modified"},
	{birdie.SortID, "id"},
	{birdie.SortUserName, "user_name_key"},
	{birdie.SortExternalID, "external_id"},
	{birdie.SortDisplayName, "display_name"},
	{birdie.SortEmail, "email_key"},
	{birdie.SortActive, "active"},
}

// orderBy returns the ORDER BY clause for a sort key and direction. The
// empty key means meta.created, which is creation order. Every key gets pk
// as its tie-breaker, in the same direction, so that pages are stable and
// a descending list is exactly the ascending one reversed.
func orderBy(sortBy string, desc bool) (string, error) {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	if sortBy == "" {
		sortBy = birdie.SortCreated
	}
	for _, c := range sortColumns {
		if strings.EqualFold(c.key, sortBy) {
			return " ORDER BY " + c.col + dir + ", pk" + dir, nil
		}
	}
	keys := make([]string, len(sortColumns))
	for i, c := range sortColumns {
		keys[i] = c.key
	}
	return "", birdie.Errorf(birdie.EINVALID, "cannot sort users by %q; sortBy must be one of %s", sortBy, strings.Join(keys, ", "))
}

// listQuery is a ListUsers call turned into SQL (with "?" placeholders).
type listQuery struct {
	where string // " WHERE …", always limited to the workspace
	args  []any  // for where
	order string // " ORDER BY …"
	exact bool   // where is the whole filter
}

// buildList plans q for the workspace.
func buildList(workspaceID int64, q birdie.UserQuery) (listQuery, error) {
	order, err := orderBy(q.SortBy, q.Descending)
	if err != nil {
		return listQuery{}, err
	}
	p := planFilter(q.Filter, workspaceID)
	l := listQuery{order: order, exact: p.exact}
	switch {
	case p.scoped:
		l.where, l.args = " WHERE "+p.where, p.args
	case p.where != "":
		l.where, l.args = " WHERE workspace_id = ? AND "+p.where, append([]any{workspaceID}, p.args...)
	default:
		l.where, l.args = " WHERE workspace_id = ?", []any{workspaceID}
	}
	return l, nil
}

// countSQL counts the rows matching where (exact plans only).
func (l listQuery) countSQL() string { return `SELECT COUNT(*) FROM users` + l.where }

// pageSQL reads one page; its last two arguments are LIMIT and OFFSET.
func (l listQuery) pageSQL() string {
	return `SELECT ` + userCols + ` FROM users` + l.where + l.order + ` LIMIT ? OFFSET ?`
}

// scanSQL streams every candidate row in order (inexact plans).
func (l listQuery) scanSQL() string { return `SELECT ` + userCols + ` FROM users` + l.where + l.order }

// ListUsers returns one page of the workspace's users matching q and how
// many match in all. See plan.go for how the filter is split between SQL
// and Go. ENOTFOUND if the workspace does not exist.
func (s *Store) ListUsers(ctx context.Context, workspaceID int64, q birdie.UserQuery) (birdie.UserPage, error) {
	l, err := buildList(workspaceID, q)
	if err != nil {
		return birdie.UserPage{}, err
	}
	start := max(q.StartIndex, 1)
	count := max(q.Count, 0)

	// One read transaction, so that the workspace check, the count and
	// the page see one snapshot.
	tx, err := s.r.BeginTx(ctx, &s.d.ReadTx)
	if err != nil {
		return birdie.UserPage{}, wrap("list users", err)
	}
	defer tx.Rollback()
	if err := s.workspaceExists(ctx, tx, workspaceID); err != nil {
		return birdie.UserPage{}, wrap("list users", err)
	}
	var page birdie.UserPage
	if l.exact {
		page, err = s.listExact(ctx, tx, l, start, count)
	} else {
		page, err = s.listMatching(ctx, tx, q.Filter, l, start, count)
	}
	if err != nil {
		return birdie.UserPage{}, wrap("list users", err)
	}
	return page, nil
}

// listExact lists when SQL holds the whole filter: a COUNT, then one page
// with LIMIT and OFFSET.
func (s *Store) listExact(ctx context.Context, tx *sql.Tx, l listQuery, start, count int) (birdie.UserPage, error) {
	var page birdie.UserPage
	if err := tx.QueryRowContext(ctx, s.d.rebind(l.countSQL()), l.args...).Scan(&page.Total); err != nil {
		return page, err
	}
	if count == 0 || start > page.Total {
		return page, nil
	}
	args := append(l.args[:len(l.args):len(l.args)], count, start-1)
	rows, err := tx.QueryContext(ctx, s.d.rebind(l.pageSQL()), args...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	page.Users = make([]birdie.User, 0, min(count, page.Total-start+1))
	for rows.Next() {
		_, u, err := scanUser(rows)
		if err != nil {
			return page, err
		}
		page.Users = append(page.Users, u)
	}
	return page, rows.Err()
}

// listMatching lists when SQL holds only part of the filter, or none of
// it: it streams the candidate rows in sort order, evaluates the whole
// filter on each with scim.Match, counts every match and keeps only the
// page's.
func (s *Store) listMatching(ctx context.Context, tx *sql.Tx, f birdie.Filter, l listQuery, start, count int) (birdie.UserPage, error) {
	var page birdie.UserPage
	rows, err := tx.QueryContext(ctx, s.d.rebind(l.scanSQL()), l.args...)
	if err != nil {
		return page, err
	}
	defer rows.Close()
	for rows.Next() {
		_, u, err := scanUser(rows)
		if err != nil {
			return page, err
		}
		if !scim.Match(f, &u) {
			continue
		}
		page.Total++
		if page.Total >= start && len(page.Users) < count {
			page.Users = append(page.Users, u)
		}
	}
	return page, rows.Err()
}
