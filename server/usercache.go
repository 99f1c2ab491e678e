package server

import (
	"container/list"
	"hash/maphash"
	"sync"
	"sync/atomic"

	"birdie"
)

// userCache keeps the rendered JSON of recently read users, so that the
// two requests IdPs repeat most (GET /Users/{id} and a userName eq lookup)
// answer without a database query, a decode or an encode. It is correct
// only while this server makes every change to the users it caches: the
// command turns it on for SQLite, whose file one `birdie serve` process
// holds (sqlite.LockServe), and never for PostgreSQL, whose replicas
// change each other's users.
//
// A change reaches the cache as forget(workspace, id), called by the
// handler after the store's write returns and before the answer is sent,
// so no client can see a write acknowledged and then read the older
// version. A read that misses loads the user from the store and offers
// the result with put, together with the shard's generation taken before
// the load; a forget in between bumps the generation and the offer is
// refused, so a load that raced a write never installs the older version.
//
// Memory is bounded by maxBytes (bodies and keys, plus a fixed overhead
// per entry), least recently used entries going first.
type userCache struct {
	forgets  atomic.Uint64 // how many forgets there have been, for tickets of reads by name
	seed     maphash.Seed
	shards   [userCacheShards]userShard
	names    [userCacheShards]nameShard
	perShard int // byte budget of each shard
}

const (
	userCacheShards = 32
	// entryOverhead approximates the bytes an entry costs besides its
	// strings: the entry, its list element and two map slots.
	entryOverhead = 256
)

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

// cachedUser is one user as GET /Users/{id} answers it with no
// attributes or excludedAttributes parameter, for one base URL.
type cachedUser struct {
	key      userKey
	userName string
	etag     string
	base     string // the base URL meta.location was rendered with
	body     []byte // scim.AppendUser's output
}

func (e *cachedUser) size() int {
	return len(e.key.id) + len(e.userName) + len(e.etag) + len(e.base) + len(e.body) + entryOverhead
}

type userShard struct {
	mu    sync.Mutex
	gen   uint64 // bumped by every forget
	items map[userKey]*list.Element
	lru   list.List // of *cachedUser, most recently used in front
	bytes int
}

type nameShard struct {
	mu  sync.Mutex
	ids map[nameKey]string
}

// newUserCache returns a cache of about maxBytes, or nil (no cache) when
// maxBytes <= 0. Methods of a nil cache do nothing and find nothing.
func newUserCache(maxBytes int64) *userCache {
	if maxBytes <= 0 {
		return nil
	}
	c := &userCache{seed: maphash.MakeSeed(), perShard: max(1, int(maxBytes/userCacheShards))}
	for i := range c.shards {
		c.shards[i].items = map[userKey]*list.Element{}
		c.names[i].ids = map[nameKey]string{}
	}
	return c
}

func (c *userCache) shard(k userKey) *userShard {
	return &c.shards[maphash.String(c.seed, k.id)%userCacheShards]
}

func (c *userCache) nameShard(k nameKey) *nameShard {
	return &c.names[maphash.String(c.seed, k.name)%userCacheShards]
}

// get returns the cached user, if it was rendered for base.
func (c *userCache) get(ws int64, id, base string) (*cachedUser, bool) {
	if c == nil {
		return nil, false
	}
	k := userKey{ws, id}
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.items[k]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cachedUser)
	if e.base != base {
		return nil, false
	}
	s.lru.MoveToFront(el)
	return e, true
}

// byName returns the cached user whose userName is name (compared as the
// store's unique index compares it), if it was rendered for base.
func (c *userCache) byName(ws int64, name, base string) (*cachedUser, bool) {
	if c == nil {
		return nil, false
	}
	nk := nameKey{ws, birdie.FoldKey(name)}
	ns := c.nameShard(nk)
	ns.mu.Lock()
	id, ok := ns.ids[nk]
	ns.mu.Unlock()
	if !ok {
		return nil, false
	}
	e, ok := c.get(ws, id, base)
	// The name index is only a hint: the user it points to may have been
	// renamed or forgotten since. The entry itself is current, so it
	// decides.
	if !ok || birdie.FoldKey(e.userName) != nk.name {
		return nil, false
	}
	return e, true
}

// A ticket is taken before loading a user from the store and handed to
// put with the result: put refuses the result if a forget that could
// concern it came in between.
type ticket struct {
	byID bool
	gen  uint64 // the shard's generation (byID), or the count of forgets
}

// ticketFor is the ticket of a load by id: only a forget in the user's
// shard spoils it.
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
// (a lookup by userName): any forget spoils it.
func (c *userCache) ticketAny() ticket {
	if c == nil {
		return ticket{}
	}
	return ticket{gen: c.forgets.Load()}
}

// put installs e unless its ticket was spoiled, or e alone exceeds the
// shard's budget. A forget of e's user and this put hold the same shard
// lock, so either the forget comes first and is seen here, or it comes
// later and removes e.
func (c *userCache) put(e *cachedUser, t ticket) {
	if c == nil || e.size() > c.perShard {
		return
	}
	s := c.shard(e.key)
	s.mu.Lock()
	if (t.byID && s.gen != t.gen) || (!t.byID && c.forgets.Load() != t.gen) {
		s.mu.Unlock()
		return
	}
	if el, ok := s.items[e.key]; ok {
		s.bytes -= el.Value.(*cachedUser).size()
		el.Value = e
		s.lru.MoveToFront(el)
	} else {
		s.items[e.key] = s.lru.PushFront(e)
	}
	s.bytes += e.size()
	var evicted []*cachedUser
	for s.bytes > c.perShard {
		el := s.lru.Back()
		old := el.Value.(*cachedUser)
		s.lru.Remove(el)
		delete(s.items, old.key)
		s.bytes -= old.size()
		evicted = append(evicted, old)
	}
	s.mu.Unlock()

	nk := nameKey{e.key.ws, birdie.FoldKey(e.userName)}
	ns := c.nameShard(nk)
	ns.mu.Lock()
	ns.ids[nk] = e.key.id
	ns.mu.Unlock()
	for _, old := range evicted {
		c.dropName(old)
	}
}

// forget removes the user, and refuses every offer of its shard that was
// loaded before this call.
func (c *userCache) forget(ws int64, id string) {
	if c == nil {
		return
	}
	k := userKey{ws, id}
	s := c.shard(k)
	s.mu.Lock()
	s.gen++
	c.forgets.Add(1)
	var old *cachedUser
	if el, ok := s.items[k]; ok {
		old = el.Value.(*cachedUser)
		s.lru.Remove(el)
		delete(s.items, k)
		s.bytes -= old.size()
	}
	s.mu.Unlock()
	if old != nil {
		c.dropName(old)
	}
}

// dropName removes the name index's entry for a user leaving the cache,
// unless it already points to another user.
func (c *userCache) dropName(e *cachedUser) {
	nk := nameKey{e.key.ws, birdie.FoldKey(e.userName)}
	ns := c.nameShard(nk)
	ns.mu.Lock()
	if ns.ids[nk] == e.key.id {
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
