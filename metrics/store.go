package metrics

import (
	"context"
	"time"

	"birdie"
)

// Store wraps a birdie.Store and times every call. Calls that fail with an
// internal error (not ENOTFOUND, ECONFLICT, …) are also counted apart,
// since they are the ones an operator must look at.
func (m *Metrics) Store(s birdie.Store) birdie.Store { return &store{inner: s, m: m} }

type store struct {
	inner birdie.Store
	m     *Metrics
}

// timed returns a function that records the operation when called with
// its error: `defer done(&err)` in each method.
func (s *store) timed(op string) func(*error) {
	start := time.Now()
	return func(err *error) {
		s.m.storeDuration.WithLabelValues(op).Observe(time.Since(start).Seconds())
		if birdie.ErrorCode(*err) == birdie.EINTERNAL {
			s.m.storeErrors.WithLabelValues(op).Inc()
		}
	}
}

func (s *store) CreateWorkspace(ctx context.Context, slug, name string) (_ birdie.Workspace, err error) {
	defer s.timed("create_workspace")(&err)
	return s.inner.CreateWorkspace(ctx, slug, name)
}

func (s *store) CreateFirstWorkspace(ctx context.Context, slug, name string) (_ birdie.Workspace, _ bool, err error) {
	defer s.timed("create_first_workspace")(&err)
	return s.inner.CreateFirstWorkspace(ctx, slug, name)
}

func (s *store) Workspace(ctx context.Context, slug string) (_ birdie.Workspace, err error) {
	defer s.timed("workspace")(&err)
	return s.inner.Workspace(ctx, slug)
}

func (s *store) Workspaces(ctx context.Context) (_ []birdie.Workspace, err error) {
	defer s.timed("workspaces")(&err)
	return s.inner.Workspaces(ctx)
}

func (s *store) SetWorkspaceDebug(ctx context.Context, slug string, until time.Time) (_ birdie.Workspace, err error) {
	defer s.timed("set_workspace_debug")(&err)
	return s.inner.SetWorkspaceDebug(ctx, slug, until)
}

func (s *store) CreateToken(ctx context.Context, t birdie.Token) (err error) {
	defer s.timed("create_token")(&err)
	return s.inner.CreateToken(ctx, t)
}

func (s *store) TokenByHash(ctx context.Context, hash string) (_ birdie.Token, err error) {
	defer s.timed("token_by_hash")(&err)
	return s.inner.TokenByHash(ctx, hash)
}

func (s *store) Tokens(ctx context.Context, workspaceID int64) (_ []birdie.Token, err error) {
	defer s.timed("tokens")(&err)
	return s.inner.Tokens(ctx, workspaceID)
}

func (s *store) RevokeToken(ctx context.Context, id string, at time.Time) (err error) {
	defer s.timed("revoke_token")(&err)
	return s.inner.RevokeToken(ctx, id, at)
}

func (s *store) TouchToken(ctx context.Context, id string, at time.Time) (err error) {
	defer s.timed("touch_token")(&err)
	return s.inner.TouchToken(ctx, id, at)
}

func (s *store) CreateUser(ctx context.Context, workspaceID int64, u birdie.User) (err error) {
	defer s.timed("create_user")(&err)
	return s.inner.CreateUser(ctx, workspaceID, u)
}

func (s *store) User(ctx context.Context, workspaceID int64, id string) (_ birdie.User, err error) {
	defer s.timed("get_user")(&err)
	return s.inner.User(ctx, workspaceID, id)
}

// UpdateUser and DeleteUser return the caller's own function's error
// unchanged (a 400 from PATCH, a 412 from If-Match): that is the caller's
// verdict, not a store failure, and is not counted as one.
func (s *store) UpdateUser(ctx context.Context, workspaceID int64, id string, update func(*birdie.User) error) (_ birdie.User, err error) {
	var callerErr error
	done := s.timed("update_user")
	defer func() { done(ignoring(&err, callerErr)) }()
	return s.inner.UpdateUser(ctx, workspaceID, id, func(u *birdie.User) error {
		callerErr = update(u)
		return callerErr
	})
}

func (s *store) DeleteUser(ctx context.Context, workspaceID int64, id string, check func(birdie.User) error) (err error) {
	var callerErr error
	done := s.timed("delete_user")
	defer func() { done(ignoring(&err, callerErr)) }()
	if check == nil {
		return s.inner.DeleteUser(ctx, workspaceID, id, nil)
	}
	return s.inner.DeleteUser(ctx, workspaceID, id, func(u birdie.User) error {
		callerErr = check(u)
		return callerErr
	})
}

// ignoring returns err, or a pointer to nil when *err is the caller's own
// error.
func ignoring(err *error, callerErr error) *error {
	if callerErr != nil && *err == callerErr {
		return new(error)
	}
	return err
}

func (s *store) ListUsers(ctx context.Context, workspaceID int64, q birdie.UserQuery) (_ birdie.UserPage, err error) {
	defer s.timed("list_users")(&err)
	return s.inner.ListUsers(ctx, workspaceID, q)
}

func (s *store) AppendLog(ctx context.Context, entries []birdie.LogEntry) (err error) {
	defer s.timed("append_log")(&err)
	return s.inner.AppendLog(ctx, entries)
}

func (s *store) Logs(ctx context.Context, workspaceID int64, q birdie.LogQuery) (_ []birdie.LogEntry, err error) {
	defer s.timed("logs")(&err)
	return s.inner.Logs(ctx, workspaceID, q)
}

func (s *store) PruneLogs(ctx context.Context, before time.Time) (_ int64, err error) {
	defer s.timed("prune_logs")(&err)
	return s.inner.PruneLogs(ctx, before)
}

func (s *store) PruneLogBodies(ctx context.Context, before time.Time) (_ int64, err error) {
	defer s.timed("prune_log_bodies")(&err)
	return s.inner.PruneLogBodies(ctx, before)
}

func (s *store) Ping(ctx context.Context) error { return s.inner.Ping(ctx) }

// Ready forwards to the wrapped store's readiness check, or Ping.
func (s *store) Ready(ctx context.Context) error {
	if r, ok := s.inner.(interface{ Ready(context.Context) error }); ok {
		return r.Ready(ctx)
	}
	return s.inner.Ping(ctx)
}

func (s *store) Close() error { return s.inner.Close() }
