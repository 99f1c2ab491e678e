package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"birdie"
)

// followEvery is how often `log --follow` asks for new entries.
var followEvery = time.Second

// logCmd prints a workspace's provisioning log: the most recent entries
// matching the flags, oldest first, then with --follow every new one until
// interrupted.
func (c *cli) logCmd(args []string) error {
	fs := c.flags("log")
	failed := fs.Bool("failed", false, "only failed requests (status 400 or more)")
	user := fs.String("user", "", "only requests about this user: its id, or its userName (any case)")
	since := fs.String("since", "", "only requests of the last DURATION, e.g. 90m, 24h, 7d")
	limit := fs.Int("limit", birdie.DefaultLogLimit, "print at most this many entries (the most recent)")
	follow := fs.Bool("follow", false, "keep printing new entries until interrupted")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("log: expected one WORKSPACE, got %d arguments", len(pos))
	}
	if *limit < 1 {
		return fmt.Errorf("log: --limit must be at least 1")
	}
	q := birdie.LogQuery{FailedOnly: *failed, User: *user, Limit: *limit}
	if *since != "" {
		d, err := parseDuration(*since)
		if err != nil || d <= 0 {
			return fmt.Errorf("log: --since %q: want a positive duration such as 90m, 24h or 7d", *since)
		}
		q.Since = time.Now().Add(-d)
	}
	show := printTable
	if *asJSON {
		show = printJSON
	}
	return c.withStore(func(s birdie.Store) error {
		ws, err := s.Workspace(c.ctx, pos[0])
		if err != nil {
			return fmt.Errorf("log: %w", err)
		}
		list, err := s.Logs(c.ctx, ws.ID, q)
		if err != nil {
			return fmt.Errorf("log: %w", err)
		}
		if err := show(c.stdout, list, true); err != nil || !*follow {
			return err
		}
		return c.followLog(s, ws.ID, q, list, show)
	})
}

// followLog polls for entries after the greatest id seen until the
// command's context ends, which is how it stops (Ctrl-C): not an error.
func (c *cli) followLog(s birdie.Store, workspaceID int64, q birdie.LogQuery, seen []birdie.LogEntry, show func(io.Writer, []birdie.LogEntry, bool) error) error {
	for _, e := range seen {
		q.AfterID = max(q.AfterID, e.ID)
	}
	q.Limit = 1000
	t := time.NewTicker(followEvery)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return nil
		case <-t.C:
		}
		list, err := s.Logs(c.ctx, workspaceID, q)
		if c.ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return fmt.Errorf("log: %w", err)
		}
		if len(list) == 0 {
			continue
		}
		if err := show(c.stdout, list, false); err != nil {
			return err
		}
		q.AfterID = list[len(list)-1].ID
	}
}

// printTable prints entries as an aligned table (with a header when
// asked): one line each, empty fields as "-".
func printTable(w io.Writer, list []birdie.LogEntry, header bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if header {
		fmt.Fprintln(tw, "TIME\tMETHOD\tPATH\tOP\tUSER\tSTATUS\tSCIMTYPE\tDURATION\tCLIENT\tDETAIL")
	}
	for _, e := range list {
		user := e.UserName
		if user == "" {
			user = e.UserID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n",
			e.Time.UTC().Format("2006-01-02T15:04:05.000Z"), cell(e.Method), cell(e.Path), cell(e.Operation), cell(user),
			e.Status, cell(e.ScimType), roundDuration(e.Duration), cell(e.Client), cell(e.Detail))
	}
	return tw.Flush()
}

// cell makes a text safe for one table cell: "-" when empty, control
// characters (a tab would break the columns) as spaces.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// roundDuration keeps three significant digits or so: 850µs, 12.3ms, 1.2s.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond)
	case d < time.Second:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(10 * time.Millisecond)
}

// jsonEntry is one line of `log --json`: every field, always present,
// except body (only in debug mode).
type jsonEntry struct {
	ID         int64   `json:"id"`
	Time       string  `json:"time"` // RFC 3339, UTC, microseconds
	TokenID    string  `json:"token_id"`
	Method     string  `json:"method"`
	Path       string  `json:"path"`
	Operation  string  `json:"operation"`
	UserID     string  `json:"user_id"`
	UserName   string  `json:"user_name"`
	Status     int     `json:"status"`
	ScimType   string  `json:"scim_type"`
	Detail     string  `json:"detail"`
	DurationMS float64 `json:"duration_ms"`
	Client     string  `json:"client"`
	Body       string  `json:"body,omitempty"`
}

func printJSON(w io.Writer, list []birdie.LogEntry, _ bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range list {
		if err := enc.Encode(jsonEntry{
			ID: e.ID, Time: e.Time.UTC().Format("2006-01-02T15:04:05.000000Z07:00"), TokenID: e.TokenID,
			Method: e.Method, Path: e.Path, Operation: e.Operation, UserID: e.UserID, UserName: e.UserName,
			Status: e.Status, ScimType: e.ScimType, Detail: e.Detail, DurationMS: float64(e.Duration.Microseconds()) / 1000, Client: e.Client, Body: e.Body,
		}); err != nil {
			return err
		}
	}
	return nil
}
