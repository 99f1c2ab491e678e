package sqlstore

import (
	"context"
	"database/sql"

	"birdie"
)

// BulkCreateUsers stores many new users in one transaction, for seeding
// large workspaces (benchmarks, imports by support staff): one commit per
// call instead of one per user.
//
// The rows written are exactly those CreateUser writes (insertUser). Like CreateUser it
// trusts the caller to have set each user's ID, times and Version and to
// have run scim.Derive. If any user cannot be written (ECONFLICT on a
// userName clash, ENOTFOUND if the workspace does not exist) nothing is
// written and that error is returned. It is not part of birdie.Store: the
// server never needs it.
func (s *Store) BulkCreateUsers(ctx context.Context, workspaceID int64, users []birdie.User) error {
	if len(users) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i := range users {
			if err := s.insertUser(ctx, tx, workspaceID, &users[i]); err != nil {
				return err
			}
		}
		return s.addUserCount(ctx, tx, workspaceID, len(users))
	})
	return wrap("bulk create users", err)
}
