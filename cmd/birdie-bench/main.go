// Command birdie-bench measures the real birdie server end to end: it seeds
// a workspace with N realistic users straight through the store, starts
// the birdie binary as a child process, drives each SCIM operation an IdP
// uses with C concurrent keep-alive clients for a fixed time, pages through
// every user the way Okta's import does, and prints one table.
//
// Every rate is also given as a ratio to a bare net/http server answering a
// fixed user-sized body to the same client pool, run as a child process as
// birdie is (and, in its own column, to the same server run inside the
// bench's process; see bare.go): on a shared, noisy machine absolute
// numbers drift from run to run, the ratio much less, and it says how much
// of the cost is Birdie's own.
//
//	go run ./cmd/birdie-bench                                   # 10k users, SQLite in a temp dir
//	go run ./cmd/birdie-bench --db 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//	go run ./cmd/birdie-bench --users 1000000 --duration 3s --json bench.json
//
// It reads the server's memory and CPU time from /proc/<pid>/status and
// /proc/<pid>/stat, and asks the kernel to kill the server if the bench
// dies (Pdeathsig): Linux only, on those points.
package main

import (
	"birdie/internal/opendb"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for the bench schema
)

// config is everything one run needs; the flags fill it in, the test
// builds its own.
type config struct {
	Users         int
	DB            string // "" means a fresh SQLite file in the temp dir
	Clients       int
	Duration      time.Duration // measured time per operation
	Warmup        time.Duration // unmeasured time before each; < 0 means the default
	Binary        string        // "" means build ./cmd/birdie
	Import        bool
	ImportTimeout time.Duration
	Batch         int      // users per seeding transaction
	JSON          string   // if set, also write the results here
	ServeFlags    []string // extra flags for birdie serve (--pprof-addr, say)
	Only          string   // if set, run only the operations whose name contains it (and the baseline)
	Stdout        io.Writer
	Progress      io.Writer // what the bench is doing, as it does it
}

func main() {
	if serveBareChild() {
		return
	}
	cfg := config{Stdout: os.Stdout, Progress: os.Stderr}
	flag.IntVar(&cfg.Users, "users", 10000, "users to seed")
	flag.StringVar(&cfg.DB, "db", "", "database: empty for a fresh SQLite file in a temp dir, or a postgres:// URL (a fresh schema is created in it and dropped at the end)")
	flag.IntVar(&cfg.Clients, "clients", 32, "concurrent clients")
	flag.DurationVar(&cfg.Duration, "duration", 5*time.Second, "measured time per operation")
	flag.DurationVar(&cfg.Warmup, "warmup", -1, "unmeasured time before each operation (default: duration/2, at most 2s)")
	flag.StringVar(&cfg.Binary, "binary", "", "birdie binary to run (default: go build ./cmd/birdie into a temp dir)")
	flag.BoolVar(&cfg.Import, "import", true, "run the full Okta-style import (startIndex/count=100 through every user)")
	flag.DurationVar(&cfg.ImportTimeout, "import-timeout", 10*time.Minute, "give up the import after this long and report how far it got")
	flag.IntVar(&cfg.Batch, "batch", 5000, "users per seeding transaction")
	flag.StringVar(&cfg.JSON, "json", "", "also write the results as JSON to this file")
	flag.StringVar(&cfg.Only, "only", "", "run only the operations whose name contains this text, plus the bare baseline (e.g. \"PATCH\"; \"import\" for the full import)")
	serveFlags := flag.String("serve-flags", "", "extra flags for `birdie serve`, space-separated (e.g. \"--pprof-addr 127.0.0.1:6060\" to profile the server under this load)")
	flag.Parse()
	cfg.ServeFlags = strings.Fields(*serveFlags)
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "birdie-bench: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "birdie-bench:", err)
		os.Exit(1)
	}
	if rep.Failed() {
		os.Exit(1)
	}
}

