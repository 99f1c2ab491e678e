package server

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

const testBase = "https://b/scim/v2"

func testEntry(ws int64, id, userName string) *cachedUser {
	return &cachedUser{key: userKey{ws, id}, userName: userName, etag: `W/"1"`, base: testBase}
}

// testBody is a body that names its user, so that a test can tell bodies
// apart.
func testBody(id string, n int) []byte {
	return []byte(id + ":" + strings.Repeat("x", max(0, n-len(id)-1)))
}

// forget is a whole write of the user: begin and end.
func forget(c *userCache, ws int64, id string) { c.begin(ws, id).end() }

func mustGet(t *testing.T, c *userCache, ws int64, id string, want []byte) {
	t.Helper()
	_, got, ok := c.get(ws, id, testBase, nil)
	if !ok || !bytes.Equal(got, want) {
		t.Fatalf("get(%d, %s) = %.40q %v, want %.40q", ws, id, got, ok, want)
	}
}

func TestUserCacheGetPutForget(t *testing.T) {
	c := newUserCache(1 << 20)
	e, body := testEntry(1, "u1", "Ann@Example.com"), testBody("u1", 100)
	c.put(e, body, c.ticketFor(1, "u1"))
	mustGet(t, c, 1, "u1", body)
	if _, _, ok := c.get(2, "u1", testBase, nil); ok {
		t.Errorf("another workspace's user was found")
	}
	if _, _, ok := c.get(1, "u1", "https://other/scim/v2", nil); ok {
		t.Errorf("an entry rendered for another base URL was found")
	}
	if got, b, ok := c.byName(1, "ann@EXAMPLE.com", testBase, nil); !ok || got != e || !bytes.Equal(b, body) {
		t.Errorf("byName in another case: %v %v", got, ok)
	}
	if _, _, ok := c.byName(2, "ann@example.com", testBase, nil); ok {
		t.Errorf("byName found another workspace's user")
	}
	// get appends to dst.
	if _, b, _ := c.get(1, "u1", testBase, []byte("prefix")); !bytes.Equal(b, append([]byte("prefix"), body...)) {
		t.Errorf("get did not append to dst: %.40q", b)
	}
	forget(c, 1, "u1")
	if _, _, ok := c.get(1, "u1", testBase, nil); ok {
		t.Errorf("found after forget")
	}
	if _, _, ok := c.byName(1, "ann@example.com", testBase, nil); ok {
		t.Errorf("found by name after forget")
	}
	if n := len(c.nameShard(nameKey{1, "ann@example.com"}).ids); n != 0 {
		t.Errorf("the name index keeps %d entries after forget", n)
	}
}

// A load that started before a forget must not be installed after it: the
// ticket taken before the load is spoiled.
func TestUserCacheTickets(t *testing.T) {
	c := newUserCache(1 << 20)
	body := testBody("u1", 10)
	byID := c.ticketFor(1, "u1")
	byName := c.ticketAny()
	forget(c, 1, "u1")
	c.put(testEntry(1, "u1", "a@x"), body, byID)
	if _, _, ok := c.get(1, "u1", testBase, nil); ok {
		t.Errorf("a load by id from before a forget of the same user was installed")
	}
	c.put(testEntry(1, "u1", "a@x"), body, byName)
	if _, _, ok := c.get(1, "u1", testBase, nil); ok {
		t.Errorf("a load by name from before a forget was installed")
	}
	// A forget of another user spoils a ticket by name (whose user was
	// not known), but not one by id in another shard.
	other := "u2"
	for i := 0; c.shard(userKey{1, other}) == c.shard(userKey{1, "u1"}); i++ {
		other = fmt.Sprintf("u2-%d", i)
	}
	byID, byName = c.ticketFor(1, "u1"), c.ticketAny()
	forget(c, 1, other)
	c.put(testEntry(1, "u1", "a@x"), body, byName)
	if _, _, ok := c.get(1, "u1", testBase, nil); ok {
		t.Errorf("a load by name survived a forget of another user")
	}
	c.put(testEntry(1, "u1", "a@x"), body, byID)
	mustGet(t, c, 1, "u1", body)
}

