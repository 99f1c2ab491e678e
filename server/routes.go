package server

import (
	"net/http"

	"birdie"
)

// routes lists the whole API surface in one place.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /readyz", s.handleReady)

	// Discovery (RFC 7644 §4): public, it describes no workspace's data.
	mux.HandleFunc("GET /scim/v2/ServiceProviderConfig", s.handleServiceProviderConfig)
	mux.HandleFunc("GET /scim/v2/ResourceTypes", s.handleResourceTypes)
	mux.HandleFunc("GET /scim/v2/ResourceTypes/{name}", s.handleResourceType)
	mux.HandleFunc("GET /scim/v2/Schemas", s.handleSchemas)
	mux.HandleFunc("GET /scim/v2/Schemas/{urn}", s.handleSchema)

	// Users: every request is authenticated, scoped to the token's
	// workspace, and recorded in its provisioning log as the operation named.
	mux.Handle("GET /scim/v2/Users", s.auth(birdie.OpList, s.handleListUsers))
	mux.Handle("POST /scim/v2/Users", s.auth(birdie.OpCreate, s.handleCreateUser))
	mux.Handle("POST /scim/v2/Users/.search", s.auth(birdie.OpList, s.handleSearchUsers))
	mux.Handle("GET /scim/v2/Users/{id}", s.auth(birdie.OpRead, s.handleGetUser))
	mux.Handle("PUT /scim/v2/Users/{id}", s.auth(birdie.OpReplace, s.handleReplaceUser))
	mux.Handle("PATCH /scim/v2/Users/{id}", s.auth(birdie.OpPatch, s.handlePatchUser))
	mux.Handle("DELETE /scim/v2/Users/{id}", s.auth(birdie.OpDelete, s.handleDeleteUser))

	// Groups are not synced: reads answer empty so IdP connection tests
	// pass, writes answer 501 telling the admin what to change.
	mux.Handle("GET /scim/v2/Groups", s.auth(birdie.OpGroups, s.handleListGroups))
	mux.Handle("POST /scim/v2/Groups/.search", s.auth(birdie.OpGroups, s.handleListGroups))
	mux.Handle("GET /scim/v2/Groups/{id}", s.auth(birdie.OpGroups, s.handleGetGroup))
	mux.Handle("/scim/v2/Groups", s.auth(birdie.OpGroups, s.handleGroupWrite))
	mux.Handle("/scim/v2/Groups/{id}", s.auth(birdie.OpGroups, s.handleGroupWrite))

	// Everything else under the SCIM root gets a SCIM error, not the
	// mux's plain-text 404/405.
	mux.HandleFunc("/scim/v2/Users", s.methodNotAllowed)
	mux.HandleFunc("/scim/v2/Users/{id}", s.methodNotAllowed)
	mux.HandleFunc("/scim/v2/", s.notFound)
	mux.HandleFunc("/scim/v2", s.notFound) // the root itself: no redirect to "/scim/v2/"

	// recoverPanics runs inside logRequests, so a request that panics is
	// still logged, measured and answered with its request id.
	return s.logRequests(s.recoverPanics(s.limitHeaders(normalizePath(mux, s.notFound))))
}
