// Package logbuf batches log output: one write system call per interval
// instead of one per line. The access log writes a line for every
// request, and at thousands of requests a second those writes were a
// tenth of the server's CPU.
package logbuf

import (
	"io"
	"sync"
	"time"
)

// Writer buffers whole writes (slog writes each record in one call) and
// passes them on to the underlying writer at the latest Interval after
// they were made, sooner when Size bytes are waiting. Lines are never
// split or reordered. What is buffered when the process is killed is
// lost, so Close (or Flush) it on every way out.
type Writer struct {
	mu     sync.Mutex
	w      io.Writer
	buf    []byte
	size   int
	err    error // the first error of the underlying writer, reported by Flush and Close
	timer  *time.Timer
	every  time.Duration
	closed bool
}

// Default buffering: a tenth of a second is immediate to a person
// following the log, and 64 KiB is a few hundred lines.
const (
	DefaultInterval = 100 * time.Millisecond
	DefaultSize     = 64 << 10
)

// New returns a Writer over w with the default interval and size.
func New(w io.Writer) *Writer { return NewSize(w, DefaultInterval, DefaultSize) }

// NewSize returns a Writer over w that flushes every interval or when
// size bytes are waiting.
func NewSize(w io.Writer, interval time.Duration, size int) *Writer {
	b := &Writer{w: w, size: size, every: interval, buf: make([]byte, 0, size)}
	b.timer = time.AfterFunc(time.Hour, func() { b.Flush() })
	b.timer.Stop()
	return b
}

// Write buffers p. It never fails: an error of the underlying writer is
// kept for Flush and Close, since a failed log write must not fail the
// request that logged it.
func (b *Writer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		b.write(p)
		return len(p), nil
	}
	if len(b.buf)+len(p) > b.size {
		b.flushLocked()
		if len(p) > b.size {
			b.write(p)
			return len(p), nil
		}
	}
	if len(b.buf) == 0 {
		b.timer.Reset(b.every)
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// Flush writes what is buffered now.
func (b *Writer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	return b.err
}

// Close flushes and makes later writes go straight through.
func (b *Writer) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.timer.Stop()
	b.flushLocked()
	b.closed = true
	return b.err
}

func (b *Writer) flushLocked() {
	if len(b.buf) == 0 {
		return
	}
	b.write(b.buf)
	b.buf = b.buf[:0]
}

func (b *Writer) write(p []byte) {
	if _, err := b.w.Write(p); err != nil && b.err == nil {
		b.err = err
	}
}
