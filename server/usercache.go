package server

import (
	"hash/maphash"
	"runtime"
	"sync"
	"sync/atomic"

	"birdie"
)

// userCache keeps the rendered JSON of recently read or written users, so
// that the two requests IdPs repeat most (GET /Users/{id} and a userName
// eq lookup) answer without a database query, a decode or an encode.
// It is correct only while this server makes every change to the users
// it caches: the command turns it on for SQLite, whose file one `birdie
// serve` process holds (sqlite.LockServe), and never for PostgreSQL,
// whose replicas change each other's users.
//
// A handler that writes a user brackets the store call with begin and the
// write it returns, and ends that write before it answers: with end, or
// with endWith to put the user in as the write stored it. While a
// write is under way the user is not served from the cache, nor
// installed in it: reads go to the store, which answers with the
// committed state. That matters beyond the user itself: a write that
// deletes or renames user A may share a commit with the create of B that
// takes A's old userName (group commit answers both after one commit),
// and once B is acknowledged no read may show A under that name. end
// removes the user (endWith replaces it, when no other write of its shard
// came in between), so what a later read installs is loaded after the
// commit. A read that misses takes a ticket, loads the user and offers
// the result with put; put refuses it if a write began or ended in
// between, so a load that raced a write never installs the older
// version.
//
// The rendered bodies live outside the Go heap, in one memory region
// (offHeap) cut into a ring per shard: written one after another, the
// oldest overwritten first (first in, first out). On the Go heap, whose
// collector needs about as much headroom again as it holds and whose
// spans fragment as entries come and go, the same bytes cost the process
// two to three times their size; there they cost their size. Only the
// small index (ids, userNames, positions) is on the Go heap.
type userCache struct {
	writes   atomic.Uint64 // how many writes began or ended, for tickets of reads by name
	seed     maphash.Seed
	shards   [userCacheShards]userShard
	names    [userCacheShards]nameShard
	perShard int // bytes of each shard's ring
}

const userCacheShards = 32

type userKey struct {
	ws int64
	id string
}

// nameKey is a userName in birdie.FoldKey form: the form the store's
// unique index compares, so one key names at most one user.
type nameKey struct {
	ws   int64
	name string
}

// cachedUser describes one user as GET /Users/{id} answers it with no
// attributes or excludedAttributes parameter, for one base URL. Its body
// is in its shard's ring, from absolute position pos.
type cachedUser struct {
	key      userKey
	userName string
	etag     string
	base     string // the base URL meta.location was rendered with
	pos      uint64 // absolute position in the ring: the byte at pos % size
	n        int    // body length
}

type userShard struct {
	mu      sync.Mutex
	gen     uint64 // bumped by every begin and end of a write
	items   map[userKey]*cachedUser
	writing map[userKey]int // writes under way, per user
	ring    []byte          // this shard's part of the off-heap region
	head    uint64          // absolute position of the next write
	fifo    []*cachedUser
	first   int // fifo[first:] are the entries still in the ring, oldest first
}

type nameShard struct {
	mu  sync.Mutex
	ids map[nameKey]string
}

// newUserCache returns a cache of about maxBytes of rendered users, or nil
// (no cache) when maxBytes <= 0. Methods of a nil cache do nothing and
// find nothing.
func newUserCache(maxBytes int64) *userCache {
	if maxBytes <= 0 {
		return nil
	}
	per := max(4096, int(maxBytes/userCacheShards))
	mem, free := offHeap(per * userCacheShards)
	c := &userCache{seed: maphash.MakeSeed(), perShard: per}
	for i := range c.shards {
		c.shards[i].items = map[userKey]*cachedUser{}
		c.shards[i].writing = map[userKey]int{}
		c.shards[i].ring = mem[i*per : (i+1)*per : (i+1)*per]
		c.names[i].ids = map[nameKey]string{}
	}
	// The region is returned when the cache is unreachable: no request
	// can be reading it then.
	runtime.AddCleanup(c, func(f func()) { f() }, free)
	return c
}

