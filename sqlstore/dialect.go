package sqlstore

import (
	"database/sql"
	"strconv"
	"strings"
)

// Dialect is what sqlstore needs to know about one SQL database. Queries
// are written once with "?" placeholders in SQL that SQLite and PostgreSQL
// both accept; the Dialect fills in the rest.
type Dialect struct {
	// Name names the database in error messages ("sqlite", "postgres").
	Name string

	// NumberedParams rewrites "?" placeholders as $1, $2, … (PostgreSQL).
	NumberedParams bool

	// ForUpdate is appended to the SELECT that UpdateUser and DeleteUser
	// run inside their transaction, to lock the row until commit
	// (" FOR UPDATE" on PostgreSQL). It is empty for SQLite, whose write
	// transactions begin IMMEDIATE and are therefore already serialised.
	ForUpdate string

	// LockFirstWorkspace, if not empty, is executed first in
	// CreateFirstWorkspace's transaction to serialise racing callers until
	// commit (a transaction-scoped advisory lock on PostgreSQL).
	LockFirstWorkspace string

	// LockMigrations and UnlockMigrations, if not empty, are executed on
	// one connection around the whole migration run, so that processes
	// starting together do not race (pg_advisory_lock on PostgreSQL).
	LockMigrations, UnlockMigrations string

	// ReadTx are the options of the read transaction ListUsers runs its
	// count and page queries in, so that both see one snapshot.
	ReadTx sql.TxOptions

	// UniqueViolation reports whether err is a unique-constraint violation
	// and, if so, returns text naming the violated index or columns (the
	// store looks for column names such as "user_name_key" in it).
	UniqueViolation func(err error) (what string, ok bool)

	// ForeignKeyViolation reports whether err is a foreign-key violation.
	ForeignKeyViolation func(err error) bool

	// CountShards is how many rows a workspace's user count is split
	// over (see user_counts); writers pick one at random so concurrent
	// creates do not wait on one row lock. 0 or 1: a single row, right
	// for SQLite, whose writes are serialised anyway.
	CountShards int

	// BatchWrites turns on group commit (see batch.go): for a database
	// with a single writer, where commits, not statements, are the cost.
	BatchWrites bool

	// SortMatches: the planner needs telling, when a list's filter is a
	// selective range, to read the matches through the range's index and
	// sort them rather than walk the sort column's index (see
	// listQuery.ranged). SQLite, which keeps no statistics on value
	// ranges, does; PostgreSQL's planner estimates ranges itself.
	SortMatches bool

	// StatementWrites: every statement is a network round trip
	// (PostgreSQL), and the database runs INSERT … RETURNING inside WITH
	// and takes array parameters. CreateUser is then one statement, its
	// own transaction: the user, its emails and the workspace's count in
	// one round trip instead of five (BEGIN, three statements, COMMIT).
	// Without it (SQLite, where a statement costs no round trip and group
	// commit shares the commit) they run in a transaction.
	StatementWrites bool
}

// rebind rewrites the "?" placeholders of query for the dialect. Queries
// in this package never contain a literal "?".
func (d *Dialect) rebind(query string) string {
	if !d.NumberedParams || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}
