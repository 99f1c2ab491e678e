package sqlite_test

import (
	"fmt"
	"maps"
	"sync/atomic"
	"testing"
	"time"

	"birdie"
	"birdie/sqlstore"
)

// benchUser is a typical provisioned user: an email userName, a name, one
// work email, an externalId and an enterprise department.
func benchUser(i int, t time.Time) birdie.User {
	name := fmt.Sprintf("user%07d@example.com", i)
	return birdie.User{
		ID:          birdie.NewID(),
		UserName:    name,
		ExternalID:  fmt.Sprintf("00u%07d", i),
		DisplayName: fmt.Sprintf("User %d", i),
		Active:      true,
		Email:       name,
		EmailValues: []string{name},
		Attributes: map[string]any{
			"userName":    name,
			"externalId":  fmt.Sprintf("00u%07d", i),
			"displayName": fmt.Sprintf("User %d", i),
			"active":      true,
			"name":        map[string]any{"givenName": "User", "familyName": fmt.Sprint(i)},
			"emails":      []any{map[string]any{"value": name, "type": "work", "primary": true}},
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"department": "Engineering"},
		},
		Created:      t,
		LastModified: t,
		Version:      1,
	}
}

// benchStore opens a store with one workspace holding n users.
func benchStore(b *testing.B, n int) (*sqlstore.Store, int64, []birdie.User) {
	b.Helper()
	s := openTemp(b)
	ws, err := s.CreateWorkspace(b.Context(), "bench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	users := make([]birdie.User, n)
	now := time.Now().UTC()
	for i := range users {
		users[i] = benchUser(i, now)
		if err := s.CreateUser(b.Context(), ws.ID, users[i]); err != nil {
			b.Fatal(err)
		}
	}
	return s, ws.ID, users
}

func BenchmarkCreateUser(b *testing.B) {
	s, ws, _ := benchStore(b, 0)
	now := time.Now().UTC()
	i := 0
	for b.Loop() {
		if err := s.CreateUser(b.Context(), ws, benchUser(i, now)); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkCreateUserParallel measures creates from many goroutines, which
// queue for SQLite's single writer.
// BenchmarkCreateUserParallel creates users from 16 goroutines per CPU,
// as an IdP's burst does, so that group commit (batch.go) can share
// commits between them.
func BenchmarkCreateUserParallel(b *testing.B) {
	s, ws, _ := benchStore(b, 0)
	now := time.Now().UTC()
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.CreateUser(b.Context(), ws, benchUser(int(n.Add(1)), now)); err != nil && birdie.ErrorCode(err) != birdie.ECONFLICT {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkGetUser(b *testing.B) {
	s, ws, users := benchStore(b, 10_000)
	i := 0
	for b.Loop() {
		if _, err := s.User(b.Context(), ws, users[i%len(users)].ID); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkGetUserParallel(b *testing.B) {
	s, ws, users := benchStore(b, 10_000)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := s.User(b.Context(), ws, users[i%len(users)].ID); err != nil {
				b.Error(err)
				return
			}
			i += 7
		}
	})
}

// BenchmarkListByUserName is the lookup every IdP makes before creating a
// user: filter=userName eq "…".
func BenchmarkListByUserName(b *testing.B) {
	s, ws, users := benchStore(b, 10_000)
	i := 0
	for b.Loop() {
		u := users[i%len(users)]
		f := birdie.Compare{Path: birdie.AttrPath{Attr: "userName"}, Op: birdie.OpEq, Value: u.UserName}
		page, err := s.ListUsers(b.Context(), ws, birdie.UserQuery{Filter: f, Count: 100})
		if err != nil || page.Total != 1 {
			b.Fatal(page.Total, err)
		}
		i++
	}
}

func BenchmarkUpdateUser(b *testing.B) {
	s, ws, users := benchStore(b, 1_000)
	i := 0
	for b.Loop() {
		_, err := s.UpdateUser(b.Context(), ws, users[i%len(users)].ID, func(u *birdie.User) error {
			u.Attributes["title"] = fmt.Sprint(i)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkUpdateUserParallel deactivates and reactivates random users of
// 10,000 from 16 goroutines per CPU, as Okta's PATCHes do in a burst: the
// updates queue for SQLite's single writer, and what each does inside its
// transaction is time no other can use.
func BenchmarkUpdateUserParallel(b *testing.B) {
	s, ws, users := benchStore(b, 10_000)
	var n atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			_, err := s.UpdateUser(b.Context(), ws, users[(i*7919)%int64(len(users))].ID, func(u *birdie.User) error {
				doc := maps.Clone(u.Attributes)
				doc["active"] = i%2 == 0
				u.Attributes, u.Active = doc, i%2 == 0
				return nil
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkListPage reads the first page of 100 users, sorted by userName,
// with the total.
func BenchmarkListPage(b *testing.B) {
	s, ws, _ := benchStore(b, 10_000)
	for b.Loop() {
		page, err := s.ListUsers(b.Context(), ws, birdie.UserQuery{SortBy: birdie.SortUserName, Count: 100})
		if err != nil || len(page.Users) != 100 {
			b.Fatal(len(page.Users), err)
		}
	}
}

// BenchmarkAppendLog writes the provisioning log as the server does under
// load: one transaction per batch of 500 entries, each about one of 10,000
// users, 5,000 entries a second of request time. It reports the cost per
// entry, which every request pays.
func BenchmarkAppendLog(b *testing.B) {
	s := openTemp(b)
	ws, err := s.CreateWorkspace(b.Context(), "logbench", "Log bench")
	if err != nil {
		b.Fatal(err)
	}
	const batch, pool = 500, 10_000
	users := make([]birdie.User, pool)
	start := time.Now().UTC()
	for i := range users {
		users[i] = benchUser(i, start)
	}
	entries := make([]birdie.LogEntry, batch)
	n := 0
	for b.Loop() {
		for i := range entries {
			u := users[n%pool]
			entries[i] = birdie.LogEntry{
				WorkspaceID: ws.ID, Time: start.Add(time.Duration(n) * 200 * time.Microsecond), TokenID: "tok_0123456789",
				Method: "GET", Path: "/scim/v2/Users/" + u.ID, Operation: "read", UserID: u.ID, UserName: u.UserName,
				Status: 200, Duration: 300 * time.Microsecond, Client: "Okta SCIM Client 1.0.0",
			}
			n++
		}
		if err := s.AppendLog(b.Context(), entries); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/entry")
}

// BenchmarkListModifiedSince is an incremental sync's question, "which
// users changed since my last run", over 10,000 users of which 10 did.
func BenchmarkListModifiedSince(b *testing.B) {
	s := openTemp(b)
	ws, err := s.CreateWorkspace(b.Context(), "bench", "Bench")
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Microsecond)
	users := make([]birdie.User, 10_000)
	for i := range users {
		users[i] = benchUser(i, t0.Add(time.Duration(i)*time.Millisecond))
	}
	if err := s.BulkCreateUsers(b.Context(), ws.ID, users); err != nil {
		b.Fatal(err)
	}
	since := users[len(users)-11].LastModified.Format(time.RFC3339Nano)
	f := birdie.Compare{Path: birdie.AttrPath{Attr: "meta", Sub: "lastModified"}, Op: birdie.OpGt, Value: since}
	for _, c := range []struct {
		name   string
		cursor bool
	}{{"startIndex", false}, {"cursor", true}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				page, err := s.ListUsers(b.Context(), ws.ID, birdie.UserQuery{Filter: f, Count: 100, UseCursor: c.cursor})
				if err != nil || page.Total != 10 || len(page.Users) != 10 {
					b.Fatal(page.Total, len(page.Users), err)
				}
			}
		})
	}
}