func (c *userCache) shard(k userKey) *userShard {
	return &c.shards[maphash.String(c.seed, k.id)%userCacheShards]
}

func (c *userCache) nameShard(k nameKey) *nameShard {
	return &c.names[maphash.String(c.seed, k.name)%userCacheShards]
}

// get appends the cached user's body to dst and returns its entry, if the
// user is cached for base.
func (c *userCache) get(ws int64, id, base string, dst []byte) (*cachedUser, []byte, bool) {
	if c == nil {
		return nil, dst, false
	}
	k := userKey{ws, id}
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.items[k]
	if !ok || e.base != base || s.writing[k] > 0 {
		return nil, dst, false
	}
	at := int(e.pos % uint64(len(s.ring)))
	return e, append(dst, s.ring[at:at+e.n]...), true
}

// byName is get for the cached user whose userName is name (compared as
// the store's unique index compares it).
func (c *userCache) byName(ws int64, name, base string, dst []byte) (*cachedUser, []byte, bool) {
	if c == nil {
		return nil, dst, false
	}
	nk := nameKey{ws, birdie.FoldKey(name)}
	ns := c.nameShard(nk)
	ns.mu.Lock()
	id, ok := ns.ids[nk]
	ns.mu.Unlock()
	if !ok {
		return nil, dst, false
	}
	e, out, ok := c.get(ws, id, base, dst)
	// The name index is only a hint: the user it points to may have been
	// renamed or forgotten since. The entry itself is current, so it
	// decides.
	if ok && birdie.FoldKey(e.userName) == nk.name {
		return e, out, true
	}
	if ok || !c.cached(ws, id) {
		c.dropNameKey(nk, id) // a hint to nothing, or to a user of another name
	}
	return nil, dst, false
}

// A ticket is taken before loading a user from the store and handed to
// put with the result: put refuses the result if a write that could
// concern it began or ended in between.
type ticket struct {
	byID bool
	gen  uint64 // the shard's generation (byID), or the count of writes
}

// ticketFor is the ticket of a load by id: only a write to a user of the
// same shard spoils it.
func (c *userCache) ticketFor(ws int64, id string) ticket {
	if c == nil {
		return ticket{}
	}
	s := c.shard(userKey{ws, id})
	s.mu.Lock()
	defer s.mu.Unlock()
	return ticket{byID: true, gen: s.gen}
}

// ticketAny is the ticket of a load whose user is not known in advance
// (a lookup by userName): any write spoils it.
func (c *userCache) ticketAny() ticket {
	if c == nil {
		return ticket{}
	}
	return ticket{gen: c.writes.Load()}
}

// put installs e with its body unless its ticket was spoiled, a write
// of its user is under way, or the body is larger than a shard's ring.
// begin and end of e's user hold the same shard lock as put, so either
// they come first and are seen here, or end comes later and removes e.
func (c *userCache) put(e *cachedUser, body []byte, t ticket) {
	if c == nil || len(body) > c.perShard {
		return
	}
	s := c.shard(e.key)
	s.mu.Lock()
	if (t.byID && s.gen != t.gen) || (!t.byID && c.writes.Load() != t.gen) || s.writing[e.key] > 0 {
		s.mu.Unlock()
		return
	}
	evicted := c.installLocked(s, e, body)
	s.mu.Unlock()
	for _, old := range evicted {
		c.dropName(old)
	}
}

