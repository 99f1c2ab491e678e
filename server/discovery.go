package server

import (
	"context"
	"net/http"
	"strings"

	"birdie/scim"
)

// handleHealth answers whether the process is alive and its store
// reachable.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.store.Ping(r.Context()); err != nil {
		s.log.Error("health check: store unreachable", "error", err.Error())
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "detail": "the store is unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
}

// handleReady answers whether this replica should receive traffic: the
// store is reachable and its schema is the one this process runs (stores
// that can tell implement Ready; others fall back to Ping).
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	check := s.store.Ping
	if rd, ok := s.store.(interface{ Ready(context.Context) error }); ok {
		check = rd.Ready
	}
	if err := check(r.Context()); err != nil {
		s.log.Warn("not ready", "error", err.Error())
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "not ready", "detail": "the store is unreachable or its schema changed; see the server log"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready"})
}

func (s *Server) handleServiceProviderConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, scim.ServiceProviderConfig(s.baseURL(r)))
}

func (s *Server) handleResourceTypes(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, scim.ListResponse(1, 1, []any{scim.UserResourceType(s.baseURL(r))}))
}

func (s *Server) handleResourceType(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.PathValue("name"), "User") {
		s.writeError(w, r, scim.Errorf(http.StatusNotFound, "", "resource type %q does not exist; Birdie serves only User (groups are not synced)", r.PathValue("name")))
		return
	}
	writeJSON(w, http.StatusOK, scim.UserResourceType(s.baseURL(r)))
}

func (s *Server) handleSchemas(w http.ResponseWriter, r *http.Request) {
	res := make([]any, 0, len(scim.Schemas))
	for _, sc := range scim.Schemas {
		res = append(res, scim.SchemaResource(sc, s.baseURL(r)))
	}
	writeJSON(w, http.StatusOK, scim.ListResponse(len(res), 1, res))
}

func (s *Server) handleSchema(w http.ResponseWriter, r *http.Request) {
	sc := scim.SchemaByURN(r.PathValue("urn"))
	if sc == nil {
		s.writeError(w, r, scim.Errorf(http.StatusNotFound, "", "schema %q does not exist; see /Schemas for the ones Birdie serves", r.PathValue("urn")))
		return
	}
	writeJSON(w, http.StatusOK, scim.SchemaResource(sc, s.baseURL(r)))
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, scim.Errorf(http.StatusNotFound, "", "%s is not a SCIM endpoint of Birdie; the base URL is /scim/v2 and Birdie serves /Users, /ServiceProviderConfig, /ResourceTypes and /Schemas", r.URL.Path))
}

func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, scim.Errorf(http.StatusMethodNotAllowed, "", "method %s is not allowed on %s", r.Method, r.URL.Path))
}

// baseURL is the absolute URL of the SCIM root as clients see it.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if s.cfg.TrustProxy {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
			scheme = p
		}
		if h := r.Header.Get("X-Forwarded-Host"); h != "" {
			host = h
		}
	}
	return scheme + "://" + host + "/scim/v2"
}
