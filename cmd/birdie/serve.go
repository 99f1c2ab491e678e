package main

import (
	"birdie/internal/opendb"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"birdie"
	"birdie/internal/logbuf"
	"birdie/metrics"
	"birdie/server"
	"birdie/sqlite"
)

// shutdownTimeout is how long in-flight requests may take to finish after
// SIGINT/SIGTERM.
const shutdownTimeout = 30 * time.Second

// logFlushTimeout is how long writing the provisioning log's last entries
// may take at exit.
const logFlushTimeout = 10 * time.Second

// maxUserCacheMB bounds --user-cache-mb: the cache is reserved whole at
// start, and beyond a few GiB a typo would take the machine's memory.
const maxUserCacheMB = 4096

// serveLockWait is how long serve waits for a previous server of the same
// SQLite file to exit: a restart that overlaps the old process's graceful
// shutdown and last log writes.
var serveLockWait = shutdownTimeout + logFlushTimeout + 5*time.Second

func (c *cli) serve(args []string) error {
	fs := c.flags("serve")
	addr := fs.String("addr", envOr(c.getenv, "BIRDIE_ADDR", "127.0.0.1:8080"), "listen address")
	publicURL := fs.String("public-url", c.getenv("BIRDIE_PUBLIC_URL"), "external URL of the SCIM root, e.g. https://birdie.example.com/scim/v2")
	trustProxy := fs.Bool("trust-proxy", false, "trust X-Forwarded-Proto/Host from a reverse proxy")
	noBootstrap := fs.Bool("no-bootstrap", false, "do not create a default workspace and token on an empty database")
	rateLimit := fs.Float64("rate-limit", server.DefaultRateLimit, "sustained requests per second per token (-1 disables)")
	rateBurst := fs.Int("rate-burst", server.DefaultRateBurst, "requests a token may make at once")
	metricsAddr := fs.String("metrics-addr", c.getenv("BIRDIE_METRICS_ADDR"), "serve /metrics on this separate address instead of the main one")
	maxConns := fs.Int("db-max-conns", 0, "database connections per replica (0: 20 for PostgreSQL, max(4, CPUs) readers for SQLite)")
	pprofAddr := fs.String("pprof-addr", c.getenv("BIRDIE_PPROF_ADDR"), "serve Go profiling (net/http/pprof) on this separate, private address; off when empty")
	tlsCert := fs.String("tls-cert", c.getenv("BIRDIE_TLS_CERT"), "serve HTTPS with this certificate (PEM, with its chain); needs --tls-key")
	tlsKey := fs.String("tls-key", c.getenv("BIRDIE_TLS_KEY"), "private key (PEM) of --tls-cert")
	logLevel := fs.String("log-level", envOr(c.getenv, "BIRDIE_LOG_LEVEL", "info"), "debug, info, warn or error")
	userCacheMB := fs.Int("user-cache-mb", -1, fmt.Sprintf("memory for rendered users answering GET /Users/{id} and userName lookups without a query (SQLite only; -1: %d on SQLite, off on PostgreSQL; 0: off)", server.DefaultUserCacheBytes>>20))
	logRetention := fs.String("log-retention", envOr(c.getenv, "BIRDIE_LOG_RETENTION", fmt.Sprintf("%dh", int(DefaultLogRetention.Hours()))), "delete provisioning log entries older than this, e.g. 720h or 30d (0 keeps them)")
	logBodyRetention := fs.String("log-body-retention", envOr(c.getenv, "BIRDIE_LOG_BODY_RETENTION", fmt.Sprintf("%dh", int(DefaultLogBodyRetention.Hours()))),
		"remove the request bodies a workspace's debug switch kept from provisioning log entries older than this, e.g. 168h or 7d (0 keeps them as long as their entries)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := envFlags(fs, c.getenv, map[string]string{
		"trust-proxy": "BIRDIE_TRUST_PROXY", "no-bootstrap": "BIRDIE_NO_BOOTSTRAP",
		"rate-limit": "BIRDIE_RATE_LIMIT", "rate-burst": "BIRDIE_RATE_BURST", "db-max-conns": "BIRDIE_DB_MAX_CONNS",
		"user-cache-mb": "BIRDIE_USER_CACHE_MB",
	}); err != nil {
		return err
	}
	retention, err := parseDuration(*logRetention)
	if err != nil || retention < 0 {
		return fmt.Errorf("serve: --log-retention %q: want a duration such as 720h or 30d, or 0 to keep every entry", *logRetention)
	}
	bodyRetention, err := parseDuration(*logBodyRetention)
	if err != nil || bodyRetention < 0 {
		return fmt.Errorf("serve: --log-body-retention %q: want a duration such as 168h or 7d, or 0 to keep bodies as long as their entries", *logBodyRetention)
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("serve: --log-level: %v", err)
	}
	// One line per request: batched into one write a tenth of a second
	// (logbuf), flushed before the bootstrap banner (printed straight to stderr) and at exit.
	logOut := logbuf.New(c.stderr)
	defer logOut.Close()
	logger := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: level}))

	cacheMB := *userCacheMB
	if cacheMB < -1 || cacheMB > maxUserCacheMB {
		return fmt.Errorf("serve: --user-cache-mb %d: want 0 (off) to %d MiB, or -1 for the default (%d on SQLite, off on PostgreSQL)", cacheMB, maxUserCacheMB, server.DefaultUserCacheBytes>>20)
	}
	if cacheMB < 0 {
		cacheMB = server.DefaultUserCacheBytes >> 20
		if opendb.IsPostgres(c.db) {
			cacheMB = 0
		}
	}
	if cacheMB > 0 && opendb.IsPostgres(c.db) {
		return errors.New("serve: --user-cache-mb needs a SQLite database: replicas sharing PostgreSQL change each other's users, which a per-replica cache would not see (give 0 or leave it unset)")
	}
	if !opendb.IsPostgres(c.db) {
		// A server with the user cache must be the file's only server;
		// servers without it may share the file with each other.
		release, err := sqlite.LockServe(c.ctx, c.db, cacheMB > 0, serveLockWait, func() {
			logger.Warn("another birdie serve holds the database; waiting for it to exit", "db", c.db, "wait", serveLockWait.String())
		})
		if errors.Is(err, sqlite.ErrServed) {
			if cacheMB > 0 {
				return fmt.Errorf("serve: %w; with its user cache one process serves a SQLite database (use PostgreSQL for several replicas, or start every process with --user-cache-mb 0)", err)
			}
			return fmt.Errorf("serve: %w with its user cache, which must be the only one; start it with --user-cache-mb 0 too, or stop it", err)
		}
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer release()
	}
	sqlStore, err := opendb.Open(c.ctx, c.db)
	if err != nil {
		return err
	}
	defer sqlStore.Close()
	if *maxConns > 0 {
		// SQLite's writer stays at one connection: only readers scale.
		sqlStore.Reader().SetMaxOpenConns(*maxConns)
		sqlStore.Reader().SetMaxIdleConns(*maxConns)
	}
	m := metrics.New()
	m.WatchDB("reader", sqlStore.Reader())
	if sqlStore.Writer() != sqlStore.Reader() {
		m.WatchDB("writer", sqlStore.Writer())
	}
	store := m.Store(sqlStore)

	tlsConfig, err := loadTLS(*tlsCert, *tlsKey)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: listen on %s: %w", *addr, err)
	}
	scheme := "http"
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
		scheme = "https"
	}
	base := scheme + "://" + ln.Addr().String() + "/scim/v2"
	if *publicURL != "" {
		base = *publicURL
	}
	if !*noBootstrap {
		logOut.Flush() // the token's banner comes after the log lines before it
		if err := c.bootstrap(store, base); err != nil {
			ln.Close()
			return err
		}
	}

	api := server.New(server.Config{Store: store, Logger: logger, AccessLog: logOut, PublicURL: *publicURL, TrustProxy: *trustProxy, RateLimit: *rateLimit, RateBurst: *rateBurst, Observer: m,
		UserCacheBytes: int64(cacheMB) << 20})
	// The provisioning log's queued entries are written before exit: after
	// the graceful shutdown, or whatever the way out (Close is idempotent).
	closeAPI := func() {
		ctx, cancel := context.WithTimeout(context.Background(), logFlushTimeout)
		defer cancel()
		if err := api.Close(ctx); err != nil {
			logger.Warn("provisioning log: not all entries were written before exit", "error", err.Error())
		}
	}
	defer closeAPI()
	if retention > 0 || bodyRetention > 0 {
		defer startPruning(store, retention, bodyRetention, logger)()
	}
	handler := http.Handler(api)
	if *metricsAddr == "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.Handler())
		mux.Handle("/", api)
		handler = mux
	} else {
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("serve: listen on --metrics-addr %s: %w", *metricsAddr, err)
		}
		msrv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go msrv.Serve(mln)
		defer msrv.Close()
		logger.Info("serving metrics", "addr", mln.Addr().String())
	}
	if *pprofAddr != "" {
		stop, err := servePprof(*pprofAddr, logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		// The SCIM handler answers headers over server.MaxHeaderBytes with
		// a SCIM 431; this hard cap only stops abuse before that point.
		MaxHeaderBytes: 4 * server.MaxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("serving", "addr", ln.Addr().String(), "scim_base_url", base, "db", opendb.Redact(c.db))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-c.ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests")
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("serve: graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	closeAPI() // no request is served any more: write the last log entries
	logger.Info("stopped")
	return nil
}

// bootstrap makes a fresh installation usable at once: on a database with
// no workspace it creates workspace "default" and prints its token, once,
// with a ready-to-paste curl line. When several replicas start on one
// empty database, only the one that created the workspace prints a token.
func (c *cli) bootstrap(store birdie.Store, base string) error {
	ws, created, err := store.CreateFirstWorkspace(c.ctx, "default", "Default workspace")
	if err != nil {
		return fmt.Errorf("serve: create the default workspace: %w", err)
	}
	if !created {
		return nil
	}
	secret, tok := birdie.NewToken(ws.ID, time.Now())
	if err := store.CreateToken(c.ctx, tok); err != nil {
		return fmt.Errorf("serve: create the default workspace's token: %w", err)
	}
	fmt.Fprintf(c.stderr, `
Created workspace "default" and its first SCIM token (id %s).
The token is shown only this once; paste it into your IdP now:

    %s

Try it:

    curl -H 'Authorization: Bearer %s' '%s/Users'

(Start with --no-bootstrap to skip this on an empty database.)

`, tok.ID, secret, secret, base)
	return nil
}

// loadTLS returns the TLS configuration for --tls-cert/--tls-key, or nil
// when neither is set. TLS 1.2 is the floor (Entra ID requires it; older
// versions are broken), and Go's default cipher suites are used.
func loadTLS(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, errors.New("serve: --tls-cert and --tls-key go together: give both, or neither to serve plain HTTP behind a TLS proxy")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("serve: load TLS certificate %s and key %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