// installLocked writes e's body into s's ring and lists e (and its
// name), with s.mu held; it returns the entries whose bytes it
// overwrote, for dropName once the lock is released.
func (c *userCache) installLocked(s *userShard, e *cachedUser, body []byte) (evicted []*cachedUser) {
	size := uint64(len(s.ring))
	// A body never wraps around the ring's end: it starts over at 0.
	start := s.head
	if start%size+uint64(len(body)) > size {
		start += size - start%size
	}
	end := start + uint64(len(body))
	// Entries whose bytes the new body overwrites leave the cache.
	for s.first < len(s.fifo) && s.fifo[s.first].pos+size < end {
		old := s.fifo[s.first]
		s.fifo[s.first] = nil
		s.first++
		if s.items[old.key] == old {
			delete(s.items, old.key)
			evicted = append(evicted, old)
		}
	}
	if s.first > len(s.fifo)/2 {
		s.fifo = append(s.fifo[:0], s.fifo[s.first:]...)
		s.first = 0
	}
	copy(s.ring[start%size:], body)
	e.pos, e.n = start, len(body)
	s.head = end
	s.items[e.key] = e
	s.fifo = append(s.fifo, e)
	// The name goes in under the shard lock too, so that an end that
	// removes e afterwards finds it and removes its name as well. (Lock
	// order: a user shard, then a name shard; never the other way.)
	nk := nameKey{e.key.ws, birdie.FoldKey(e.userName)}
	ns := c.nameShard(nk)
	ns.mu.Lock()
	ns.ids[nk] = e.key.id
	ns.mu.Unlock()
	return evicted
}

// begin marks a write of the user as under way: until it ends, the user
// is neither served from the cache nor installed in it. End it once the
// store's write has returned, whatever its outcome, and before answering:
// with end, or with endWith to install the user as the write left it.
// Ending twice does nothing, so end may also be deferred against panics.
func (c *userCache) begin(ws int64, id string) *userWrite {
	if c == nil {
		return nil
	}
	k := userKey{ws, id}
	s := c.shard(k)
	s.mu.Lock()
	s.gen++
	c.writes.Add(1)
	s.writing[k]++
	w := &userWrite{c: c, s: s, k: k, gen: s.gen}
	s.mu.Unlock()
	return w
}

// userWrite is a write under way (begin).
type userWrite struct {
	c     *userCache
	s     *userShard
	k     userKey
	gen   uint64 // the shard's generation just after begin
	ended bool
}

// end ends the write and removes the user from the cache.
func (w *userWrite) end() { w.endWith(nil, nil) }

// endWith ends the write and installs e, the user as this write stored
// it, rendered as body, so that the read IdPs make next (Okta reads a
// user before each PUT) finds it. It installs nothing, as end, unless
// this was the shard's only write since begin: then no later version of
// the user can have been committed in between.
func (w *userWrite) endWith(e *cachedUser, body []byte) {
	if w == nil || w.ended {
		return
	}
	w.ended = true
	c, s, k := w.c, w.s, w.k
	s.mu.Lock()
	s.gen++
	c.writes.Add(1)
	if s.writing[k]--; s.writing[k] == 0 {
		delete(s.writing, k)
	}
	old, listed := s.items[k]
	delete(s.items, k) // its bytes stay in the ring until overwritten
	var evicted []*cachedUser
	installed := e != nil && e.key == k && s.gen == w.gen+1 && s.writing[k] == 0 && len(body) <= c.perShard
	if installed {
		evicted = c.installLocked(s, e, body)
	}
	s.mu.Unlock()
	// The old entry's name leaves the index, unless the new entry has
	// just put the same name there.
	if listed && !(installed && birdie.FoldKey(old.userName) == birdie.FoldKey(e.userName)) {
		c.dropName(old)
	}
	for _, ev := range evicted {
		c.dropName(ev)
	}
}

// cached reports whether the user has an entry.
func (c *userCache) cached(ws int64, id string) bool {
	k := userKey{ws, id}
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.items[k]
	return ok
}

// dropName removes the name index's entry for a user leaving the cache,
// unless it already points to another user.
func (c *userCache) dropName(e *cachedUser) {
	c.dropNameKey(nameKey{e.key.ws, birdie.FoldKey(e.userName)}, e.key.id)
}

// dropNameKey removes the name index's entry nk if it points to id.
func (c *userCache) dropNameKey(nk nameKey, id string) {
	ns := c.nameShard(nk)
	ns.mu.Lock()
	if ns.ids[nk] == id {
		delete(ns.ids, nk)
	}
	ns.mu.Unlock()
}

// len returns how many users are cached, for tests.
func (c *userCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.items)
		s.mu.Unlock()
	}
	return n
}
