package birdie

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLogEntryBounded(t *testing.T) {
	for _, c := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "abc", 5, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"cut", "abcdef", 5, "ab…"},
		{"cut before a two-byte rune", "éééé", 6, "é…"},
		{"NUL", "a\x00b", 10, "a\uFFFDb"},
		{"invalid UTF-8", "a\xffb", 10, "a\uFFFDb"},
	} {
		if got := boundText(c.in, c.n); got != c.want || len(got) > c.n || !utf8.ValidString(got) {
			t.Errorf("%s: boundText(%q, %d) = %q, want %q", c.name, c.in, c.n, got, c.want)
		}
	}
	long := strings.Repeat("x", 20<<10)
	e := LogEntry{Path: long, Client: long, UserID: long, UserName: long, Detail: long, Body: long, Method: "GET"}.Bounded()
	for name, f := range map[string]struct {
		v   string
		max int
	}{
		"Path": {e.Path, MaxLogText}, "Client": {e.Client, MaxLogText}, "UserID": {e.UserID, MaxLogText},
		"UserName": {e.UserName, MaxLogText}, "Detail": {e.Detail, MaxLogDetail}, "Body": {e.Body, MaxLogBody},
	} {
		if len(f.v) != f.max || !strings.HasSuffix(f.v, "…") {
			t.Errorf("Bounded: %s is %d bytes, want %d ending in …", name, len(f.v), f.max)
		}
	}
	if e.Method != "GET" {
		t.Errorf("Bounded changed a short text: %q", e.Method)
	}
}
