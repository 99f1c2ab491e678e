package birdie

import (
	"context"
	"time"
)

// Store keeps workspaces, tokens and users. Every backend (package sqlite,
// package postgres) implements it and passes the conformance suite in
// package storetest, which is the executable form of these contracts.
//
// Every user method is scoped by a workspace id: a user of another
// workspace is reported as ENOTFOUND, never returned.
type Store interface {
	// CreateWorkspace adds a workspace. ECONFLICT if the slug is taken.
	CreateWorkspace(ctx context.Context, slug, name string) (Workspace, error)
	// CreateFirstWorkspace adds a workspace only if the store holds none,
	// atomically: when several processes race on an empty store, exactly
	// one gets created == true.
	CreateFirstWorkspace(ctx context.Context, slug, name string) (ws Workspace, created bool, err error)
	// Workspace returns the workspace with the slug. ENOTFOUND if none.
	Workspace(ctx context.Context, slug string) (Workspace, error)
	// Workspaces lists every workspace, ordered by slug.
	Workspaces(ctx context.Context) ([]Workspace, error)
	// SetWorkspaceDebug sets the workspace's debug switch: request bodies
	// are kept in its provisioning log until the given time (see
	// Workspace.DebugUntil); a zero time turns it off. It returns the
	// workspace as changed. ENOTFOUND if no workspace has the slug. The
	// store sets any time given; the CLI limits it (MaxDebugDuration).
	SetWorkspaceDebug(ctx context.Context, slug string, until time.Time) (Workspace, error)

	// CreateToken stores a token record (never a secret).
	CreateToken(ctx context.Context, t Token) error
	// TokenByHash returns the token whose hash is given, revoked or not,
	// with its workspace's debug switch (Token.WorkspaceDebugUntil).
	// ENOTFOUND if none.
	TokenByHash(ctx context.Context, hash string) (Token, error)
	// Tokens lists a workspace's tokens, oldest first, like TokenByHash.
	Tokens(ctx context.Context, workspaceID int64) ([]Token, error)
	// RevokeToken marks a token revoked at the given time; revoking a
	// revoked token is not an error. ENOTFOUND if no such token.
	RevokeToken(ctx context.Context, id string, at time.Time) error
	// TouchToken records that the token was used at the given time.
	TouchToken(ctx context.Context, id string, at time.Time) error

	// CreateUser stores a new user whose ID, times and Version the caller
	// has set. ECONFLICT if the userName is taken in the workspace
	// (case-insensitively), enforced by the database itself.
	CreateUser(ctx context.Context, workspaceID int64, u User) error
	// User returns one user. ENOTFOUND if none.
	User(ctx context.Context, workspaceID int64, id string) (User, error)
	// UpdateUser reads the user, calls update on a copy, and writes the
	// result, all in one transaction, so that concurrent updates never
	// lose one another. If update returns an error nothing is written and
	// that error is returned. The store sets LastModified and increments
	// Version. ENOTFOUND if no such user; ECONFLICT on a userName clash.
	UpdateUser(ctx context.Context, workspaceID int64, id string, update func(*User) error) (User, error)
	// DeleteUser reads the user, calls check (which may refuse, e.g. on a
	// stale If-Match) and deletes it, in one transaction. check may be nil.
	// ENOTFOUND if no such user.
	DeleteUser(ctx context.Context, workspaceID int64, id string, check func(User) error) error
	// ListUsers returns one page of the users matching q, and how many
	// match in all. Results are ordered by q.SortBy, ties broken by
	// creation order, so pages are stable. It never loads more than one page of users into memory.
	ListUsers(ctx context.Context, workspaceID int64, q UserQuery) (UserPage, error)

	// AppendLog adds entries to the provisioning log, in one transaction:
	// all of them or none. The store assigns IDs (those given are
	// ignored), greater than every ID it assigned before, even after
	// PruneLogs; it stores each entry as LogEntry.Bounded returns it.
	// ENOTFOUND if an entry names a workspace that does not exist.
	AppendLog(ctx context.Context, entries []LogEntry) error
	// Logs returns the entries of one workspace's provisioning log that
	// match q, oldest first. Without q.AfterID they are the most recent
	// q.Limit matching entries, in time order (ties in ID order); with
	// it, the first q.Limit matching entries after that ID, in ID order,
	// so that asking again after the greatest ID seen follows the log.
	// ENOTFOUND if the workspace does not exist.
	Logs(ctx context.Context, workspaceID int64, q LogQuery) ([]LogEntry, error)
	// PruneLogs deletes the entries older than before, in every
	// workspace, and returns how many it deleted. It deletes in small
	// transactions, so that it never holds the database for long, and
	// may be run by several processes at once.
	PruneLogs(ctx context.Context, before time.Time) (int64, error)
	// PruneLogBodies removes the request bodies (LogEntry.Body) of the
	// entries older than before, in every workspace, and returns how many
	// entries it changed; the entries themselves stay. Like PruneLogs it
	// works in small transactions and may run in several processes.
	PruneLogBodies(ctx context.Context, before time.Time) (int64, error)

	// Ping checks that the store is reachable.
	Ping(ctx context.Context) error
	// Close releases the store's resources.
	Close() error
}

// Sort keys a UserQuery may order by.
const (
	SortID           = "id"
	SortUserName     = "userName"
	SortExternalID   = "externalId"
	SortDisplayName  = "displayName"
	SortEmail        = "email" // the account email
	SortActive       = "active"
	SortCreated      = "meta.created"
	SortLastModified = "meta.lastModified"
)

// UserQuery selects and orders users.
type UserQuery struct {
	Filter     Filter // nil: every user
	SortBy     string // one of the Sort* keys; "" means creation order
	Descending bool
	StartIndex int // 1-based position of the first result (< 1 means 1)
	Count      int // page size; 0 asks for the total only

	// UseCursor asks for cursor pagination (RFC 9865) instead of
	// StartIndex: the page starts where Cursor says ("" for the first
	// page), and the result carries cursors to the next and previous
	// pages. Cursors are opaque strings made by the store; one that the
	// store did not make for this same query is EINVALIDCURSOR.
	UseCursor bool
	Cursor    string
}

// UserPage is one page of a ListUsers result.
type UserPage struct {
	Total int    // how many users match in all
	Users []User // at most Count of them, from StartIndex (or the cursor) on

	// With UseCursor: where the next and previous pages start, "" when
	// there is none.
	NextCursor, PrevCursor string
}
