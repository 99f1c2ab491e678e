package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

const usage = `birdie: Birdie's SCIM 2.0 user-provisioning service

Usage:
  birdie [--db DSN] <command> [arguments]

Commands:
  serve [--addr HOST:PORT]            run the SCIM server
  migrate                             apply database migrations and exit
  workspace create SLUG [--name NAME] create a workspace
  workspace list                      list workspaces
  workspace debug SLUG --for D|--off  keep request bodies in the log for D (at most 24h)
  token create WORKSPACE              issue a SCIM token (printed once)
  token list WORKSPACE                list a workspace's tokens
  token revoke TOKEN_ID               revoke a token at once
  user list WORKSPACE [--filter F]    list a workspace's users
  log WORKSPACE [--failed] [--user U] [--since D] [--limit N] [--follow] [--json]
                                      print the provisioning log

Global flags:
  --db DSN   database: a SQLite file path (or sqlite:PATH), or a
             postgres:// URL (env BIRDIE_DB, default birdie.db)
`

// env is how run reads the environment (os.Getenv in main, a map in tests).
type env func(string) string

// run is the whole program: main calls it with the process's arguments and
// streams, tests call it with their own.
func run(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	global := flag.NewFlagSet("birdie", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	db := global.String("db", envOr(getenv, "BIRDIE_DB", "birdie.db"), "database DSN")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return nil
		}
		return fmt.Errorf("%v (run 'birdie --help' for usage)", err)
	}
	args = global.Args()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	c := &cli{ctx: ctx, db: *db, getenv: getenv, stdout: stdout, stderr: stderr}
	err := c.dispatch(args[0], args[1:])
	var help helpShown
	if errors.As(err, &help) {
		fmt.Fprint(stdout, help.text)
		return nil
	}
	return err
}

// dispatch runs the command cmd with its arguments.
func (c *cli) dispatch(cmd string, rest []string) error {
	switch cmd {
	case "serve":
		return c.serve(rest)
	case "migrate":
		return c.migrate(rest)
	case "workspace":
		return c.sub("workspace", rest, map[string]func([]string) error{"create": c.workspaceCreate, "list": c.workspaceList, "debug": c.workspaceDebug})
	case "token":
		return c.sub("token", rest, map[string]func([]string) error{"create": c.tokenCreate, "list": c.tokenList, "revoke": c.tokenRevoke})
	case "user":
		return c.sub("user", rest, map[string]func([]string) error{"list": c.userList})
	case "log":
		return c.logCmd(rest)
	case "help", "-h", "--help":
		fmt.Fprint(c.stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q (run 'birdie --help' for usage)", cmd)
}

// cli carries what every command needs.
type cli struct {
	ctx    context.Context
	db     string
	getenv env
	stdout io.Writer
	stderr io.Writer
}

func (c *cli) sub(name string, args []string, cmds map[string]func([]string) error) error {
	if len(args) == 0 {
		return fmt.Errorf("%s: missing subcommand (one of: %s)", name, keys(cmds))
	}
	f, ok := cmds[args[0]]
	if !ok {
		return fmt.Errorf("%s: unknown subcommand %q (one of: %s)", name, args[0], keys(cmds))
	}
	return f(args[1:])
}

func keys(m map[string]func([]string) error) string {
	var ks []string
	for _, k := range []string{"create", "list", "revoke", "debug"} {
		if _, ok := m[k]; ok {
			ks = append(ks, k)
		}
	}
	return strings.Join(ks, ", ")
}

// flags returns a flag set for a subcommand that also accepts --db, so
// that `birdie token list acme --db x.db` works as well as the global form.
func (c *cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.db, "db", c.db, "database DSN")
	return fs
}

// parse parses a subcommand's flags, which may come before or after its
// positional arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, flagHelp(fs)
		} else if err != nil {
			return nil, fmt.Errorf("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// helpShown is what parse returns for -h/--help: run prints text to
// stdout and exits 0, as for `birdie --help`.
type helpShown struct{ text string }

func (h helpShown) Error() string { return "help requested" }

// flagHelp lists a subcommand's flags with their defaults.
func flagHelp(fs *flag.FlagSet) helpShown {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage of birdie %s:\n", fs.Name())
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return helpShown{b.String()}
}

func envOr(getenv env, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

// parseDuration is time.ParseDuration that also takes whole days ("7d"),
// the unit retention and log ages are thought of in.
func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		const day = 24 * time.Hour
		n, err := strconv.ParseInt(days, 10, 64)
		if err != nil || n > math.MaxInt64/int64(day) || n < math.MinInt64/int64(day) {
			return 0, fmt.Errorf("invalid duration %q", s)
		}
		return time.Duration(n) * day, nil
	}
	return time.ParseDuration(s)
}

// envFlags sets the flags that the command line did not give from their
// environment variables, through the flags' own parsing, so that a bad
// value (BIRDIE_RATE_LIMIT=fast) is refused with a clear error instead of
// silently falling back to the default.
func envFlags(fs *flag.FlagSet, getenv env, vars map[string]string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for name, key := range vars {
		if v := getenv(key); v != "" && !given[name] {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s: %s=%q: %v", fs.Name(), key, v, err)
			}
		}
	}
	return nil
}
