package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// The bare baseline is a plain net/http server whose handler answers every
// request with a fixed, user-sized SCIM document and does nothing else: the
// ceiling of what any Go HTTP service could do on this machine with this
// client, and the denominator of every ratio in the table.
//
// It runs twice. The denominator runs as a child process, as birdie does,
// so that both pay the same for the process boundary: two Go runtimes
// taking turns on the cores, each request crossing from one to the other.
// In the bench's own process the client and the handler share one
// scheduler, which hands a request from one goroutine to the other without
// the kernel switching processes; on this 2-core machine that alone made
// the bare server 15-25% faster. Its row stays in the table, with the
// ratios to it in their own column, so that the two can be compared.

// Environment variables that make the bench binary (or its test binary,
// see TestMain) serve the bare baseline instead of benchmarking.
const (
	bareBodyEnv = "BIRDIE_BENCH_BARE_BODY" // file holding the body to answer
	bareAddrEnv = "BIRDIE_BENCH_BARE_ADDR" // host:port to listen on
)

// bareServer returns the baseline's server: no middleware, two headers.
func bareServer(body []byte) *http.Server {
	length := strconv.Itoa(len(body))
	return &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "application/scim+json; charset=utf-8")
			h.Set("Content-Length", length)
			w.Write(body)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
}

// startBare serves the baseline in this process.
func startBare(body []byte) (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := bareServer(body)
	go srv.Serve(ln)
	return ln.Addr().String(), func() { srv.Close() }, nil
}

// startBareChild serves the baseline in a child process: this very
// executable, started with bareBodyEnv and bareAddrEnv set. The child is
// a *child like the birdie server, so its CPU time is measured the same way.
func startBareChild(body []byte, dir string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the bench's own executable: %w", err)
	}
	bodyPath := filepath.Join(dir, "bare-body.json")
	if err := os.WriteFile(bodyPath, body, 0o600); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), bareBodyEnv+"="+bodyPath, bareAddrEnv+"="+addr)
	return startChild("the bare baseline", cmd, addr, filepath.Join(dir, "bare.log"))
}

// serveBareChild is the child's whole life when bareBodyEnv is set: serve
// the body on bareAddrEnv until killed. It reports whether it was asked to.
func serveBareChild() bool {
	path := os.Getenv(bareBodyEnv)
	if path == "" {
		return false
	}
	body, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "birdie-bench bare baseline:", err)
		os.Exit(1)
	}
	srv := bareServer(body)
	srv.Addr = os.Getenv(bareAddrEnv)
	// SIGTERM (child.stop) ends it cleanly, with exit status 0.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "birdie-bench bare baseline:", err)
		os.Exit(1)
	}
	return true
}
