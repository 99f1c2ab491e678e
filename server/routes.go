package server

import "net/http"

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

	// Users: every request is authenticated and scoped to the token's workspace.
	mux.Handle("GET /scim/v2/Users", s.auth(s.handleListUsers))
	mux.Handle("POST /scim/v2/Users", s.auth(s.handleCreateUser))
	mux.Handle("POST /scim/v2/Users/.search", s.auth(s.handleSearchUsers))
	mux.Handle("GET /scim/v2/Users/{id}", s.auth(s.handleGetUser))
	mux.Handle("PUT /scim/v2/Users/{id}", s.auth(s.handleReplaceUser))
	mux.Handle("PATCH /scim/v2/Users/{id}", s.auth(s.handlePatchUser))
	mux.Handle("DELETE /scim/v2/Users/{id}", s.auth(s.handleDeleteUser))

	// Groups are not synced: reads answer empty so IdP connection tests
	// pass, writes answer 501 telling the admin what to change.
	mux.Handle("GET /scim/v2/Groups", s.auth(s.handleListGroups))
	mux.Handle("POST /scim/v2/Groups/.search", s.auth(s.handleListGroups))
	mux.Handle("GET /scim/v2/Groups/{id}", s.auth(s.handleGetGroup))
	mux.Handle("/scim/v2/Groups", s.auth(s.handleGroupWrite))
	mux.Handle("/scim/v2/Groups/{id}", s.auth(s.handleGroupWrite))

	// Everything else under the SCIM root gets a SCIM error, not the
	// mux's plain-text 404/405.
	mux.HandleFunc("/scim/v2/Users", s.methodNotAllowed)
	mux.HandleFunc("/scim/v2/Users/{id}", s.methodNotAllowed)
	mux.HandleFunc("/scim/v2/", s.notFound)
	mux.HandleFunc("/scim/v2", s.notFound) // the root itself: no redirect to "/scim/v2/"

	// recoverPanics runs inside logRequests, so a request that panics is
	// still logged, measured and answered with its request id.
	return s.logRequests(s.recoverPanics(normalizePath(mux)))
}
