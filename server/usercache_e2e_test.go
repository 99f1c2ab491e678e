package server_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"birdie/internal/testbackend"
	"birdie/server"
)

// The user cache (SQLite's default) must never change an answer. These
// tests send every write through a server with the cache and compare each
// read with a server without it on the same store, which reads the
// database every time.

const cachePublicURL = "https://birdie.example.com/scim/v2"

// cachedAndPlain returns an env whose server has a user cache of the given
// size, and a second env on the same store and tokens whose server has
// none. Both answer with the same public URL, so their bodies compare.
func cachedAndPlain(t *testing.T, cacheBytes int64) (cached, plain *env) {
	t.Helper()
	cached = newEnv(t, testbackend.SQLite(), func(c *server.Config) {
		c.UserCacheBytes = cacheBytes
		c.PublicURL = cachePublicURL
		c.RateLimit = -1
	})
	api := server.New(server.Config{Store: cached.Store, AuthFailureRate: -1, RateLimit: -1, PublicURL: cachePublicURL})
	t.Cleanup(func() { api.Close(context.Background()) })
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	p := *cached
	p.API, p.Server, p.Client = api, srv, srv.Client()
	return cached, &p
}

// sameAnswer fails the test unless both servers answer a read alike:
// status, body byte for byte, and ETag.
func sameAnswer(t *testing.T, cached, plain *env, token, path string, hdr ...string) *response {
	t.Helper()
	got := cached.As(t, token, "GET", path, nil, hdr...)
	want := plain.As(t, token, "GET", path, nil, hdr...)
	if got.Status != want.Status || !bytes.Equal(got.Raw, want.Raw) || got.Header.Get("ETag") != want.Header.Get("ETag") {
		t.Fatalf("GET %s %v:\n with the cache:    %d %s %s\n without the cache: %d %s %s", path, hdr,
			got.Status, got.Header.Get("ETag"), got.Raw, want.Status, want.Header.Get("ETag"), want.Raw)
	}
	return got
}

// TestUserCacheAnswersAsTheStore drives a random sequence of creates,
// renames, replaces, deletes and reads, in two workspaces that use the
// same userNames, with a cache large enough for everyone and with one so
// small that it evicts all the time.
func TestUserCacheAnswersAsTheStore(t *testing.T) {
	for _, size := range []int64{server.DefaultUserCacheBytes, 128 << 10} {
		t.Run(strconv.FormatInt(size>>10, 10)+"KiB", func(t *testing.T) {
			seed := uint64(size)
			t.Logf("seed %d", seed)
			rng := rand.New(rand.NewPCG(seed, 7))
			cached, plain := cachedAndPlain(t, size)
			tokens := []string{cached.TokenA, cached.TokenB}
			names := []string{"ann@example.com", "Bob@Example.com", "carl@example.com", "dora@example.com", "Émile@example.com", "fay@example.com"}
			var ids []string // every id ever created, in either workspace
			for _, tok := range tokens {
				for _, n := range names[:4] {
					ids = append(ids, getStr(cached.create(t, tok, newUser(n, "displayName", "first")), "id"))
				}
			}
			// caseOf returns name in a random case: lookups are
			// case-insensitive.
			caseOf := func(name string) string {
				switch rng.IntN(3) {
				case 0:
					return strings.ToUpper(name)
				case 1:
					return strings.ToLower(name)
				}
				return name
			}
			for step := range 600 {
				tok := tokens[rng.IntN(2)]
				id := ids[rng.IntN(len(ids))]
				name := names[rng.IntN(len(names))]
				switch k := rng.IntN(10); k {
				case 0, 1, 2:
					r := sameAnswer(t, cached, plain, tok, base+"/Users/"+id)
					if r.Status == http.StatusOK && rng.IntN(2) == 0 {
						sameAnswer(t, cached, plain, tok, base+"/Users/"+id, "If-None-Match", r.Header.Get("ETag"))
					}
				case 3, 4, 5:
					q := []string{"", "&startIndex=1&count=100", "&count=1", "&count=0", "&startIndex=2", "&attributes=userName"}[rng.IntN(6)]
					sameAnswer(t, cached, plain, tok, base+"/Users?filter="+encodeFilter(`userName eq "`+caseOf(name)+`"`)+q)
				case 6: // rename (possibly onto a taken name: 409) or edit
					body := patchOps(op("replace", "userName", caseOf(name)))
					if rng.IntN(2) == 0 {
						body = patchOps(op("replace", "displayName", fmt.Sprintf("step %d", step)))
					}
					cached.As(t, tok, "PATCH", base+"/Users/"+id, body)
				case 7:
					cached.As(t, tok, "PUT", base+"/Users/"+id, newUser(caseOf(name), "displayName", fmt.Sprintf("put %d", step), "active", rng.IntN(2) == 0))
				case 8:
					cached.As(t, tok, "DELETE", base+"/Users/"+id, nil)
				case 9:
					r := cached.As(t, tok, "POST", base+"/Users", newUser(name, "displayName", "again"))
					if r.Status == http.StatusCreated {
						ids = append(ids, getStr(r.Body, "id"))
					}
				}
			}
			// At the end, every user and every name reads alike.
			for _, tok := range tokens {
				for _, id := range ids {
					sameAnswer(t, cached, plain, tok, base+"/Users/"+id)
				}
				for _, n := range names {
					sameAnswer(t, cached, plain, tok, base+"/Users?filter="+encodeFilter(`userName eq "`+n+`"`))
				}
			}
		})
	}
}

