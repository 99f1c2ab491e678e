package server

import (
	"fmt"
	"strings"
	"testing"
)

func testEntry(ws int64, id, userName string, bodyLen int) *cachedUser {
	return &cachedUser{key: userKey{ws, id}, userName: userName, etag: `W/"1"`, base: "https://b/scim/v2",
		body: []byte(strings.Repeat("x", bodyLen))}
}

func TestUserCacheGetPutForget(t *testing.T) {
	c := newUserCache(1 << 20)
	e := testEntry(1, "u1", "Ann@Example.com", 100)
	c.put(e, c.ticketFor(1, "u1"))
	if got, ok := c.get(1, "u1", e.base); !ok || got != e {
		t.Fatalf("get after put: %v %v", got, ok)
	}
	if _, ok := c.get(2, "u1", e.base); ok {
		t.Errorf("another workspace's user was found")
	}
	if _, ok := c.get(1, "u1", "https://other/scim/v2"); ok {
		t.Errorf("an entry rendered for another base URL was found")
	}
	if got, ok := c.byName(1, "ann@EXAMPLE.com", e.base); !ok || got != e {
		t.Errorf("byName in another case: %v %v", got, ok)
	}
	if _, ok := c.byName(2, "ann@example.com", e.base); ok {
		t.Errorf("byName found another workspace's user")
	}
	c.forget(1, "u1")
	if _, ok := c.get(1, "u1", e.base); ok {
		t.Errorf("found after forget")
	}
	if _, ok := c.byName(1, "ann@example.com", e.base); ok {
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
	byID := c.ticketFor(1, "u1")
	byName := c.ticketAny()
	c.forget(1, "u1")
	c.put(testEntry(1, "u1", "a@x", 10), byID)
	if _, ok := c.get(1, "u1", "https://b/scim/v2"); ok {
		t.Errorf("a load by id from before a forget of the same user was installed")
	}
	c.put(testEntry(1, "u1", "a@x", 10), byName)
	if _, ok := c.get(1, "u1", "https://b/scim/v2"); ok {
		t.Errorf("a load by name from before a forget was installed")
	}
	// A forget of another user spoils a ticket by name (whose user was
	// not known), but not one by id in another shard.
	other := "u2"
	for i := 0; c.shard(userKey{1, other}) == c.shard(userKey{1, "u1"}); i++ {
		other = fmt.Sprintf("u2-%d", i)
	}
	byID, byName = c.ticketFor(1, "u1"), c.ticketAny()
	c.forget(1, other)
	c.put(testEntry(1, "u1", "a@x", 10), byName)
	if _, ok := c.get(1, "u1", "https://b/scim/v2"); ok {
		t.Errorf("a load by name survived a forget of another user")
	}
	c.put(testEntry(1, "u1", "a@x", 10), byID)
	if _, ok := c.get(1, "u1", "https://b/scim/v2"); !ok {
		t.Errorf("a load by id was refused because of a forget in another shard")
	}
}

// The name index is a hint: an entry whose userName is no longer the one
// asked for is not an answer.
func TestUserCacheStaleNameHint(t *testing.T) {
	c := newUserCache(1 << 20)
	c.put(testEntry(1, "u1", "new@x", 10), c.ticketFor(1, "u1"))
	nk := nameKey{1, "old@x"}
	ns := c.nameShard(nk)
	ns.ids[nk] = "u1" // as if left behind by a rename
	if e, ok := c.byName(1, "old@x", "https://b/scim/v2"); ok {
		t.Errorf("byName(old@x) answered %q", e.userName)
	}
	if _, ok := c.byName(1, "NEW@x", "https://b/scim/v2"); !ok {
		t.Errorf("byName(NEW@x) missed")
	}
}

// Memory stays within the budget, least recently used entries going first.
func TestUserCacheEviction(t *testing.T) {
	const budget = 64 << 10
	c := newUserCache(budget)
	e0 := testEntry(1, "keep", "keep@x", 500)
	c.put(e0, c.ticketFor(1, "keep"))
	for i := range 2000 {
		id := fmt.Sprintf("u%d", i)
		c.put(testEntry(1, id, id+"@x", 500), c.ticketFor(1, id))
		c.get(1, "keep", e0.base) // used all the time: never evicted
		total := 0
		for s := range c.shards {
			total += c.shards[s].bytes
		}
		if total > budget {
			t.Fatalf("after %d puts the cache holds %d bytes, over its %d", i+1, total, budget)
		}
	}
	if _, ok := c.get(1, "keep", e0.base); !ok {
		t.Errorf("the most recently used entry was evicted")
	}
	if n := c.len(); n < 10 || n > budget/500 {
		t.Errorf("%d entries cached, want some and at most %d", n, budget/500)
	}
	names := 0
	for i := range c.names {
		names += len(c.names[i].ids)
	}
	if names != c.len() {
		t.Errorf("the name index has %d entries for %d users: evicted users' names stay", names, c.len())
	}
	// An entry larger than a shard's budget is not cached at all.
	big := testEntry(1, "big", "big@x", budget)
	c.put(big, c.ticketFor(1, "big"))
	if _, ok := c.get(1, "big", big.base); ok {
		t.Errorf("an entry over the shard budget was cached")
	}
}

func TestUserCacheOff(t *testing.T) {
	var c *userCache = newUserCache(0)
	if c != nil {
		t.Fatalf("newUserCache(0) = %v, want nil", c)
	}
	c.put(testEntry(1, "u1", "a@x", 10), c.ticketFor(1, "u1"))
	c.forget(1, "u1")
	if _, ok := c.get(1, "u1", "https://b/scim/v2"); ok {
		t.Errorf("a nil cache found something")
	}
	if _, ok := c.byName(1, "a@x", "https://b/scim/v2"); ok {
		t.Errorf("a nil cache found something by name")
	}
}
