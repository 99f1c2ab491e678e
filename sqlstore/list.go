package sqlstore

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"birdie"
	"birdie/scim"
)

// sortColumns maps the sort keys of a UserQuery to the column that orders
// them; each but active has an index on (workspace_id, column), with pk
// where the column is not unique (active is sorted in memory).
var sortColumns = []struct{ key, col string }{
	{birdie.SortCreated, "created"},
	{birdie.SortLastModified, "last_modified"},
	{birdie.SortID, "id"},
	{birdie.SortUserName, "user_name_key"},
	{birdie.SortExternalID, "external_id"},
	{birdie.SortDisplayName, "display_name_key"},
	{birdie.SortEmail, "email_key"},
	{birdie.SortActive, "active"},
}

// sortColumn returns the column for a sort key. The empty key means
// meta.created, which is creation order.
func sortColumn(sortBy string) (string, error) {
	if sortBy == "" {
		sortBy = birdie.SortCreated
	}
	for _, c := range sortColumns {
		if strings.EqualFold(c.key, sortBy) {
			return c.col, nil
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
	col   string // the sort column; pk breaks ties, in the same direction
	desc  bool
	order string // " ORDER BY col, pk" in the query's direction
	plus  bool   // order is by +col (see sortMatches)
	exact bool   // where is the whole filter
	all   bool   // no filter at all: the workspace's user count is the total
	// ranged: where holds a meta.created or meta.lastModified range (an
	// incremental sync's "changed since"). SQLite, knowing nothing of how
	// selective the range is, prefers to read the sort column's index in
	// order and test every user against it; when the count shows few
	// matches, sortMatches makes it read them through the range's index
	// and sort them instead.
	ranged bool
}

// sortMatchesMax is the largest count of matches that listExact reads
// through the filter's index and sorts (see listQuery.ranged).
const sortMatchesMax = 10_000

// sortMatches returns l ordered by an expression of its sort column, so
// that SQLite cannot use the column's index for the order and uses the
// filter's instead. The rows and their order are the same.
func (l listQuery) sortMatches() listQuery {
	l.plus = true
	l.order = orderClause("+"+l.col, l.desc)
	return l
}

// sortMatchesIfFew is l.sortMatches() when l holds a range whose total
// matches are few enough to sort and the dialect needs telling (see
// listQuery.ranged), and l otherwise.
func (l listQuery) sortMatchesIfFew(d Dialect, total int) listQuery {
	if l.ranged && d.SortMatches && total <= sortMatchesMax {
		return l.sortMatches()
	}
	return l
}

// buildList plans q for the workspace.
func buildList(workspaceID int64, q birdie.UserQuery) (listQuery, error) {
	col, err := sortColumn(q.SortBy)
	if err != nil {
		return listQuery{}, err
	}
	p := planFilter(q.Filter, workspaceID)
	l := listQuery{col: col, desc: q.Descending, exact: p.exact, all: q.Filter == nil, ranged: p.ranged}
	l.order = orderClause(col, q.Descending)
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

func orderClause(col string, desc bool) string {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	return " ORDER BY " + col + dir + ", pk" + dir
}

// from returns where and args restricted to the rows strictly after pos in
// the query's order (or strictly before it, when before is set), and the
// order to read them in: reading backwards from pos gives the page that
// ends just before it, which the caller then reverses.
func (l listQuery) from(pos *position, before bool) (where string, args []any, order string) {
	where, args, order = l.where, l.args, l.order
	if pos == nil {
		return
	}
	forward := l.desc == before // ascending after, or descending before
	cmp := " > "
	if !forward {
		cmp = " < "
	}
	where += " AND (" + l.col + ", pk)" + cmp + "(?, ?)"
	args = append(args[:len(args):len(args)], pos.Val, pos.PK)
	if before {
		col := l.col
		if l.plus {
			col = "+" + col
		}
		order = orderClause(col, !l.desc)
	}
	return
}

// ListUsers returns one page of the workspace's users matching q and how
// many match in all. See plan.go for how the filter is split between SQL
// and Go. ENOTFOUND if the workspace does not exist.
//
// Pages never cost O(offset): with a cursor they start from the cursor's
// position, and an index-paginated page that continues the previous page
// of the same query resumes from where that one ended (see resumeCache).
func (s *Store) ListUsers(ctx context.Context, workspaceID int64, q birdie.UserQuery) (birdie.UserPage, error) {
	l, err := buildList(workspaceID, q)
	if err != nil {
		return birdie.UserPage{}, err
	}
	// The query's fingerprint (cursors, resumed pages) costs microseconds:
	// computed only when needed.
	var fpv string
	fp := func() string {
		if fpv == "" {
			fpv = fingerprint(workspaceID, l)
		}
		return fpv
	}
	var cur *cursor
	if q.UseCursor && q.Cursor != "" {
		c, err := decodeCursor(q.Cursor, fp(), l.col)
		if err != nil {
			return birdie.UserPage{}, err
		}
		cur = &c
	}

	if !q.UseCursor && l.exact && !l.all && !l.ranged && q.Count > 0 && q.StartIndex <= 1 {
		// A lookup (userName eq, externalId eq, …): the first page often
		// holds every match, and then it is the whole answer, with no
		// COUNT and no transaction. This is the query every IdP sends
		// before each create or update.
		if page, ok, err := s.listFirstPage(ctx, workspaceID, l, q.Count); err != nil || ok {
			return page, wrap("list users", err)
		}
	}
	if !q.UseCursor && l.all && q.Count <= 0 {
		// Only the total of an unfiltered list (count=0): the kept
		// count, with the workspace check in the same statement.
		page, err := s.totalOnly(ctx, workspaceID)
		return page, wrap("list users", err)
	}

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
	switch {
	case q.UseCursor:
		page, err = s.listCursor(ctx, tx, workspaceID, q, l, fp(), cur)
	case l.exact:
		page, err = s.listExact(ctx, tx, workspaceID, l, fp, max(q.StartIndex, 1), max(q.Count, 0))
	default:
		page, err = s.listMatching(ctx, tx, q.Filter, l, max(q.StartIndex, 1), max(q.Count, 0))
	}
	if err != nil {
		return birdie.UserPage{}, wrap("list users", err)
	}
	return page, nil
}

// countSQL counts the rows matching an exact plan.
func (l listQuery) countSQL() string { return `SELECT COUNT(*) FROM users` + l.where }

// scanSQL reads the rows after (or before) pos in order; pageSQL reads one
// page of them, its last arguments being LIMIT and OFFSET.
func (l listQuery) scanSQL(pos *position, before bool) (string, []any) {
	where, args, order := l.from(pos, before)
	return `SELECT ` + userCols + ` FROM users` + where + order, args
}

func (l listQuery) pageSQL(pos *position, before bool, limit, offset int) (string, []any) {
	query, args := l.scanSQL(pos, before)
	return query + ` LIMIT ? OFFSET ?`, append(args[:len(args):len(args)], limit, offset)
}

// count returns how many rows match an exact plan. Without a filter that
// is the workspace's kept count (user_counts), one read however large the
// workspace.
func (s *Store) count(ctx context.Context, tx *sql.Tx, workspaceID int64, l listQuery) (int, error) {
	var n int
	if l.all {
		err := s.txStmt(ctx, tx, userCountStmt).QueryRowContext(ctx, workspaceID).Scan(&n)
		return n, err
	}
	rows, err := s.query(ctx, tx, l.countSQL(), l.args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, err
		}
		return 0, sql.ErrNoRows
	}
	if err := rows.Scan(&n); err != nil {
		return 0, err
	}
	return n, rows.Close()
}

// readPage reads up to limit rows after (or before) pos, in the query's
// order, with their positions.
func (s *Store) readPage(ctx context.Context, tx *sql.Tx, l listQuery, pos *position, before bool, offset, limit int) ([]birdie.User, []position, error) {
	query, args := l.pageSQL(pos, before, limit, offset)
	rows, err := s.query(ctx, tx, query, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	users := make([]birdie.User, 0, min(limit, 1024))
	var posns []position
	for rows.Next() {
		pk, u, err := scanUser(rows)
		if err != nil {
			return nil, nil, err
		}
		users = append(users, u)
		posns = append(posns, position{Val: sortValue(l.col, &u), PK: pk})
	}
	if before {
		slices.Reverse(users)
		slices.Reverse(posns)
	}
	return users, posns, rows.Err()
}

// listExact lists when SQL holds the whole filter: a COUNT, then one page,
// resumed from the previous page's end when this process served it.
func (s *Store) listExact(ctx context.Context, tx *sql.Tx, workspaceID int64, l listQuery, fp func() string, start, count int) (birdie.UserPage, error) {
	var page birdie.UserPage
	var err error
	if page.Total, err = s.count(ctx, tx, workspaceID, l); err != nil {
		return page, err
	}
	if count == 0 || start > page.Total {
		return page, nil
	}
	l = l.sortMatchesIfFew(s.d, page.Total)
	now := s.now()
	var posns []position
	if pos, ok := s.resume.get(fp(), start, now); ok {
		page.Users, posns, err = s.readPage(ctx, tx, l, &pos, false, 0, count)
	} else {
		page.Users, posns, err = s.readPage(ctx, tx, l, nil, false, start-1, count)
	}
	if err != nil {
		return page, err
	}
	if n := len(posns); n > 0 && start+n <= page.Total {
		s.resume.put(fp(), start+n, posns[n-1], now)
	}
	return page, nil
}

// totalOnly answers an unfiltered list with count=0: the workspace's kept
// count, or ENOTFOUND, in one statement and no transaction.
func (s *Store) totalOnly(ctx context.Context, workspaceID int64) (birdie.UserPage, error) {
	var page birdie.UserPage
	var exists bool
	if err := s.stmt(totalOnlyStmt).QueryRowContext(ctx, workspaceID, workspaceID).Scan(&page.Total, &exists); err != nil {
		return page, err
	}
	if !exists {
		return page, errWorkspaceNotFound(workspaceID)
	}
	return page, nil
}

var totalOnlyStmt = readStmt(`SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT),
	EXISTS (SELECT 1 FROM workspaces WHERE id = ?) FROM user_counts WHERE workspace_id = ?`)

// listFirstPage reads the first page of an exact plan in one query. ok is
// false when the page is full, so that more rows may match and the caller
// must count them.
func (s *Store) listFirstPage(ctx context.Context, workspaceID int64, l listQuery, count int) (page birdie.UserPage, ok bool, err error) {
	query, args := l.pageSQL(nil, false, count, 0)
	rows, err := s.query(ctx, nil, query, args...)
	if err != nil {
		return page, false, err
	}
	defer rows.Close()
	for rows.Next() {
		_, u, err := scanUser(rows)
		if err != nil {
			return page, false, err
		}
		page.Users = append(page.Users, u)
	}
	if err := rows.Err(); err != nil {
		return page, false, err
	}
	if len(page.Users) >= count {
		return birdie.UserPage{}, false, nil
	}
	if len(page.Users) == 0 {
		// No match, or no such workspace: tell them apart.
		if err := s.workspaceExists(ctx, nil, workspaceID); err != nil {
			return page, false, err
		}
	}
	page.Total = len(page.Users)
	return page, true, nil
}

// listMatching lists when SQL holds only part of the filter, or none of
// it: it streams the candidate rows in sort order, evaluates the whole
// filter on each with scim.Match, counts every match and keeps only the
// page's.
func (s *Store) listMatching(ctx context.Context, tx *sql.Tx, f birdie.Filter, l listQuery, start, count int) (birdie.UserPage, error) {
	var page birdie.UserPage
	err := s.scan(ctx, tx, l, nil, false, func(u *birdie.User, _ position) bool {
		if !scim.Match(f, u) {
			return true
		}
		page.Total++
		if page.Total >= start && len(page.Users) < count {
			page.Users = append(page.Users, *u)
		}
		return true
	})
	return page, err
}

// scan streams the candidate rows after (or before) pos in order, calling
// fn on each until it returns false.
func (s *Store) scan(ctx context.Context, tx *sql.Tx, l listQuery, pos *position, before bool, fn func(*birdie.User, position) bool) error {
	query, args := l.scanSQL(pos, before)
	rows, err := s.query(ctx, tx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		pk, u, err := scanUser(rows)
		if err != nil {
			return err
		}
		if !fn(&u, position{Val: sortValue(l.col, &u), PK: pk}) {
			break
		}
	}
	return rows.Err()
}

// listCursor serves cursor pagination (RFC 9865): the page after (or
// before) the cursor's position, with cursors to its neighbours. One more
// row than asked is read on each side to know whether a neighbour exists.
func (s *Store) listCursor(ctx context.Context, tx *sql.Tx, workspaceID int64, q birdie.UserQuery, l listQuery, fp string, cur *cursor) (birdie.UserPage, error) {
	var page birdie.UserPage
	count := max(q.Count, 0)
	var pos *position
	before := false
	if cur != nil {
		pos, before = &position{Val: cur.Val, PK: cur.PK}, cur.Before
	}
	var users []birdie.User
	var posns []position
	var err error
	if l.exact {
		if page.Total, err = s.count(ctx, tx, workspaceID, l); err != nil {
			return page, err
		}
		l = l.sortMatchesIfFew(s.d, page.Total)
		users, posns, err = s.readPage(ctx, tx, l, pos, before, 0, count+1)
	} else {
		users, posns, page.Total, err = s.matchPage(ctx, tx, q.Filter, l, pos, before, count+1)
	}
	if err != nil || count == 0 {
		return page, err
	}
	// users holds up to count+1 rows on the side away from pos; the extra
	// one, if any, says that side has another page.
	more := len(users) > count
	if more {
		if before {
			users, posns = users[1:], posns[1:]
		} else {
			users, posns = users[:count], posns[:count]
		}
	}
	page.Users = users
	if len(posns) == 0 {
		return page, nil
	}
	first, last := posns[0], posns[len(posns)-1]
	hasNext, hasPrev := more, pos != nil
	if before {
		hasNext, hasPrev = true, more
	}
	if hasNext {
		page.NextCursor = encodeCursor(cursor{Query: fp, Val: last.Val, PK: last.PK})
	}
	if hasPrev {
		page.PrevCursor = encodeCursor(cursor{Query: fp, Before: true, Val: first.Val, PK: first.PK})
	}
	return page, nil
}

// matchPage is readPage for inexact plans: it streams every candidate once,
// counting all matches for the total and keeping up to limit of those
// after (or before) pos.
func (s *Store) matchPage(ctx context.Context, tx *sql.Tx, f birdie.Filter, l listQuery, pos *position, before bool, limit int) ([]birdie.User, []position, int, error) {
	total := 0
	var users []birdie.User
	var posns []position
	err := s.scan(ctx, tx, l, nil, false, func(u *birdie.User, p position) bool {
		if !scim.Match(f, u) {
			return true
		}
		total++
		if pos == nil || before == false && l.after(p, *pos) {
			if len(users) < limit {
				users, posns = append(users, *u), append(posns, p)
			}
		} else if before && l.after(*pos, p) {
			// Keep the last limit matches before pos.
			users, posns = append(users, *u), append(posns, p)
			if len(users) > limit {
				users, posns = users[1:], posns[1:]
			}
		}
		return true
	})
	return users, posns, total, err
}

// after reports whether a comes after b in the query's order.
func (l listQuery) after(a, b position) bool {
	c := compareVal(a.Val, b.Val)
	if c == 0 {
		c = cmpInt(a.PK, b.PK)
	}
	if l.desc {
		return c < 0
	}
	return c > 0
}

func compareVal(a, b any) int {
	switch x := a.(type) {
	case int64:
		y, _ := b.(int64)
		return cmpInt(x, y)
	case string:
		y, _ := b.(string)
		return strings.Compare(x, y)
	case bool:
		y, _ := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
