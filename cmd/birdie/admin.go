package main

import (
	"birdie/internal/opendb"
	"fmt"
	"text/tabwriter"
	"time"

	"birdie"
	"birdie/scim"
)

// withStore opens the store for one admin command and closes it after.
func (c *cli) withStore(f func(birdie.Store) error) error {
	s, err := opendb.Open(c.ctx, c.db)
	if err != nil {
		return err
	}
	defer s.Close()
	return f(s)
}

func (c *cli) workspaceCreate(args []string) error {
	fs := c.flags("workspace create")
	name := fs.String("name", "", "display name (default: the slug)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("workspace create: expected one SLUG, got %d arguments", len(pos))
	}
	slug := pos[0]
	if !birdie.ValidSlug(slug) {
		return fmt.Errorf("workspace create: invalid slug %q: use 1 to 63 lower-case letters, digits and '-', not starting or ending with '-'", slug)
	}
	if *name == "" {
		*name = slug
	}
	return c.withStore(func(s birdie.Store) error {
		ws, err := s.CreateWorkspace(c.ctx, slug, *name)
		if err != nil {
			return fmt.Errorf("workspace create: %w", err)
		}
		fmt.Fprintf(c.stdout, "created workspace %s (%s)\n", ws.Slug, ws.Name)
		return nil
	})
}

func (c *cli) workspaceList(args []string) error {
	if _, err := parse(c.flags("workspace list"), args); err != nil {
		return err
	}
	return c.withStore(func(s birdie.Store) error {
		list, err := s.Workspaces(c.ctx)
		if err != nil {
			return fmt.Errorf("workspace list: %w", err)
		}
		now := time.Now()
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SLUG\tNAME\tCREATED\tDEBUG UNTIL")
		for _, ws := range list {
			debug := "-"
			if ws.Debugging(now) {
				debug = stamp(ws.DebugUntil)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ws.Slug, ws.Name, ws.Created.UTC().Format(time.RFC3339), debug)
		}
		return tw.Flush()
	})
}

// workspaceDebug sets a workspace's debug switch: for a while, request
// bodies (secrets redacted) are kept in its provisioning log. Bodies hold
// personal data, so the switch is never on for more than
// birdie.MaxDebugDuration at once, and must be set explicitly.
func (c *cli) workspaceDebug(args []string) error {
	fs := c.flags("workspace debug")
	forDur := fs.String("for", "", "keep request bodies for this long, e.g. 30m or 1h (at most 24h)")
	off := fs.Bool("off", false, "stop keeping request bodies now")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("workspace debug: expected one SLUG, got %d arguments", len(pos))
	}
	var until time.Time
	switch {
	case *off && *forDur != "":
		return fmt.Errorf("workspace debug: give --for or --off, not both")
	case *off:
	case *forDur == "":
		return fmt.Errorf("workspace debug: give --for DURATION (at most %s) to keep request bodies, or --off", birdie.MaxDebugDuration)
	default:
		d, err := parseDuration(*forDur)
		if err != nil || d <= 0 || d > birdie.MaxDebugDuration {
			return fmt.Errorf("workspace debug: --for %q: want a duration above 0 and at most %s, such as 30m or 1h", *forDur, birdie.MaxDebugDuration)
		}
		until = time.Now().Add(d).UTC().Truncate(time.Second)
	}
	return c.withStore(func(s birdie.Store) error {
		ws, err := s.SetWorkspaceDebug(c.ctx, pos[0], until)
		if err != nil {
			return fmt.Errorf("workspace debug: %w", err)
		}
		if until.IsZero() {
			fmt.Fprintf(c.stdout, "debug off for workspace %s: request bodies are no longer kept\n", ws.Slug)
			return nil
		}
		fmt.Fprintf(c.stderr, "note: until then, request bodies of workspace %s are kept in its provisioning log, passwords redacted; they hold personal data (turn it off early with: birdie workspace debug %s --off). Servers remove them from the log after their --log-body-retention (%s unless set).\n",
			ws.Slug, ws.Slug, fmt.Sprintf("%d days", int(DefaultLogBodyRetention/(24*time.Hour))))
		fmt.Fprintf(c.stdout, "debug on for workspace %s until %s\n", ws.Slug, ws.DebugUntil.UTC().Format(time.RFC3339))
		return nil
	})
}

