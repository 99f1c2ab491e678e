package sqlstore

import "birdie"

// ListSQL exposes, to this package's tests, the SQL ListUsers runs for q:
// the count query (exact plans), the query that reads rows, its arguments
// and whether the filter translated exactly.
func ListSQL(workspaceID int64, q birdie.UserQuery) (count, rows string, args []any, exact bool, err error) {
	l, err := buildList(workspaceID, q)
	if err != nil {
		return "", "", nil, false, err
	}
	if l.exact {
		rows, args := l.pageSQL(nil, false, q.Count, 0)
		return l.countSQL(), rows, args, true, nil
	}
	rows, args = l.scanSQL(nil, false)
	return "", rows, args, false, nil
}

// PlanFilter exposes the planner: the SQL condition for f ("" if none) and
// whether it is the whole filter.
func PlanFilter(f birdie.Filter, workspaceID int64) (where string, exact bool) {
	p := planFilter(f, workspaceID)
	return p.where, p.exact
}

// PruneLogBodiesSQL is the statement PruneLogBodies runs, for its plan.
var PruneLogBodiesSQL = pruneLogBodiesStmt.text
