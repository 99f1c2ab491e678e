package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"

	"birdie"
	"birdie/scim"
)

// insertUserSQL inserts one users row; insertUserArgs are its arguments.
const insertUserSQL = `INSERT INTO users
		(workspace_id, id, user_name, user_name_key, external_id, display_name, display_name_key, active, email, email_key, email_values, attributes, created, last_modified, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertUserArgs are insertUserSQL's arguments for u, encoded as r, and
// then more.
func insertUserArgs(workspaceID int64, u *birdie.User, r userRow, more ...any) []any {
	return append([]any{workspaceID, u.ID, u.UserName, birdie.FoldKey(u.UserName), u.ExternalID, u.DisplayName, birdie.FoldKey(u.DisplayName), u.Active,
		u.Email, birdie.FoldKey(u.Email), string(r.emailValues), string(r.attrs),
		micros(u.Created), micros(u.LastModified), u.Version}, more...)
}

// userCols are the columns scanUser reads, in its order.
const userCols = `pk, id, user_name, external_id, display_name, active, email, email_values, attributes, created, last_modified, version`

var (
	userStmt       = readStmt(`SELECT ` + userCols + ` FROM users WHERE id = ? AND workspace_id = ?`)
	lockUserStmt   = lockStmt(`SELECT ` + userCols + ` FROM users WHERE id = ? AND workspace_id = ?`)
	insertUserStmt = writeStmt(insertUserSQL + ` RETURNING pk`)
	// createUserStmt is CreateUser in one statement, for StatementWrites:
	// the user, then one user_emails row per element of the array
	// parameter, then the count.
	createUserStmt = cteStmt(`WITH u AS (` + insertUserSQL + ` RETURNING pk, workspace_id
	), e AS (
		INSERT INTO user_emails (user_pk, workspace_id, value_key)
		SELECT u.pk, u.workspace_id, k FROM u, unnest(CAST(? AS TEXT[])) AS k
	), c AS (
		INSERT INTO user_counts (workspace_id, shard, n) VALUES (?, ?, 1)
		ON CONFLICT (workspace_id, shard) DO UPDATE SET n = user_counts.n + excluded.n
	)
	SELECT pk FROM u`)
	deleteUserStmt   = writeStmt(`DELETE FROM users WHERE pk = ?`)
	insertEmailStmts = insertStmts(`INSERT INTO user_emails (user_pk, workspace_id, value_key) VALUES `, 3, ``, emailRowsPerInsert)
	deleteEmailsStmt = writeStmt(`DELETE FROM user_emails WHERE user_pk = ?`)
	addUserCountStmt = writeStmt(`INSERT INTO user_counts (workspace_id, shard, n) VALUES (?, ?, ?)
		ON CONFLICT (workspace_id, shard) DO UPDATE SET n = user_counts.n + excluded.n`)
	userCountStmt = readStmt(`SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM user_counts WHERE workspace_id = ?`)
)

// scanUser reads a row of userCols.
func scanUser(row interface{ Scan(...any) error }) (pk int64, u birdie.User, err error) {
	var emailValues, attrs []byte
	var created, modified int64
	err = row.Scan(&pk, &u.ID, &u.UserName, &u.ExternalID, &u.DisplayName, &u.Active,
		&u.Email, &emailValues, &attrs, &created, &modified, &u.Version)
	if err != nil {
		return 0, birdie.User{}, err
	}
	// scim's decoder, not encoding/json: every read of a user pays for
	// this, and reflection made it the largest cost after the query.
	if u.EmailValues, err = scim.DecodeStrings(emailValues); err != nil {
		return 0, birdie.User{}, fmt.Errorf("decode email_values of user %s: %w", u.ID, err)
	}
	if u.Attributes, err = scim.DecodeDocument(attrs); err != nil {
		return 0, birdie.User{}, fmt.Errorf("decode attributes of user %s: %w", u.ID, err)
	}
	u.Created = fromMicros(created)
	u.LastModified = fromMicros(modified)
	return pk, u, nil
}

// userRow is a user in the form its columns are written.
type userRow struct {
	emailValues, attrs []byte
	emailKeys          []string // distinct FoldKeys of EmailValues, for user_emails
}

// encodeUser encodes u's columns with scim's encoder, not encoding/json:
// every create and change pays for it, and json.Marshal's reflection over
// the attribute map cost a PATCH about a twentieth of its CPU. A nil slice
// or map is written as null, as json.Marshal writes it.
func encodeUser(u *birdie.User) (userRow, error) {
	var r userRow
	var err error
	if u.EmailValues == nil {
		r.emailValues = []byte("null")
	} else {
		r.emailValues = scim.AppendJSON(nil, u.EmailValues)
	}
	if u.Attributes == nil {
		r.attrs = []byte("null")
	} else if r.attrs, err = scim.AppendDocument(make([]byte, 0, 1024), u.Attributes); err != nil {
		return r, fmt.Errorf("encode attributes: %w", err)
	}
	r.emailKeys = emailKeys(u.EmailValues)
	return r, nil
}

// emailKeys returns the distinct non-empty FoldKeys of values, sorted.
func emailKeys(values []string) []string {
	keys := make([]string, 0, len(values))
	for _, v := range values {
		if v != "" {
			keys = append(keys, birdie.FoldKey(v))
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// errUserNameTaken is the conflict a unique violation on
// (workspace_id, user_name_key) means.
func errUserNameTaken(userName string) error {
	return birdie.Errorf(birdie.ECONFLICT, "userName %q is already taken in this workspace (userNames are compared case-insensitively); choose another userName or update the existing user", userName)
}

// validKey reports whether s can be a stored key: UTF-8 without NUL. Other
// strings match nothing, and PostgreSQL would refuse them with an error
// rather than answer "no rows".
func validKey(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

func errUserNotFound(id string) error {
	return birdie.Errorf(birdie.ENOTFOUND, "user %q not found in this workspace", id)
}

// userWriteError maps a constraint violation on writing u to a
// *birdie.Error.
func (s *Store) userWriteError(workspaceID int64, u *birdie.User, err error) error {
	if what, ok := s.d.UniqueViolation(err); ok {
		if strings.Contains(what, "user_name_key") {
			return errUserNameTaken(u.UserName)
		}
		return birdie.Errorf(birdie.ECONFLICT, "a user with id %q already exists", u.ID)
	}
	if s.d.ForeignKeyViolation(err) {
		return errWorkspaceNotFound(workspaceID)
	}
	return err
}

// CreateUser stores a new user whose ID, times and Version the caller has
// set. ECONFLICT if the userName is taken in the workspace; ENOTFOUND if the
// workspace does not exist.
func (s *Store) CreateUser(ctx context.Context, workspaceID int64, u birdie.User) error {
	if s.d.StatementWrites {
		return wrap("create user", s.createUserStatement(ctx, workspaceID, &u))
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.insertUser(ctx, tx, workspaceID, &u); err != nil {
			return err
		}
		return s.addUserCount(ctx, tx, workspaceID, 1)
	})
	return wrap("create user", err)
}

// createUserStatement is CreateUser as one statement (Dialect.StatementWrites).
func (s *Store) createUserStatement(ctx context.Context, workspaceID int64, u *birdie.User) error {
	r, err := encodeUser(u)
	if err != nil {
		return err
	}
	var pk int64
	err = s.stmt(createUserStmt).QueryRowContext(ctx,
		insertUserArgs(workspaceID, u, r, r.emailKeys, workspaceID, s.countShard())...).Scan(&pk)
	if err != nil {
		return s.userWriteError(workspaceID, u, err)
	}
	return nil
}

// insertUser writes one new user's rows (users, user_emails) in tx; the
// caller adjusts the workspace's count.
func (s *Store) insertUser(ctx context.Context, tx *sql.Tx, workspaceID int64, u *birdie.User) error {
	r, err := encodeUser(u)
	if err != nil {
		return err
	}
	var pk int64
	err = s.txStmt(ctx, tx, insertUserStmt).QueryRowContext(ctx, insertUserArgs(workspaceID, u, r)...).Scan(&pk)
	if err != nil {
		return s.userWriteError(workspaceID, u, err)
	}
	return s.insertEmails(ctx, tx, workspaceID, pk, r.emailKeys)
}

// addUserCount adds n (which may be negative) to the workspace's user
// count, on a shard picked at random (see Dialect.CountShards).
func (s *Store) addUserCount(ctx context.Context, tx *sql.Tx, workspaceID int64, n int) error {
	_, err := s.txStmt(ctx, tx, addUserCountStmt).ExecContext(ctx, workspaceID, s.countShard(), n)
	if err != nil && s.d.ForeignKeyViolation(err) {
		return errWorkspaceNotFound(workspaceID)
	}
	return err
}

// countShard picks the user_counts shard a write adjusts.
func (s *Store) countShard() int {
	if s.d.CountShards > 1 {
		return rand.IntN(s.d.CountShards)
	}
	return 0
}

// insertEmails writes the user_emails rows of one user.
func (s *Store) insertEmails(ctx context.Context, tx *sql.Tx, workspaceID, pk int64, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	return s.insertRows(ctx, tx, insertEmailStmts, len(keys), func(i int, a []any) []any {
		return append(a, pk, workspaceID, keys[i])
	})
}

// User returns one user of the workspace. ENOTFOUND if none.
func (s *Store) User(ctx context.Context, workspaceID int64, id string) (birdie.User, error) {
	if !validKey(id) {
		return birdie.User{}, errUserNotFound(id)
	}
	_, u, err := scanUser(s.stmt(userStmt).QueryRowContext(ctx, id, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return birdie.User{}, errUserNotFound(id)
	}
	return u, wrap("get user", err)
}

// lockUser reads a user inside a write transaction, locking its row where
// the dialect needs to.
func (s *Store) lockUser(ctx context.Context, tx *sql.Tx, workspaceID int64, id string) (int64, birdie.User, error) {
	if !validKey(id) {
		return 0, birdie.User{}, errUserNotFound(id)
	}
	pk, u, err := scanUser(s.txStmt(ctx, tx, lockUserStmt).QueryRowContext(ctx, id, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, birdie.User{}, errUserNotFound(id)
	}
	return pk, u, err
}

// callerError marks an error returned by a caller's function, which the
// store must return unchanged.
type callerError struct{ err error }

func (e callerError) Error() string { return e.err.Error() }

// UpdateUser reads the user, calls update on it and writes the result, in
// one transaction. The store keeps ID and Created, sets LastModified to now
// (never earlier than the stored value) and increments Version; update's
// changes to those fields are ignored. An error from update is returned
// unchanged and nothing is written.
func (s *Store) UpdateUser(ctx context.Context, workspaceID int64, id string, update func(*birdie.User) error) (birdie.User, error) {
	var out birdie.User
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		pk, old, err := s.lockUser(ctx, tx, workspaceID, id)
		if err != nil {
			return err
		}
		oldKeys := emailKeys(old.EmailValues)
		u := old // freshly read: update may change it, maps included
		if err := update(&u); err != nil {
			return callerError{err}
		}
		u.ID, u.Created, u.Version = old.ID, old.Created, old.Version+1
		u.LastModified = fromMicros(max(micros(s.now()), micros(old.LastModified)))
		r, err := encodeUser(&u)
		if err != nil {
			return err
		}
		st, args := updateUserArgs(&old, &u, r, pk)
		if _, err = s.txStmt(ctx, tx, st).ExecContext(ctx, args...); err != nil {
			return s.userWriteError(workspaceID, &u, err)
		}
		if !slices.Equal(r.emailKeys, oldKeys) {
			if _, err := s.txStmt(ctx, tx, deleteEmailsStmt).ExecContext(ctx, pk); err != nil {
				return err
			}
			if err := s.insertEmails(ctx, tx, workspaceID, pk, r.emailKeys); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	var ce callerError
	if errors.As(err, &ce) {
		return birdie.User{}, ce.err
	}
	if err != nil {
		return birdie.User{}, wrap("update user", err)
	}
	return out, nil
}

// DeleteUser reads the user, calls check (if not nil) and deletes it, in
// one transaction. An error from check is returned unchanged and nothing
// is deleted.
func (s *Store) DeleteUser(ctx context.Context, workspaceID int64, id string, check func(birdie.User) error) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		pk, u, err := s.lockUser(ctx, tx, workspaceID, id)
		if err != nil {
			return err
		}
		if check != nil {
			if err := check(u); err != nil {
				return callerError{err}
			}
		}
		if _, err := s.txStmt(ctx, tx, deleteUserStmt).ExecContext(ctx, pk); err != nil {
			return err
		}
		return s.addUserCount(ctx, tx, workspaceID, -1)
	})
	var ce callerError
	if errors.As(err, &ce) {
		return ce.err
	}
	return wrap("delete user", err)
}

// The UPDATE of a user sets the indexed columns only when their value
// changes: SQLite rewrites the entry of every index whose columns a
// statement sets, changed or not, and a PATCH that deactivates a user
// would otherwise rewrite five index entries for nothing. Each of the 16
// combinations of changed indexed attributes has its own prepared
// statement, updateUserStmts[mask].
const (
	updUserName = 1 << iota
	updExternalID
	updDisplayName
	updEmail
)

var updateUserStmts = func() (out [16]*stmt) {
	for mask := range out {
		var set []string
		if mask&updUserName != 0 {
			set = append(set, "user_name = ?", "user_name_key = ?")
		}
		if mask&updExternalID != 0 {
			set = append(set, "external_id = ?")
		}
		if mask&updDisplayName != 0 {
			set = append(set, "display_name = ?", "display_name_key = ?")
		}
		if mask&updEmail != 0 {
			set = append(set, "email = ?", "email_key = ?")
		}
		set = append(set, "active = ?", "email_values = ?", "attributes = ?", "last_modified = ?", "version = ?")
		out[mask] = writeStmt(`UPDATE users SET ` + strings.Join(set, ", ") + ` WHERE pk = ?`)
	}
	return out
}()

// updateUserArgs returns the statement that writes u over old (the row
// pk) and its arguments.
func updateUserArgs(old, u *birdie.User, r userRow, pk int64) (*stmt, []any) {
	mask := 0
	args := make([]any, 0, 13)
	if u.UserName != old.UserName {
		mask |= updUserName
		args = append(args, u.UserName, birdie.FoldKey(u.UserName))
	}
	if u.ExternalID != old.ExternalID {
		mask |= updExternalID
		args = append(args, u.ExternalID)
	}
	if u.DisplayName != old.DisplayName {
		mask |= updDisplayName
		args = append(args, u.DisplayName, birdie.FoldKey(u.DisplayName))
	}
	if u.Email != old.Email {
		mask |= updEmail
		args = append(args, u.Email, birdie.FoldKey(u.Email))
	}
	args = append(args, u.Active, string(r.emailValues), string(r.attrs), micros(u.LastModified), u.Version, pk)
	return updateUserStmts[mask], args
}