// oneArg parses a subcommand that takes exactly one positional argument.
func (c *cli) oneArg(name, what string, args []string) (string, error) {
	pos, err := parse(c.flags(name), args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", fmt.Errorf("%s: expected one %s, got %d arguments", name, what, len(pos))
	}
	return pos[0], nil
}

func (c *cli) tokenCreate(args []string) error {
	slug, err := c.oneArg("token create", "WORKSPACE", args)
	if err != nil {
		return err
	}
	return c.withStore(func(s birdie.Store) error {
		ws, err := s.Workspace(c.ctx, slug)
		if err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		secret, tok := birdie.NewToken(ws.ID, time.Now())
		if err := s.CreateToken(c.ctx, tok); err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		fmt.Fprintf(c.stderr, "warning: the token below is shown only once and cannot be recovered; give it to the IdP admin now (revoke with: birdie token revoke %s)\n", tok.ID)
		fmt.Fprintf(c.stdout, "token %s for workspace %s:\n%s\n", tok.ID, ws.Slug, secret)
		return nil
	})
}

func (c *cli) tokenList(args []string) error {
	slug, err := c.oneArg("token list", "WORKSPACE", args)
	if err != nil {
		return err
	}
	return c.withStore(func(s birdie.Store) error {
		ws, err := s.Workspace(c.ctx, slug)
		if err != nil {
			return fmt.Errorf("token list: %w", err)
		}
		list, err := s.Tokens(c.ctx, ws.ID)
		if err != nil {
			return fmt.Errorf("token list: %w", err)
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPREFIX\tCREATED\tLAST USED\tREVOKED")
		for _, t := range list {
			fmt.Fprintf(tw, "%s\t%s…\t%s\t%s\t%s\n", t.ID, t.Prefix, stamp(t.Created), stamp(t.LastUsed), stamp(t.Revoked))
		}
		return tw.Flush()
	})
}

func (c *cli) tokenRevoke(args []string) error {
	id, err := c.oneArg("token revoke", "TOKEN_ID", args)
	if err != nil {
		return err
	}
	return c.withStore(func(s birdie.Store) error {
		if err := s.RevokeToken(c.ctx, id, time.Now()); err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
		fmt.Fprintf(c.stdout, "revoked token %s\n", id)
		return nil
	})
}

func (c *cli) userList(args []string) error {
	fs := c.flags("user list")
	filter := fs.String("filter", "", `SCIM filter, e.g. 'userName sw "a"'`)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("user list: expected one WORKSPACE, got %d arguments", len(pos))
	}
	var f birdie.Filter
	if *filter != "" {
		if f, err = scim.ParseFilter(*filter); err != nil {
			return fmt.Errorf("user list: --filter: %s", scim.AsError(err).Detail)
		}
	}
	return c.withStore(func(s birdie.Store) error {
		ws, err := s.Workspace(c.ctx, pos[0])
		if err != nil {
			return fmt.Errorf("user list: %w", err)
		}
		tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tEMAIL\tACTIVE")
		const page = 1000
		for start := 1; ; start += page {
			res, err := s.ListUsers(c.ctx, ws.ID, birdie.UserQuery{Filter: f, StartIndex: start, Count: page})
			if err != nil {
				return fmt.Errorf("user list: %w", err)
			}
			for _, u := range res.Users {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%t\n", u.ID, u.UserName, u.Email, u.Active)
			}
			if len(res.Users) < page {
				break
			}
		}
		return tw.Flush()
	})
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