// TestUserCacheUnderConcurrentWrites: readers never see a user go back to
// an older version while writers change it (a load that raced a write must
// not be installed), and once the writers are done the cache answers as
// the store.
func TestUserCacheUnderConcurrentWrites(t *testing.T) {
	cached, plain := cachedAndPlain(t, server.DefaultUserCacheBytes)
	const users, writers, readers, writes = 4, 4, 8, 40
	ids := make([]string, users)
	for i := range ids {
		ids[i] = cached.createA(t, fmt.Sprintf("user%d@example.com", i))
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range writes {
				id := ids[(w+n)%users]
				r := cached.A(t, "PATCH", base+"/Users/"+id, patchOps(op("replace", "displayName", fmt.Sprintf("w%d n%d", w, n))))
				if r.Status != http.StatusOK {
					t.Errorf("PATCH: %s", r)
				}
			}
		}()
	}
	var rwg sync.WaitGroup
	for rd := range readers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			seen := make([]int, users) // the highest version this reader saw of each user
			for n := 0; ; n++ {
				select {
				case <-done:
					return
				default:
				}
				i := (rd + n) % users
				path := base + "/Users/" + ids[i]
				if n%2 == 1 {
					path = base + "/Users?filter=" + encodeFilter(fmt.Sprintf(`userName eq "user%d@example.com"`, i))
				}
				r := cached.A(t, "GET", path, nil)
				if r.Status != http.StatusOK {
					t.Errorf("GET %s: %s", path, r)
					return
				}
				meta := get(r.Body, "meta")
				if n%2 == 1 {
					meta = get(r.Body["Resources"].([]any)[0], "meta")
				}
				v := versionNumber(t, getStr(meta, "version"))
				if v < seen[i] {
					t.Errorf("GET %s went back from version %d to %d", path, seen[i], v)
					return
				}
				seen[i] = v
			}
		}()
	}
	wg.Wait()
	close(done)
	rwg.Wait()
	for i, id := range ids {
		sameAnswer(t, cached, plain, cached.TokenA, base+"/Users/"+id)
		sameAnswer(t, cached, plain, cached.TokenA, base+"/Users?filter="+encodeFilter(fmt.Sprintf(`userName eq "user%d@example.com"`, i)))
	}
}

// versionNumber reads the number in a W/"n" version.
func versionNumber(t *testing.T, v string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(v, "W/"), `"`))
	if err != nil {
		t.Fatalf("version %q is not W/\"n\"", v)
	}
	return n
}

// TestUserCacheServesThroughStoreFaults: a user the server has just
// written is answered from the cache, without the store, so a failing
// store does not stop Okta's read-before-PUT of a user it just changed;
// a user that is not cached gets the store's 500.
func TestUserCacheServesThroughStoreFaults(t *testing.T) {
	var fs *faultyStore
	e := newEnv(t, testbackend.SQLite(), func(c *server.Config) {
		fs = &faultyStore{Store: c.Store}
		c.Store = fs
		c.UserCacheBytes = server.DefaultUserCacheBytes
	})
	written := e.createA(t, "written@example.com")
	patched := e.createA(t, "patched@example.com")
	wantStatus(t, e.A(t, "PATCH", base+"/Users/"+patched, patchOps(op("replace", "displayName", "P"))), http.StatusOK)
	fs.set("error")
	defer fs.set("")
	for _, id := range []string{written, patched} {
		r := e.A(t, "GET", base+"/Users/"+id, nil)
		wantStatus(t, r, http.StatusOK)
		if id == patched && getStr(r.Body, "displayName") != "P" {
			t.Errorf("the cached user is not the one the PATCH stored: %s", r.Raw)
		}
	}
	wantError(t, e.A(t, "GET", base+"/Users/"+written+"?attributes=userName", nil), http.StatusInternalServerError, "")
}
