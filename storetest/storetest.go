// Package storetest is the conformance suite for birdie.Store: the
// executable form of the contracts documented on the interface. Every
// backend runs it from its own tests,
//
//	func TestStore(t *testing.T) {
//		storetest.RunTests(t, func(t *testing.T) birdie.Store {
//			s := openEmptyStore(t)
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// so that a behaviour is specified once and every backend proves it. The
// suite knows nothing about SQL or any database.
//
// Times given to a store are compared at microsecond precision, the finest
// every backend keeps.
package storetest

import (
	"context"
	"testing"
	"time"

	"birdie"
)

// RunTests runs the whole suite. newStore must return a fresh, empty store
// for each sub-test and arrange (with t.Cleanup) for it to be closed.
func RunTests(t *testing.T, newStore func(t *testing.T) birdie.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s birdie.Store)
	}{
		{"Workspaces", testWorkspaces},
		{"CreateFirstWorkspace", testCreateFirstWorkspace},
		{"CreateFirstWorkspaceRace", testCreateFirstWorkspaceRace},
		{"Tokens", testTokens},
		{"UnknownWorkspace", testUnknownWorkspace},
		{"CreateAndGetUser", testCreateAndGetUser},
		{"DuplicateUserName", testDuplicateUserName},
		{"SameUserNameInTwoWorkspaces", testSameUserNameInTwoWorkspaces},
		{"TenantIsolation", testTenantIsolation},
		{"UpdateUser", testUpdateUser},
		{"UpdateUserRefused", testUpdateUserRefused},
		{"UpdateUserRename", testUpdateUserRename},
		{"UpdateUserIndexedAttributes", testUpdateUserIndexedAttributes},
		{"UpdateUserEmails", testUpdateUserEmails},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"UpdateUserRaced", testUpdateUserRaced},
		{"ConcurrentCreates", testConcurrentCreates},
		{"DeleteUser", testDeleteUser},
		{"ListPaging", testListPaging},
		{"ListSort", testListSort},
		{"ListUnknownSort", testListUnknownSort},
		{"FilterEquivalence", testFilterEquivalence},
		{"ListCursor", testListCursor},
		{"UserCount", testUserCount},
		{"LogAppendAndQuery", testLogAppendAndQuery},
		{"LogUserAcrossMinutes", testLogUserAcrossMinutes},
		{"LogBounds", testLogBounds},
		{"PruneLogs", testPruneLogs},
		{"PruneLogBodies", testPruneLogBodies},
		{"WorkspaceDebug", testWorkspaceDebug},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

// now is a time every backend stores exactly.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func ctx(t *testing.T) context.Context { return t.Context() }

// wantCode fails the test unless err has the birdie error code.
func wantCode(t *testing.T, err error, code, what string) {
	t.Helper()
	if got := birdie.ErrorCode(err); got != code {
		t.Fatalf("%s: got error %v (code %q), want code %q", what, err, got, code)
	}
}

// must fails the test on a non-nil error.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// newWorkspace creates a workspace with the slug.
func newWorkspace(t *testing.T, s birdie.Store, slug string) birdie.Workspace {
	t.Helper()
	ws, err := s.CreateWorkspace(ctx(t), slug, "Workspace "+slug)
	must(t, err, "CreateWorkspace "+slug)
	return ws
}
