// Package server is Birdie's HTTP surface: the SCIM 2.0 endpoints under
// /scim/v2, bearer-token authentication, health checks, the mapping of
// errors to SCIM error responses, and the recording of each request in
// its workspace's provisioning log. It holds no protocol logic of its own
// (that is package scim) and no storage (that is the birdie.Store it is
// given).
package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"birdie"
)

// Config holds everything the server needs.
type Config struct {
	Store  birdie.Store
	Logger *slog.Logger
	// AccessLog, if set, receives the access log's lines (one per
	// request, JSON) instead of Logger; it must be the writer Logger's
	// slog.JSONHandler writes to, whose lines these match, and Logger's
	// level still decides what is written. Encoding them here costs a
	// fraction of slog's generic path.
	AccessLog io.Writer
	// PublicURL is the externally visible URL of the SCIM root, e.g.
	// https://birdie.example.com/scim/v2, used for meta.location and the
	// Location header. Empty: derived from each request's Host (and
	// X-Forwarded-Proto when TrustProxy is set).
	PublicURL string
	// TrustProxy makes the server believe X-Forwarded-Proto and
	// X-Forwarded-Host, for running behind a TLS-terminating proxy.
	TrustProxy bool
	// MaxBodyBytes limits request bodies; larger ones get 413.
	MaxBodyBytes int64
	// RateLimit is the sustained requests per second allowed per token,
	// and RateBurst the requests it may make at once; beyond them the
	// server answers 429 with Retry-After. RateLimit < 0 disables it;
	// 0 means the defaults (DefaultRateLimit, DefaultRateBurst).
	RateLimit float64
	RateBurst int
	// AuthFailureRate and AuthFailureBurst limit failed authentications
	// (missing, unknown or revoked tokens) per client address: beyond
	// them the address gets 429 without its token being looked up, which
	// makes guessing tokens pointless and cheap to refuse. 0 means the
	// defaults; AuthFailureRate < 0 disables it.
	AuthFailureRate  float64
	AuthFailureBurst int
	// TokenCacheTTL is how long a replica reuses a token lookup; a revoke
	// takes effect everywhere within it. 0 means DefaultTokenCacheTTL;
	// < 0 disables the cache.
	TokenCacheTTL time.Duration
	// Observer, if set, is told about every request and SCIM error (the
	// metrics package implements it).
	Observer Observer
	// LogQueueSize is how many provisioning log entries may wait to be
	// written before new ones are dropped. 0 means DefaultLogQueueSize.
	LogQueueSize int
	// UserCacheBytes sizes the cache of rendered users that answers
	// GET /Users/{id} and userName lookups without the store (see
	// userCache); 0 turns it off. Set it only when this server makes
	// every change to the store's users: one process on a SQLite file,
	// never replicas sharing PostgreSQL.
	UserCacheBytes int64
	// Now returns the current time; tests may replace it.
	Now func() time.Time
}

// DefaultUserCacheBytes is the user cache `birdie serve` gives a SQLite
// server: about 8,000 users of the usual size (1 KB rendered), kept off
// the Go heap; with it a million-user server stays under 100 MB.
const DefaultUserCacheBytes = 8 << 20

// Defaults of the per-token rate limit: far above what any IdP sends.
const (
	DefaultRateLimit = 50
	DefaultRateBurst = 200
)

// Defaults of the failed-authentication limit per client address: 20 in a
// row, then one every 5 seconds. An IdP with a wrong token retries far
// more slowly than that; a token guesser is stopped at once.
const (
	DefaultAuthFailureRate  = 0.2
	DefaultAuthFailureBurst = 20
)

// Observer receives measurements of the traffic; it must be safe for
// concurrent use. route is the matched route pattern ("" if none).
type Observer interface {
	ObserveRequest(route, method string, status int, d time.Duration)
	ObserveSCIMError(status int, scimType string)
	// ObserveLogDropped counts provisioning log entries that were not
	// written, for one of the LogDrop* reasons.
	ObserveLogDropped(reason string, entries int)
}

type nopObserver struct{}

func (nopObserver) ObserveRequest(string, string, int, time.Duration) {}
func (nopObserver) ObserveSCIMError(int, string)                      {}
func (nopObserver) ObserveLogDropped(string, int)                     {}

// Server serves the SCIM API. Create it with New.
type Server struct {
	cfg     Config
	store   birdie.Store
	log     *slog.Logger
	handler http.Handler

	limiter  *limiter
	authFail *limiter
	tokens   *tokenCache
	provlog  *provLog
	users    *userCache // nil when Config.UserCacheBytes is 0

	touchMu sync.Mutex
	touched map[string]time.Time // token id -> last time its last_used was written
}

// DefaultMaxBodyBytes is the request body limit (1 MiB): far above any real
// user resource, far below what could hurt the server.
const DefaultMaxBodyBytes = 1 << 20

// New returns the HTTP handler of the whole service. It starts the
// provisioning log's writer: call Close when done serving.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit, cfg.RateBurst = DefaultRateLimit, DefaultRateBurst
	}
	if cfg.AuthFailureRate == 0 {
		cfg.AuthFailureRate, cfg.AuthFailureBurst = DefaultAuthFailureRate, DefaultAuthFailureBurst
	}
	if cfg.TokenCacheTTL == 0 {
		cfg.TokenCacheTTL = DefaultTokenCacheTTL
	}
	if cfg.LogQueueSize <= 0 {
		cfg.LogQueueSize = DefaultLogQueueSize
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger, touched: map[string]time.Time{},
		limiter: newLimiter(cfg.RateLimit, cfg.RateBurst), authFail: newLimiter(cfg.AuthFailureRate, cfg.AuthFailureBurst),
		tokens: newTokenCache(cfg.TokenCacheTTL), users: newUserCache(cfg.UserCacheBytes),
		provlog: newProvLog(cfg.Store, cfg.Observer, cfg.Logger, cfg.LogQueueSize)}
	s.handler = s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close writes the provisioning log entries still queued and stops the
// writer; it returns early, with an error, if ctx ends first. Call it once
// no request is being served (after http.Server.Shutdown): entries of
// requests that end later are dropped and counted. Closing twice is
// harmless.
func (s *Server) Close(ctx context.Context) error { return s.provlog.close(ctx) }
