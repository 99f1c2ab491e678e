package server

import (
	"net/http"

	"birdie/scim"
)

// groupsDetail tells the IdP admin what to change when their IdP tries to
// push groups.
const groupsDetail = "Birdie syncs users only and does not support groups: turn group provisioning (Okta: Push Groups; Entra ID: the Groups mapping) off for this app"

// handleListGroups answers every group read with an empty list, so that
// IdP connection tests which probe /Groups pass.
func (s *Server) handleListGroups(w http.ResponseWriter, r *http.Request, _ principal) {
	start := 1
	if p, err := scim.ParseListQuery(r.URL.RawQuery); err == nil {
		start = p.StartIndex
	}
	writeJSON(w, http.StatusOK, scim.ListResponse(0, start, nil))
}

func (s *Server) handleGetGroup(w http.ResponseWriter, r *http.Request, _ principal) {
	s.writeError(w, r, scim.Errorf(http.StatusNotFound, "", "group %q does not exist: %s", r.PathValue("id"), groupsDetail))
}

func (s *Server) handleGroupWrite(w http.ResponseWriter, r *http.Request, _ principal) {
	s.writeError(w, r, scim.Errorf(http.StatusNotImplemented, "", "%s", groupsDetail))
}
