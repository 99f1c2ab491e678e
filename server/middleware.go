package server

import (
	"birdie/scim"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// requestInfo is filled in as a request goes through the middleware and
// handlers, so that the access log and the provisioning log can say what
// it concerned. Only the request's own goroutine writes it.
type requestInfo struct {
	id          string
	workspaceID int64 // 0 until auth knows the workspace
	tokenID     string

	// For the provisioning log (provlog.go).
	op         string    // birdie.Op*, set by auth from the route
	userID     string    // from the path, or the user created
	userName   string    // when the handler knows it
	scimType   string    // of the error written (writeError)
	detail     string    // of the error written (writeError)
	body       []byte    // the body read (readBody); logged only in debug mode
	debugUntil time.Time // the workspace's debug switch, read with the token
}

type infoKey struct{}

func info(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(infoKey{}).(*requestInfo)
	if ri == nil {
		return &requestInfo{}
	}
	return ri
}

// statusWriter remembers the status code written, for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequests writes one structured line per request: never the
// Authorization header, never a body, never a query string (filters hold
// personal data such as email addresses).
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		at := s.cfg.Now()
		ri := &requestInfo{id: requestID(r)}
		w.Header().Set("X-Request-Id", ri.id)
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, ri))
		next.ServeHTTP(sw, r) // the mux records the matched route in r.Pattern
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		elapsed := time.Since(start)
		s.cfg.Observer.ObserveRequest(r.Pattern, r.Method, sw.status, elapsed)
		s.record(r, ri, at, sw.status, elapsed)
		level := slog.LevelInfo
		if sw.status >= 500 && sw.status != http.StatusNotImplemented {
			level = slog.LevelError
		}
		line := accessLine{requestID: ri.id, method: r.Method, path: r.URL.Path, route: r.Pattern,
			status: sw.status, duration: elapsed, userAgent: r.UserAgent(), workspaceID: ri.workspaceID, tokenID: ri.tokenID}
		// Queries can hold personal data (filters on email addresses):
		// logged only when debugging.
		if s.log.Enabled(r.Context(), slog.LevelDebug) {
			line.query, line.withQuery = r.URL.RawQuery, true
		}
		if s.cfg.AccessLog != nil {
			writeAccessLine(r.Context(), s.log, s.cfg.AccessLog, level, &line)
		} else {
			s.log.LogAttrs(r.Context(), level, "request", line.attrs()...)
		}
	})
}

// requestID keeps a sane X-Request-Id from a proxy, or makes one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && !strings.ContainsAny(id, " \t\r\n\"") {
		return id
	}
	var b [8]byte
	var out [16]byte
	rand.Read(b[:])
	hex.Encode(out[:], b[:])
	return string(out[:])
}

// MaxHeaderBytes is the limit on a request's header lines (names and
// values). The HTTP server's own cap is set higher (see cmd/birdie) so that
// a request over this one still reaches limitHeaders and gets a SCIM error
// that names the limit, instead of the server's plain-text 431.
const MaxHeaderBytes = 64 << 10

// limitHeaders answers 431 to requests whose headers exceed MaxHeaderBytes.
func (s *Server) limitHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := len(r.RequestURI) + len(r.Host)
		for k, vs := range r.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4
			}
		}
		if n > MaxHeaderBytes {
			w.Header().Set("Connection", "close")
			s.writeError(w, r, scim.Errorf(http.StatusRequestHeaderFieldsTooLarge, "", "the request line and headers are %d bytes; the limit is %d bytes", n, MaxHeaderBytes))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panic into a logged 500 SCIM error instead of a
// dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "request_id", info(r.Context()).id, "error", fmt.Sprint(v), "stack", string(debug.Stack()))
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// canonicalSegments maps the first segment after /scim/v2, lower-cased, to
// its canonical spelling. IdPs and test suites send /users, a trailing
// slash, doubled slashes, and Microsoft's /serviceConfiguration.
var canonicalSegments = map[string]string{
	"users":                  "Users",
	"groups":                 "Groups",
	"serviceproviderconfig":  "ServiceProviderConfig",
	"serviceproviderconfigs": "ServiceProviderConfig",
	"serviceconfiguration":   "ServiceProviderConfig",
	"resourcetypes":          "ResourceTypes",
	"schemas":                "Schemas",
}

// normalizePath rewrites SCIM paths to their canonical form before
// routing, so that /scim/v2//users/ and /scim/v2/Users route alike. A path
// with "." or ".." segments is answered 404 here: the mux would redirect
// it with an HTML body, and no SCIM client means one.
func normalizePath(next http.Handler, notFound http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hasDotSegment(r.URL.Path) {
			notFound(w, r)
			return
		}
		if p := canonicalPath(r.URL.Path); p != r.URL.Path {
			r.URL.Path = p
			r.URL.RawPath = ""
		}
		next.ServeHTTP(w, r)
	})
}

func hasDotSegment(p string) bool {
	for rest := p; ; {
		seg, after, more := strings.Cut(rest, "/")
		if seg == "." || seg == ".." {
			return true
		}
		if !more {
			return false
		}
		rest = after
	}
}

// canonicalSpellings are the values of canonicalSegments.
var canonicalSpellings = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range canonicalSegments {
		m[v] = true
	}
	return m
}()

// isCanonical reports, without allocating, that rewritePath would return
// p unchanged: the path of every request of a well-behaved client.
func isCanonical(p string) bool {
	rest, ok := strings.CutPrefix(p, "/scim/v2")
	if !ok || (rest != "" && rest[0] != '/') {
		return false
	}
	for i := 2; rest != ""; i++ {
		seg, _, _ := strings.Cut(rest[1:], "/") // rest starts with the '/' before seg
		if seg == "" {
			return false // "//" or a trailing slash
		}
		switch {
		case i == 2 && !canonicalSpellings[seg]:
			for k := range canonicalSegments {
				if strings.EqualFold(k, seg) {
					return false
				}
			}
		case i == 3 && seg != ".search" && strings.EqualFold(seg, ".search"):
			return false
		}
		rest = rest[1+len(seg):]
	}
	return true
}

func canonicalPath(p string) string {
	if isCanonical(p) {
		return p
	}
	return rewritePath(p)
}

// rewritePath is canonicalPath without the fast path.
func rewritePath(p string) string {
	if len(p) < 8 || !strings.EqualFold(p[:8], "/scim/v2") {
		return p
	}
	var segs []string
	for _, s := range strings.Split(p, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	if len(segs) < 2 || !strings.EqualFold(segs[0], "scim") || !strings.EqualFold(segs[1], "v2") {
		return p
	}
	segs[0], segs[1] = "scim", "v2"
	if len(segs) > 2 {
		if c, ok := canonicalSegments[strings.ToLower(segs[2])]; ok {
			segs[2] = c
		}
	}
	if len(segs) > 3 && strings.EqualFold(segs[3], ".search") {
		segs[3] = ".search"
	}
	return "/" + strings.Join(segs, "/")
}