// run is the whole bench: seed, start the server, measure, report. It
// cleans up after itself (server stopped, temp dir and PostgreSQL schema
// dropped) however it ends.
func run(ctx context.Context, cfg config) (*report, error) {
	if cfg.Users < 1 || cfg.Clients < 1 || cfg.Duration <= 0 || cfg.Batch < 1 {
		return nil, errors.New("--users, --clients, --duration and --batch must be positive")
	}
	if cfg.Warmup < 0 {
		// Long enough for the 32 clients to go once through the pool of
		// users a read operation cycles over (about 20,000 requests at
		// 10-20k req/s), so that each row measures the server in its
		// steady state, its user cache filled, not its first pass; see
		// docs/benchmarks.md for what that first pass costs.
		cfg.Warmup = min(cfg.Duration/2, 2*time.Second)
	}
	if cfg.Only != "" {
		// Checked before seeding, which can take minutes.
		var names []string
		matched := strings.Contains(importRowName, cfg.Only)
		for _, op := range operations(baseURLs{}, &seeded{IDs: []string{"x"}}, 1) {
			if op.target == toBirdie {
				names = append(names, op.Name)
				matched = matched || strings.Contains(op.Name, cfg.Only)
			}
		}
		if !matched {
			return nil, fmt.Errorf("--only %q matches no operation; names: %s, %s", cfg.Only, strings.Join(names, ", "), importRowName)
		}
		cfg.Import = cfg.Import && strings.Contains(importRowName, cfg.Only)
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	logf := func(format string, args ...any) { fmt.Fprintf(cfg.Progress, "birdie-bench: "+format+"\n", args...) }

	tmp, err := os.MkdirTemp("", "birdie-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	binary := cfg.Binary
	if binary == "" {
		logf("building ./cmd/birdie")
		if binary, err = buildBinary(ctx, tmp); err != nil {
			return nil, err
		}
	}

	dsn, storeDesc := cfg.DB, ""
	switch {
	case dsn == "":
		dsn = filepath.Join(tmp, "bench.db")
		storeDesc = "sqlite (fresh file in " + os.TempDir() + ")"
	case opendb.IsPostgres(dsn):
		schemaDSN, drop, err := freshSchema(ctx, dsn)
		if err != nil {
			return nil, err
		}
		defer drop()
		dsn = schemaDSN
		storeDesc = "postgres (fresh schema, " + opendb.Redact(cfg.DB) + ")"
	default:
		storeDesc = "sqlite (" + dsn + ")"
	}

	logf("seeding %d users (batches of %d)", cfg.Users, cfg.Batch)
	lastLog := time.Now()
	seed, err := seedStore(ctx, dsn, cfg.Users, cfg.Batch, func(done int) {
		if time.Since(lastLog) >= 10*time.Second {
			lastLog = time.Now()
			logf("seeded %d of %d users", done, cfg.Users)
		}
	})
	if err != nil {
		return nil, err
	}
	logf("seeded in %s (%.0f users/s)", seed.Elapsed.Round(time.Millisecond), float64(cfg.Users)/seed.Elapsed.Seconds())

	srv, err := startServer(binary, dsn, tmp, cfg.ServeFlags)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	client := newClient(cfg.Clients)
	if err := srv.waitReady(ctx, client, 60*time.Second); err != nil {
		return nil, err
	}
	logf("server pid %d on %s", srv.pid(), srv.addr)

	bareBody, err := bareUserBody("http://" + srv.addr + "/scim/v2")
	if err != nil {
		return nil, err
	}
	bare, err := startBareChild(bareBody, tmp)
	if err != nil {
		return nil, err
	}
	defer bare.stop()
	if err := bare.waitReady(ctx, client, 30*time.Second); err != nil {
		return nil, err
	}
	inprocAddr, closeInproc, err := startBare(bareBody)
	if err != nil {
		return nil, err
	}
	defer closeInproc()

	rep := &report{
		Users: cfg.Users, Clients: cfg.Clients, Duration: cfg.Duration, Warmup: cfg.Warmup,
		Store: storeDesc, Seed: seed.Elapsed, SeedBatch: cfg.Batch, BareBodyBytes: len(bareBody),
	}
	rep.fillEnv()

	lg := &loadGen{ctx: ctx, client: client, clients: cfg.Clients, duration: cfg.Duration, warmup: cfg.Warmup, logf: logf, token: seed.Token,
		cpu: map[target]func() (time.Duration, error){toBirdie: srv.cpu, toBare: bare.cpu}}
	for _, op := range operations(baseURLs{bare: "http://" + bare.addr, inproc: "http://" + inprocAddr, birdie: "http://" + srv.addr + "/scim/v2"}, seed, cfg.Clients) {
		if cfg.Only != "" && op.target == toBirdie && !strings.Contains(op.Name, cfg.Only) {
			continue
		}
		res, err := lg.run(op)
		if err != nil {
			return nil, err
		}
		rep.Rows = append(rep.Rows, res)
	}
	if cfg.Import {
		logf("importing every user with startIndex/count=100, one client (timeout %s)", cfg.ImportTimeout)
		imp, err := runImport(ctx, client, "http://"+srv.addr+"/scim/v2", seed, cfg.ImportTimeout)
		if err != nil {
			return nil, err
		}
		rep.Import = imp
	}

	rep.PeakRSSMB, rep.RSSMB, err = srv.memory()
	if err != nil {
		logf("cannot read the server's memory: %v", err)
	}
	if err := srv.stop(); err != nil {
		logf("server did not stop cleanly: %v (log: %s)", err, srv.logTail())
	}
	if err := bare.stop(); err != nil {
		logf("bare baseline did not stop cleanly: %v (log: %s)", err, bare.logTail())
	}
	rep.writeTable(cfg.Stdout)
	if cfg.JSON != "" {
		if err := rep.writeJSON(cfg.JSON); err != nil {
			return rep, err
		}
		logf("results written to %s", cfg.JSON)
	}
	return rep, nil
}

// freshSchema creates an empty schema on the PostgreSQL server at base and
// returns a DSN whose search_path puts everything Birdie creates in it, so
// that the bench neither needs its own database nor touches anything else
// in the one it is given; drop removes the schema and all it holds.
func freshSchema(ctx context.Context, base string) (dsn string, drop func(), err error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", opendb.Redact(base), err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "birdie_bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create schema on %s: %w", opendb.Redact(base), err)
	}
	u, err := url.Parse(base)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	drop = func() {
		// Not ctx: the schema must go even after an interrupt.
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			fmt.Fprintf(os.Stderr, "birdie-bench: drop schema %s: %v\n", schema, err)
		}
		admin.Close()
	}
	return u.String(), drop, nil
}