// The name index is a hint: an entry whose userName is no longer the one
// asked for is not an answer.
func TestUserCacheStaleNameHint(t *testing.T) {
	c := newUserCache(1 << 20)
	c.put(testEntry(1, "u1", "new@x"), testBody("u1", 10), c.ticketFor(1, "u1"))
	nk := nameKey{1, "old@x"}
	c.nameShard(nk).ids[nk] = "u1" // as if left behind by a rename
	if e, _, ok := c.byName(1, "old@x", testBase, nil); ok {
		t.Errorf("byName(old@x) answered %q", e.userName)
	}
	if _, _, ok := c.byName(1, "NEW@x", testBase, nil); !ok {
		t.Errorf("byName(NEW@x) missed")
	}
}

// The rings hold the most recent bodies intact, whatever their sizes, and
// entries whose bytes were overwritten leave the cache and the name index.
func TestUserCacheRing(t *testing.T) {
	c := newUserCache(256 << 10)
	per := c.perShard
	budget := per * userCacheShards
	var ids []string
	bodies := map[string][]byte{}
	for i := range 5000 {
		id := fmt.Sprintf("u%d", i)
		body := testBody(id, 50+(i*37)%(per-50)) // up to a whole ring
		ids = append(ids, id)
		bodies[id] = body
		c.put(testEntry(1, id, id+"@x"), body, c.ticketFor(1, id))
		if i%7 == 0 {
			forget(c, 1, ids[i/2])
		}
	}
	cached, inRing := 0, 0
	for _, id := range ids {
		if _, got, ok := c.get(1, id, testBase, nil); ok {
			cached++
			if !bytes.Equal(got, bodies[id]) {
				t.Fatalf("%s: the body read back is not the one put (%.30q…)", id, got)
			}
		}
	}
	for i := range c.shards {
		s := &c.shards[i]
		for _, e := range s.items {
			inRing += e.n
			if e.pos+uint64(len(s.ring)) < s.head {
				t.Errorf("%s is listed but its bytes were overwritten", e.key.id)
			}
		}
	}
	if cached == 0 || inRing > budget {
		t.Errorf("%d users cached in %d bytes, want some within %d", cached, inRing, budget)
	}
	// The most recent put of each shard is always there.
	last := ids[len(ids)-1]
	mustGet(t, c, 1, last, bodies[last])
	names := 0
	for i := range c.names {
		names += len(c.names[i].ids)
	}
	if names != c.len() {
		t.Errorf("the name index has %d entries for %d users: evicted users' names stay", names, c.len())
	}
	// A body larger than a shard's ring is not cached at all.
	c.put(testEntry(1, "big", "big@x"), testBody("big", per+1), c.ticketFor(1, "big"))
	if _, _, ok := c.get(1, "big", testBase, nil); ok {
		t.Errorf("a body over the ring's size was cached")
	}
	// Replacing a user keeps only the new body.
	c.put(testEntry(1, last, last+"@x"), testBody(last, 80), c.ticketFor(1, last))
	mustGet(t, c, 1, last, testBody(last, 80))
}

func TestUserCacheOff(t *testing.T) {
	c := newUserCache(0)
	if c != nil {
		t.Fatalf("newUserCache(0) = %v, want nil", c)
	}
	c.put(testEntry(1, "u1", "a@x"), testBody("u1", 10), c.ticketFor(1, "u1"))
	forget(c, 1, "u1")
	if _, _, ok := c.get(1, "u1", testBase, nil); ok {
		t.Errorf("a nil cache found something")
	}
	if _, _, ok := c.byName(1, "a@x", testBase, nil); ok {
		t.Errorf("a nil cache found something by name")
	}
}

