package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// buildBinary builds birdie/cmd/birdie into dir, so that the bench
// measures the binary operators run (with its own GC, its own scheduler,
// its own memory, readable in /proc) and not a handler called in-process.
func buildBinary(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run birdie-bench inside the birdie module (or pass --binary)")
	}
	bin := filepath.Join(dir, "birdie")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "birdie/cmd/birdie")
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/birdie: %w\n%s", err, out)
	}
	return bin, nil
}

// child is the birdie server running as a child process.
type child struct {
	cmd     *exec.Cmd
	name    string // for messages: "birdie", "the bare baseline"
	addr    string // host:port it listens on
	logPath string
	exited  chan struct{} // closed when the process has exited
	waitErr error         // set before exited is closed

	stopOnce sync.Once
	stopErr  error
}

// startServer runs `birdie --db DSN serve` on a free loopback port with no
// rate limit (the bench is one token sending thousands of requests a
// second) and no bootstrap (seeding made the workspace). BIRDIE_*
// variables of the bench's environment are not passed on, so the server
// runs on its defaults whatever the shell has set. Its log (one JSON line
// per request, as in production) goes to a file, which costs the bench
// nothing to drain.
func startServer(binary, dsn, dir string, extra []string) (*child, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	// The extra flags come first: the flag package keeps a flag's last
	// value, so they cannot move the server off the database and address
	// the bench uses.
	args := append(append([]string{"--db", dsn, "serve"}, extra...), "--addr", addr, "--no-bootstrap", "--rate-limit", "-1")
	cmd := exec.Command(binary, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BIRDIE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return startChild("birdie", cmd, addr, filepath.Join(dir, "birdie.log"))
}

// startChild starts cmd, its output going to logPath, as the *child name
// that will listen on addr, and killed by the kernel if the bench dies
// first.
func startChild(name string, cmd *exec.Cmd, addr, logPath string) (*child, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	c := &child{name: name, cmd: cmd, addr: addr, logPath: logPath, exited: make(chan struct{})}
	go func() {
		c.waitErr = cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// waitReady polls GET /readyz until it answers 200.
func (c *child) waitReady(ctx context.Context, client *http.Client, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.addr+"/readyz", nil)
		if resp, err := client.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-c.exited:
			return fmt.Errorf("%s exited before it was ready (%v); its log:\n%s", c.name, c.waitErr, c.logTail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready on %s after %s; its log:\n%s", c.name, c.addr, timeout, c.logTail())
		}
	}
}

// memory returns the server's peak resident set (VmHWM) and its current
// one (VmRSS), in MB.
func (c *child) memory() (peakMB, rssMB float64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.pid()))
	if err != nil {
		return 0, 0, err
	}
	kb := func(key string) float64 {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), key+":"); ok {
				f := strings.Fields(rest) // "  123456 kB"
				if len(f) > 0 {
					n, _ := strconv.ParseFloat(f[0], 64)
					return n
				}
			}
		}
		return 0
	}
	return kb("VmHWM") / 1024, kb("VmRSS") / 1024, nil
}

// cpu returns the CPU time (user and system) the server has used so far,
// from /proc/PID/stat (Linux only).
func (c *child) cpu() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c.pid()))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold
	// spaces: state is field 3, utime 14 and stime 15 (proc(5)).
	rest := b[bytes.LastIndexByte(b, ')')+1:]
	f := strings.Fields(string(rest))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc/PID/stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unexpected /proc/PID/stat")
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// clockTicks is sysconf(_SC_CLK_TCK), 100 on every Linux Go supports.
const clockTicks = 100

// stop asks the server to shut down gracefully (SIGTERM) and kills it if
// it has not exited within its 30 s drain time plus a margin. It may be
// called more than once.
func (c *child) stop() error {
	c.stopOnce.Do(func() {
		select {
		case <-c.exited:
		default:
			c.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-c.exited:
			case <-time.After(35 * time.Second):
				c.cmd.Process.Kill()
				<-c.exited
				c.stopErr = errors.New("killed after not stopping within 35s of SIGTERM")
				return
			}
		}
		c.stopErr = c.waitErr
	})
	return c.stopErr
}

// logTail returns the last lines of the server's log, for error messages.
func (c *child) logTail() string {
	b, _ := os.ReadFile(c.logPath)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
