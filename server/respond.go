package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"

	"birdie/scim"
)

// ContentType is the media type of every response body (RFC 7644 §3.1).
const ContentType = "application/scim+json; charset=utf-8"

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"schemas":["` + scim.URNError + `"],"status":"500","detail":"internal server error: could not encode the response"}`)
	}
	w.Header().Set("Content-Type", ContentType)
	w.WriteHeader(status)
	w.Write(body)
}

// contentType is the Content-Type header's value, shared by every
// response: net/http copies header values when it sends them and never
// changes them, and Set replaces the slice rather than writing into it.
var contentType = []string{ContentType}

// writeBody answers with an already encoded JSON body.
func writeBody(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h["Content-Type"] = contentType
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body)
}

// writeError answers with a SCIM Error, and notes it for the provisioning
// log: every error answer goes through here. Internal errors are logged
// with the request id; their cause is never shown to the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	se := scim.AsError(err)
	ri := info(r.Context())
	ri.scimType, ri.detail = se.ScimType, se.Detail
	if se.Status == http.StatusInternalServerError {
		s.log.Error("internal error", "request_id", ri.id, "method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	s.cfg.Observer.ObserveSCIMError(se.Status, se.ScimType)
	if se.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="birdie"`)
	}
	writeJSON(w, se.Status, se.Body())
}

// readBody reads a request body up to the configured limit, and notes it
// for the provisioning log (which keeps it only in debug mode). A larger
// body is answered 413 without reading further; the connection is then
// closed so the unread rest cannot be taken for the next request.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	limit := s.cfg.MaxBodyBytes
	tooLarge := scim.Errorf(http.StatusRequestEntityTooLarge, "", "the request body is larger than the limit of %d bytes", limit)
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		return nil, tooLarge
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			w.Header().Set("Connection", "close")
			return nil, tooLarge
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// The server's read timeout passed with the body incomplete:
			// a slow or stalled client, not a malformed request.
			w.Header().Set("Connection", "close")
			got := fmt.Sprintf("%d bytes", len(body))
			if r.ContentLength >= 0 {
				got = fmt.Sprintf("%d of %d bytes", len(body), r.ContentLength)
			}
			return nil, scim.Errorf(http.StatusRequestTimeout, "", "the request body did not arrive in time (%s read); send the request again", got)
		}
		return nil, scim.BadRequest(scim.ErrInvalidSyntax, "could not read the request body: %v", err)
	}
	info(r.Context()).body = body
	return body, nil
}