// While a write of a user is under way the cache neither answers for it
// nor takes it: the write may already be committed, and another write
// answered after the same commit (say, a create that took its userName)
// must not be contradicted by a read.
func TestUserCacheWriteUnderWay(t *testing.T) {
	c := newUserCache(1 << 20)
	body := testBody("a", 50)
	c.put(testEntry(1, "a", "x@example.com"), body, c.ticketFor(1, "a"))
	end := c.begin(1, "a") // DELETE a, in flight
	if _, _, ok := c.get(1, "a", testBase, nil); ok {
		t.Errorf("get answered for a user being written")
	}
	if _, _, ok := c.byName(1, "x@example.com", testBase, nil); ok {
		t.Errorf("byName answered with a user being written: its name may belong to another user already")
	}
	c.put(testEntry(1, "a", "x@example.com"), body, c.ticketFor(1, "a"))
	if c.len() != 1 {
		t.Fatalf("the entry from before the write should still be listed (%d entries)", c.len())
	}
	if _, _, ok := c.get(1, "a", testBase, nil); ok {
		t.Errorf("a put during the write made the user readable")
	}
	// Two writes at once: the user stays out until both ended.
	end2 := c.begin(1, "a")
	end.end()
	end.end() // a second call does nothing
	c.put(testEntry(1, "a", "x@example.com"), body, c.ticketFor(1, "a"))
	if _, _, ok := c.get(1, "a", testBase, nil); ok {
		t.Errorf("the user was cached while a second write was under way")
	}
	end2.end()
	if c.len() != 0 {
		t.Errorf("%d entries after the writes ended, want 0", c.len())
	}
	c.put(testEntry(1, "a", "x@example.com"), body, c.ticketFor(1, "a"))
	mustGet(t, c, 1, "a", body)
}

// A name hint to a user that is not cached, or is cached under another
// name, is dropped when a lookup finds it so.
func TestUserCacheDropsDeadHints(t *testing.T) {
	c := newUserCache(1 << 20)
	nk := nameKey{1, "gone@x"}
	c.nameShard(nk).ids[nk] = "nobody"
	if _, _, ok := c.byName(1, "gone@x", testBase, nil); ok {
		t.Fatal("a hint to nothing answered")
	}
	if _, left := c.nameShard(nk).ids[nk]; left {
		t.Errorf("the hint to an uncached user stayed")
	}
}

// A write may install the user as it stored it, unless another write of
// the same shard began or ended meanwhile (a later version may then be
// committed); the old entry's name leaves the index when the name
// changed.
func TestUserCacheEndWith(t *testing.T) {
	c := newUserCache(1 << 20)
	c.put(testEntry(1, "a", "old@x"), testBody("a", 40), c.ticketFor(1, "a"))
	w := c.begin(1, "a")
	w.endWith(testEntry(1, "a", "new@x"), testBody("a", 60))
	mustGet(t, c, 1, "a", testBody("a", 60))
	if _, _, ok := c.byName(1, "old@x", testBase, nil); ok {
		t.Errorf("the old name still answers")
	}
	if _, _, ok := c.byName(1, "NEW@x", testBase, nil); !ok {
		t.Errorf("the new name does not answer")
	}
	// Same name in another case: the name stays indexed.
	w = c.begin(1, "a")
	w.endWith(testEntry(1, "a", "New@X"), testBody("a", 70))
	if _, _, ok := c.byName(1, "new@x", testBase, nil); !ok {
		t.Errorf("a change of case dropped the name")
	}

	// Two overlapping writes of the same user: neither installs.
	w1, w2 := c.begin(1, "a"), c.begin(1, "a")
	w2.endWith(testEntry(1, "a", "new@x"), testBody("a", 80))
	w1.endWith(testEntry(1, "a", "new@x"), testBody("a", 90))
	if _, _, ok := c.get(1, "a", testBase, nil); ok {
		t.Errorf("an overlapping write installed its version")
	}
	// Another user's write in the same shard in between: no install.
	other := "b"
	for i := 0; c.shard(userKey{1, other}) != c.shard(userKey{1, "a"}); i++ {
		other = fmt.Sprintf("b%d", i)
	}
	w = c.begin(1, "a")
	forget(c, 1, other)
	w.endWith(testEntry(1, "a", "new@x"), testBody("a", 50))
	if _, _, ok := c.get(1, "a", testBase, nil); ok {
		t.Errorf("installed although the shard changed during the write")
	}
	// endWith after end does nothing.
	w = c.begin(1, "a")
	w.end()
	w.endWith(testEntry(1, "a", "new@x"), testBody("a", 50))
	if _, _, ok := c.get(1, "a", testBase, nil); ok {
		t.Errorf("endWith after end installed")
	}
	var none *userCache
	none.begin(1, "a").endWith(testEntry(1, "a", "x"), nil) // no cache: nothing, no panic
}
