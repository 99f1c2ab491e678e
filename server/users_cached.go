package server

import (
	"net/http"
	"sync"

	"birdie"
	"birdie/scim"
)

// The two reads answered from the user cache (userCache), when the server
// has one. Each answers byte for byte what the uncached path answers.

// getCachedUser is GET /Users/{id} without query parameters.
func (s *Server) getCachedUser(w http.ResponseWriter, r *http.Request, p principal) {
	id, base := r.PathValue("id"), s.baseURL(r)
	bp := bodyBufs.Get().(*[]byte)
	defer bodyBufs.Put(bp)
	e, body, ok := s.users.get(p.WorkspaceID, id, base, (*bp)[:0])
	if !ok {
		t := s.users.ticketFor(p.WorkspaceID, id)
		u, err := s.store.User(r.Context(), p.WorkspaceID, id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		e, body = renderCached(p.WorkspaceID, &u, base, body)
		s.users.put(e, body, t)
	}
	*bp = body
	ri := info(r.Context())
	ri.userID, ri.userName = e.key.id, e.userName
	w.Header().Set("ETag", e.etag)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeBody(w, http.StatusOK, body)
}

// bodyBufs hold the bodies of cached answers while they are written:
// over HTTP/1.1 net/http has copied or sent them when Write returns.
// (serve does not offer HTTP/2, whose Write may return before a large
// body is sent when a stream is reset; a server that embeds this handler
// behind HTTP/2 should leave the user cache off.)
var bodyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// lookupCachedUserName is a list whose only condition is userName eq
// "name", the lookup every IdP makes before creating a user. userName is
// unique in a workspace, so the answer is that one user or none; a
// lookup that finds none is not cached (the user may be created next).
func (s *Server) lookupCachedUserName(w http.ResponseWriter, r *http.Request, p principal, params scim.ListParams, name string) {
	base := s.baseURL(r)
	bp := bodyBufs.Get().(*[]byte)
	defer bodyBufs.Put(bp)
	e, body, ok := s.users.byName(p.WorkspaceID, name, base, (*bp)[:0])
	if !ok {
		t := s.users.ticketAny()
		page, err := s.store.ListUsers(r.Context(), p.WorkspaceID, params.Query())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if len(page.Users) != 1 {
			lp := scim.ListPage{Total: page.Total, StartIndex: params.StartIndex}
			writeBody(w, http.StatusOK, scim.AppendUserList(make([]byte, 0, 512), page.Users, lp, base, scim.Projection{}))
			return
		}
		e, body = renderCached(p.WorkspaceID, &page.Users[0], base, body)
		s.users.put(e, body, t)
	}
	*bp = body
	lp := scim.ListPage{Total: 1, StartIndex: params.StartIndex}
	writeBody(w, http.StatusOK, scim.AppendRenderedList(make([]byte, 0, len(body)+256), [][]byte{body}, lp))
}

// renderCached renders u as the cache keeps it, appending its body to
// dst.
func renderCached(ws int64, u *birdie.User, base string, dst []byte) (*cachedUser, []byte) {
	e := &cachedUser{key: userKey{ws, u.ID}, userName: u.UserName, etag: u.ETag(), base: base}
	return e, scim.AppendUser(dst, u, base)
}

// userNameLookup reports whether params ask for exactly the user whose
// userName is name, whole: a filter `userName eq "name"` on the first
// page, with room for one result, no cursor and every attribute.
func userNameLookup(params scim.ListParams) (name string, ok bool) {
	c, isCompare := params.Filter.(birdie.Compare)
	if !isCompare || c.Op != birdie.OpEq || c.Path != (birdie.AttrPath{Attr: "userName"}) {
		return "", false
	}
	name, isString := c.Value.(string)
	if !isString || params.UseCursor || params.StartIndex > 1 || params.Count < 1 ||
		len(params.Attributes) > 0 || len(params.ExcludedAttributes) > 0 {
		return "", false
	}
	return name, true
}
