package logbuf

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the flush timer's goroutine.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *syncBuffer) String() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String(), s.writes
}

func TestLinesArriveTogetherAfterTheInterval(t *testing.T) {
	var out syncBuffer
	w := NewSize(&out, 20*time.Millisecond, 1<<10)
	defer w.Close()
	w.Write([]byte("one\n"))
	w.Write([]byte("two\n"))
	if got, _ := out.String(); got != "" {
		t.Fatalf("written before the interval: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, writes := out.String()
		if got == "one\ntwo\n" {
			if writes != 1 {
				t.Errorf("%d writes, want 1 for both lines", writes)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s the underlying writer holds %q", got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFullBufferIsWrittenAtOnce(t *testing.T) {
	var out syncBuffer
	w := NewSize(&out, time.Hour, 10)
	w.Write([]byte("123456\n"))
	w.Write([]byte("abcdef\n")) // would overflow: the first line goes out
	if got, _ := out.String(); got != "123456\n" {
		t.Fatalf("underlying writer holds %q, want the first line", got)
	}
	w.Write([]byte(strings.Repeat("x", 20) + "\n")) // larger than the buffer: straight through, in order
	if got, _ := out.String(); got != "123456\nabcdef\n"+strings.Repeat("x", 20)+"\n" {
		t.Fatalf("underlying writer holds %q", got)
	}
}

func TestCloseFlushesAndLaterWritesPassThrough(t *testing.T) {
	var out syncBuffer
	w := NewSize(&out, time.Hour, 1<<10)
	w.Write([]byte("last\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("after\n"))
	if got, _ := out.String(); got != "last\nafter\n" {
		t.Fatalf("underlying writer holds %q", got)
	}
}

type failing struct{}

func (failing) Write(p []byte) (int, error) { return 0, errors.New("disk full") }

func TestErrorsAreKeptForFlush(t *testing.T) {
	w := NewSize(failing{}, time.Hour, 1<<10)
	if _, err := w.Write([]byte("x\n")); err != nil {
		t.Fatalf("Write failed: %v (a log write must not fail its caller)", err)
	}
	if err := w.Flush(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Flush = %v, want the underlying error", err)
	}
}
