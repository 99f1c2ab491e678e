package server

import (
	"net/http"
	"strings"

	"birdie"
	"birdie/scim"
)

func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	doc, err := scim.DecodeUser(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.cfg.Now().UTC()
	u := birdie.User{ID: birdie.NewID(), Attributes: doc, Created: now, LastModified: now, Version: 1}
	if err := scim.Derive(&u); err != nil {
		s.writeError(w, r, err)
		return
	}
	info(r.Context()).userName = u.UserName // logged even if the create fails (a taken userName)
	write := s.users.begin(p.WorkspaceID, u.ID)
	defer write.end()
	if err := s.store.CreateUser(r.Context(), p.WorkspaceID, u); err != nil {
		write.end()
		s.writeError(w, r, err)
		return
	}
	s.writeWritten(w, r, http.StatusCreated, p.WorkspaceID, &u, write)
}

func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request, p principal) {
	if s.users != nil && r.URL.RawQuery == "" {
		s.getCachedUser(w, r, p)
		return
	}
	u, err := s.store.User(r.Context(), p.WorkspaceID, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, u.ETag()) {
		noteUser(r, &u)
		w.Header().Set("ETag", u.ETag())
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.writeUser(w, r, http.StatusOK, &u, nil)
}

// handleReplaceUser is PUT: the body replaces every client attribute, with
// two exceptions IdPs depend on: id, meta and groups in the body are
// ignored (Okta echoes them back), and an omitted active leaves the status
// unchanged (so a profile edit never deactivates anyone by accident).
func (s *Server) handleReplaceUser(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	doc, err := scim.DecodeUser(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.changeUser(w, r, p, func(u *birdie.User) error {
		if _, ok := doc["active"]; !ok {
			doc["active"] = u.Active
		}
		u.Attributes = doc
		return nil
	})
}

// handlePatchUser applies a PatchOp request atomically: the operations run
// in order on a copy inside the store's transaction, and nothing is saved
// if any fails. It answers 200 with the user (Okta and Entra's validator
// need the body; RFC 7644 allows 200 or 204).
func (s *Server) handlePatchUser(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ops, err := scim.DecodePatch(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.changeUser(w, r, p, func(u *birdie.User) error {
		doc := scim.CopyDoc(u.Attributes)
		if err := scim.ApplyPatch(doc, ops); err != nil {
			return err
		}
		u.Attributes = doc
		return nil
	})
}

// changeUser is the read-modify-write of PUT and PATCH, in one store
// transaction: check If-Match against the stored version, apply change to
// the attributes, re-derive the indexed fields and account email, write,
// and answer with the result.
func (s *Server) changeUser(w http.ResponseWriter, r *http.Request, p principal, change func(*birdie.User) error) {
	ifMatch := r.Header.Get("If-Match")
	id := r.PathValue("id")
	write := s.users.begin(p.WorkspaceID, id)
	defer write.end()
	u, err := s.store.UpdateUser(r.Context(), p.WorkspaceID, id, func(u *birdie.User) error {
		if err := checkIfMatch(ifMatch, u); err != nil {
			return err
		}
		if err := change(u); err != nil {
			return err
		}
		return scim.Derive(u)
	})
	if err != nil {
		write.end() // before answering, even on error: the write may have landed
		s.writeError(w, r, err)
		return
	}
	s.writeWritten(w, r, http.StatusOK, p.WorkspaceID, &u, write)
}

func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request, p principal) {
	ifMatch := r.Header.Get("If-Match")
	var userName string
	id := r.PathValue("id")
	write := s.users.begin(p.WorkspaceID, id)
	defer write.end()
	err := s.store.DeleteUser(r.Context(), p.WorkspaceID, id, func(u birdie.User) error {
		userName = u.UserName
		return checkIfMatch(ifMatch, &u)
	})
	write.end() // before answering, even on error: the write may have landed
	info(r.Context()).userName = userName
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request, p principal) {
	params, err := scim.ParseListQuery(r.URL.RawQuery)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.listUsers(w, r, p, params)
}

func (s *Server) handleSearchUsers(w http.ResponseWriter, r *http.Request, p principal) {
	body, err := s.readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	params, err := scim.ParseSearchRequest(body)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.listUsers(w, r, p, params)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, p principal, params scim.ListParams) {
	if name, ok := userNameLookup(params); ok && s.users != nil {
		s.lookupCachedUserName(w, r, p, params, name)
		return
	}
	page, err := s.store.ListUsers(r.Context(), p.WorkspaceID, params.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	proj := scim.NewProjection(params.Attributes, params.ExcludedAttributes)
	lp := scim.ListPage{Total: page.Total, StartIndex: params.StartIndex}
	if params.UseCursor {
		lp = scim.ListPage{Total: page.Total, NextCursor: page.NextCursor, PrevCursor: page.PrevCursor}
	}
	body := scim.AppendUserList(make([]byte, 0, 512+1024*len(page.Users)), page.Users, lp, s.baseURL(r), proj)
	writeBody(w, http.StatusOK, body)
}

// writeWritten answers a create or change with the user as stored, and
// ends write before answering: with the user cache, by installing the
// rendered user, which is also the answer when no attributes or
// excludedAttributes were asked for.
func (s *Server) writeWritten(w http.ResponseWriter, r *http.Request, status int, ws int64, u *birdie.User, write *userWrite) {
	if s.users == nil {
		s.writeUser(w, r, status, u, nil)
		return
	}
	e, body := renderCached(ws, u, s.baseURL(r), make([]byte, 0, 1024))
	write.endWith(e, body)
	s.writeUser(w, r, status, u, body)
}

// writeUser answers with one user, its ETag and, on create, its Location.
// attributes/excludedAttributes are honoured here too (RFC 7644 §3.9).
// rendered, if not nil, is the user as scim.AppendUser renders it, the
// answer when neither is asked for.
func (s *Server) writeUser(w http.ResponseWriter, r *http.Request, status int, u *birdie.User, rendered []byte) {
	noteUser(r, u)
	q := r.URL.Query()
	proj := scim.NewProjection(scim.SplitList(q.Get("attributes")), scim.SplitList(q.Get("excludedAttributes")))
	base := s.baseURL(r)
	w.Header().Set("ETag", u.ETag())
	if status == http.StatusCreated {
		w.Header().Set("Location", scim.Location(base, u.ID))
	}
	if rendered == nil || !proj.IsZero() {
		rendered = scim.AppendProjectedUser(make([]byte, 0, 1024), u, base, proj)
	}
	writeBody(w, status, rendered)
}

// noteUser records which user the request concerned, for the provisioning
// log.
func noteUser(r *http.Request, u *birdie.User) {
	ri := info(r.Context())
	ri.userID, ri.userName = u.ID, u.UserName
}

// checkIfMatch enforces an If-Match precondition against the stored
// version; it runs inside the store's transaction, so two writers holding
// the same version cannot both win.
func checkIfMatch(header string, u *birdie.User) error {
	if header == "" || etagMatches(header, u.ETag()) {
		return nil
	}
	return birdie.Errorf(birdie.EPRECONDITION, "the user was modified since it was read: If-Match %s does not match the current version %s; GET the user again and retry", header, u.ETag())
}

// etagMatches reports whether an If-Match/If-None-Match header value (a
// list of entity tags or "*") matches etag, comparing weakly (RFC 9110
// §8.8.3.2), since Birdie's tags are weak.
func etagMatches(header, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}
