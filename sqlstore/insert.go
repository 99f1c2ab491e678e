package sqlstore

import (
	"context"
	"database/sql"
	"strings"
)

// logRowsPerInsert are the sizes of the prepared multi-row INSERTs that
// write provisioning log batches, largest first: n rows take at most
// n/100 + 9 + 9 statements, none of them parsed at run time. 100 rows of
// the widest table (15 columns) stay far below either database's
// parameter limit.
var logRowsPerInsert = []int{100, 10, 1}

// emailRowsPerInsert are those of a user's email keys: a user has one to
// a few, and each statement saved is one less round through the driver
// on every create and every change of emails.
var emailRowsPerInsert = []int{4, 2, 1}

// multiInsert is one table's prepared INSERTs, by rows per statement.
type multiInsert struct {
	cols  int
	sizes []int // largest first, ending with 1
	by    map[int]*stmt
}

// insertStmts declares the INSERTs of prefix (`INSERT INTO t (a, b)
// VALUES `) for every size in sizes (largest first, ending with 1);
// suffix follows the values.
func insertStmts(prefix string, cols int, suffix string, sizes []int) multiInsert {
	m := multiInsert{cols: cols, sizes: sizes, by: make(map[int]*stmt)}
	row := "(?" + strings.Repeat(", ?", cols-1) + ")"
	for _, k := range sizes {
		m.by[k] = writeStmt(prefix + strings.Repeat(row+", ", k-1) + row + suffix)
	}
	return m
}

// insertRows inserts n rows in tx; values appends row i's values to a.
func (s *Store) insertRows(ctx context.Context, tx *sql.Tx, m multiInsert, n int, values func(i int, a []any) []any) error {
	args := make([]any, 0, min(n, m.sizes[0])*m.cols)
	for i := 0; i < n; {
		k := 1
		for _, size := range m.sizes {
			if n-i >= size {
				k = size
				break
			}
		}
		args = args[:0]
		for j := i; j < i+k; j++ {
			args = values(j, args)
		}
		if _, err := s.txStmt(ctx, tx, m.by[k]).ExecContext(ctx, args...); err != nil {
			return err
		}
		i += k
	}
	return nil
}
