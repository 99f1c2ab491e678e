package main

import (
	"birdie/internal/opendb"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"birdie"
	"birdie/scim"
	"birdie/sqlstore"
)

// Seeded users are numbered 0..N-1; everything about user i (userName,
// externalId, emails, the body a PUT sends) is a function of i, so the
// bench keeps only their ids.

var (
	givenNames  = []string{"Ada", "Grace", "Alan", "Barbara", "Edsger", "Frances", "Donald", "Margaret", "Ken", "Radia", "Linus", "Sophie", "John", "Katherine", "Dennis", "Hedy", "Tim", "Anita", "Leslie", "Shafi"}
	familyNames = []string{"Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Allen", "Knuth", "Hamilton", "Thompson", "Perlman", "Torvalds", "Wilson", "McCarthy", "Johnson", "Ritchie", "Lamarr", "Berners-Lee", "Borg", "Lamport", "Goldwasser"}
	departments = []string{"Engineering", "Sales", "Marketing", "Finance", "Customer Support", "Legal", "People", "Operations"}
	titles      = []string{"Software Engineer", "Account Executive", "Product Manager", "Analyst", "Support Specialist", "Counsel", "Recruiter", "Director"}
)

func userName(i int) string   { return fmt.Sprintf("user%07d@example.com", i) }
func externalID(i int) string { return fmt.Sprintf("00u%07d", i) }

// homeEmail is user i's second, non-primary address: emails.value filters
// look it up, so that they go through user_emails rather than hitting the
// same address as the userName and account-email filters.
func homeEmail(i int) string {
	g, f := personName(i)
	return fmt.Sprintf("%s.%s.%07d@home.example.net", strings.ToLower(g), strings.ToLower(f), i)
}

func personName(i int) (given, family string) {
	return givenNames[i%len(givenNames)], familyNames[(i/len(givenNames))%len(familyNames)]
}

// userBody is the body Okta sends to create user i (and, with another
// department, to replace it): its default attribute mapping, the enterprise
// extension, and an empty groups list. variant shifts the department and
// title so that a PUT really changes something.
func userBody(i, variant int) []byte {
	given, family := personName(i)
	dept := departments[(i+variant)%len(departments)]
	title := titles[(i+variant)%len(titles)]
	return fmt.Appendf(nil, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],`+
		`"userName":%q,"name":{"givenName":%q,"familyName":%q},`+
		`"emails":[{"primary":true,"value":%q,"type":"work"},{"primary":false,"value":%q,"type":"home"}],`+
		`"displayName":"%s %s","locale":"en-US","title":%q,"externalId":%q,"groups":[],"active":true,`+
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":%q,"employeeNumber":"%07d"}}`,
		userName(i), given, family, userName(i), homeEmail(i), given, family, title, externalID(i), dept, i)
}

// newUser builds user i exactly as the server's POST /Users handler does:
// scim.DecodeUser on the body, a fresh UUID, then scim.Derive.
func newUser(i int, created time.Time) (birdie.User, error) {
	doc, err := scim.DecodeUser(userBody(i, 0))
	if err != nil {
		return birdie.User{}, fmt.Errorf("decode user %d: %w", i, err)
	}
	u := birdie.User{ID: birdie.NewID(), Attributes: doc, Created: created, LastModified: created, Version: 1}
	if err := scim.Derive(&u); err != nil {
		return birdie.User{}, fmt.Errorf("derive user %d: %w", i, err)
	}
	return u, nil
}

// seeded is what the operations need to know about the seeded workspace.
type seeded struct {
	IDs     []string // IDs[i] is user i's
	Token   string   // a bearer token of the workspace
	Elapsed time.Duration
}

// seedStore creates workspace "bench", a token, and n users in batches of
// batch per transaction through sqlstore's BulkCreateUsers (one
// transaction per batch is what makes a million users take minutes, not
// hours). Users are built on every CPU while the previous batch is
// written; progress, if set, is called after each batch. The store is
// closed before returning, so that the server is then the database's only
// writer.
func seedStore(ctx context.Context, dsn string, n, batch int, progress func(done int)) (*seeded, error) {
	start := time.Now()
	store, err := opendb.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open the store to seed it: %w", err)
	}
	closed := false
	defer func() {
		if !closed {
			store.Close()
		}
	}()
	if err := tuneForSeeding(ctx, store, dsn); err != nil {
		return nil, err
	}
	ws, err := store.CreateWorkspace(ctx, "bench", "Bench")
	if err != nil {
		return nil, fmt.Errorf("create workspace: %w", err)
	}
	secret, tok := birdie.NewToken(ws.ID, time.Now())
	if err := store.CreateToken(ctx, tok); err != nil {
		return nil, fmt.Errorf("create token: %w", err)
	}

	// Creation times one millisecond apart, ending now, as if the users
	// had been provisioned one after another.
	first := time.Now().UTC().Add(-time.Duration(n) * time.Millisecond)
	ids := make([]string, n)

	type built struct {
		users []birdie.User
		err   error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan built, 1) // one batch built ahead of the one being written
	go func() {
		defer close(batches)
		for lo := 0; lo < n; lo += batch {
			users, err := buildBatch(lo, min(lo+batch, n), first)
			select {
			case batches <- built{users, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	done := 0
	for b := range batches {
		if b.err != nil {
			return nil, b.err
		}
		if err := store.BulkCreateUsers(ctx, ws.ID, b.users); err != nil {
			return nil, fmt.Errorf("seed users %d..%d: %w", done, done+len(b.users)-1, err)
		}
		for _, u := range b.users {
			ids[done] = u.ID
			done++
		}
		if progress != nil {
			progress(done)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	closed = true
	if err := store.Close(); err != nil {
		return nil, fmt.Errorf("close the store after seeding: %w", err)
	}
	return &seeded{IDs: ids, Token: secret, Elapsed: time.Since(start)}, nil
}

// tuneForSeeding gives SQLite's single writer connection, which only the
// seeding uses (the store is closed before the server starts), a page
// cache large enough to hold the hot pages of every index and statement
// journals in memory. Without them a large transaction spills dirty pages
// and journals pages through write syscalls, and seeding a million users
// takes several times longer. It changes how fast rows are written, never
// what is written.
func tuneForSeeding(ctx context.Context, store *sqlstore.Store, dsn string) error {
	if opendb.IsPostgres(dsn) {
		return nil
	}
	for _, pragma := range []string{"PRAGMA cache_size = -1048576", "PRAGMA temp_store = MEMORY"} { // 1 GiB at most
		if _, err := store.Writer().ExecContext(ctx, pragma); err != nil {
			return fmt.Errorf("seeding: %s: %w", pragma, err)
		}
	}
	return nil
}

// buildBatch builds users lo..hi-1 on every CPU.
func buildBatch(lo, hi int, first time.Time) ([]birdie.User, error) {
	users := make([]birdie.User, hi-lo)
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for k := w; k < len(users); k += workers {
				i := lo + k
				u, err := newUser(i, first.Add(time.Duration(i)*time.Millisecond))
				if err != nil {
					errs[w] = err
					return
				}
				users[k] = u
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return users, nil
}

// bareUserBody is the body the bare baseline answers: seeded user 0 as
// GET /Users/{id} renders it, so both move the same bytes.
func bareUserBody(base string) ([]byte, error) {
	u, err := newUser(0, time.Now().UTC())
	if err != nil {
		return nil, err
	}
	return json.Marshal(scim.Render(&u, base))
}
