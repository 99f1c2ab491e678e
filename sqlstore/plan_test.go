package sqlstore_test

import (
	"path/filepath"
	"strings"
	"testing"

	"birdie"
	"birdie/scim"
	"birdie/sqlite"
	"birdie/sqlstore"
)

func parse(t *testing.T, s string) birdie.Filter {
	t.Helper()
	if s == "" {
		return nil
	}
	f, err := scim.ParseFilter(s)
	if err != nil {
		t.Fatalf("ParseFilter(%q): %v", s, err)
	}
	return f
}

// TestPlanFilter checks how much of each filter the planner hands to SQL:
// all of it (exact), a necessary part (prefilter), or none (scan).
func TestPlanFilter(t *testing.T) {
	for _, c := range []struct {
		filter string
		want   string // exact, prefilter, scan
	}{
		{``, "exact"},
		{`userName eq "a@b.c"`, "exact"},
		{`id eq "x"`, "exact"},
		{`externalId eq "x"`, "exact"},
		{`active eq false`, "exact"},
		{`emails.value eq "a@b.c"`, "exact"},
		{`emails eq "a@b.c"`, "exact"},
		{`emails[value eq "a@b.c"]`, "exact"},
		{`urn:birdie:scim:schemas:extension:account:2.0:User:email eq "a@b.c"`, "exact"},
		{`userName eq "a" or externalId eq "b"`, "exact"},
		{`userName eq "a" and active eq true`, "exact"},
		{`not (userName eq "a")`, "exact"},
		{`not (userName eq "a" or emails.value eq "b")`, "exact"},
		{`emails[type eq "work"].value eq "a@b.c"`, "prefilter"},
		{`emails[type eq "work" and value eq "a@b.c"]`, "prefilter"},
		{`userName eq "a" and name.givenName eq "b"`, "prefilter"},
		{`name.givenName eq "b" and userName eq "a"`, "prefilter"},
		{`title pr and (nickName pr and (externalId eq "x" and displayName co "y"))`, "prefilter"},
		{`(userName eq "a" or externalId eq "b") and title pr`, "prefilter"},
		{`(emails[type eq "work"].value eq "a" or userName eq "b") and title pr`, "prefilter"},
		{`userName eq "a" or name.givenName eq "b"`, "scan"},
		{`not (emails[type eq "work"].value eq "a@b.c")`, "scan"},
		{`not (userName eq "a" and title pr)`, "scan"},
		{`userName ne "a"`, "scan"},
		{`userName co "a"`, "scan"},
		{`userName eq null`, "scan"},
		{`externalId eq ""`, "scan"},
		{`emails[type eq "work"]`, "scan"},
		{`emails.type eq "work"`, "scan"},
		{`name.givenName eq "x"`, "scan"},
		{`meta.created gt "2024-01-01T00:00:00Z"`, "exact"},
		{`meta.lastModified ge "2024-01-01T00:00:00.0000005Z"`, "exact"},
		{`meta.lastModified gt "2024-01-01T00:00:00Z" and userName eq "a"`, "exact"},
		{`meta.lastModified eq "2024-01-01T00:00:00.0000005Z"`, "scan"},
		{`meta.version eq "v1"`, "scan"},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"`, "scan"},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "x"`, "scan"},
	} {
		where, exact := sqlstore.PlanFilter(parse(t, c.filter), 1)
		got := "scan"
		switch {
		case exact:
			got = "exact"
		case where != "":
			got = "prefilter"
		}
		if got != c.want {
			t.Errorf("%s: planned as %s (%q), want %s", c.filter, got, where, c.want)
		}
	}
}

// TestQueryPlans checks with EXPLAIN QUERY PLAN that SQLite answers lookups
// by indexed attributes with index lookups (never a scan of the
// workspace), and sorted pages by walking an index (never a sort).
func TestQueryPlans(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "birdie.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	explain := func(t *testing.T, query string, args []any) []string {
		t.Helper()
		rows, err := s.Reader().Query("EXPLAIN QUERY PLAN "+query, args...)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer rows.Close()
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		return plan
	}

	lookups := []string{
		`userName eq "a@b.c"`,
		`id eq "x"`,
		`externalId eq "x"`,
		`emails.value eq "a@b.c"`,
		`urn:birdie:scim:schemas:extension:account:2.0:User:email eq "a@b.c"`,
		`emails[type eq "work"].value eq "a@b.c"`,
		`userName eq "a" or externalId eq "b" or emails.value eq "c"`,
		`userName eq "a" and name.givenName eq "b"`,
		`externalId eq "x" and active eq true`,
	}
	for _, text := range lookups {
		for _, sortBy := range []string{"", birdie.SortUserName, birdie.SortCreated} {
			count, rows, args, exact, err := sqlstore.ListSQL(1, birdie.UserQuery{Filter: parse(t, text), SortBy: sortBy, Count: 10})
			if err != nil {
				t.Fatal(err)
			}
			queries := map[string][]any{rows: args}
			if exact {
				queries[count] = args[:len(args)-2]
			}
			for q, a := range queries {
				for _, line := range explain(t, q, a) {
					indexed := strings.Contains(line, "=?") && !strings.HasSuffix(line, "(workspace_id=?)")
					if strings.HasPrefix(line, "SCAN") || strings.HasPrefix(line, "SEARCH") && !indexed {
						t.Errorf("%s (sortBy %q): plan step %q is not an index lookup\n  %s", text, sortBy, line, q)
					}
				}
			}
		}
	}

	// Every sort key but active (deliberately unindexed: see 0001_init.sql).
	for _, sortBy := range []string{"", birdie.SortID, birdie.SortUserName, birdie.SortExternalID, birdie.SortDisplayName,
		birdie.SortEmail, birdie.SortCreated, birdie.SortLastModified} {
		for _, desc := range []bool{false, true} {
			_, rows, args, _, err := sqlstore.ListSQL(1, birdie.UserQuery{SortBy: sortBy, Descending: desc, Count: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range explain(t, rows, args) {
				if strings.HasPrefix(line, "SCAN") || strings.Contains(line, "TEMP B-TREE") {
					t.Errorf("sortBy %q desc %v: plan step %q: pages should walk an index in order\n  %s", sortBy, desc, line, rows)
				}
			}
		}
	}

	// Removing old debug bodies reads only the entries that have one,
	// through the partial index, never the whole log.
	plan := explain(t, sqlstore.PruneLogBodiesSQL, []any{1, 1})
	usesBodies := false
	for _, line := range plan {
		usesBodies = usesBodies || strings.Contains(line, "provisioning_log_bodies")
		if strings.HasPrefix(line, "SCAN provisioning_log") {
			t.Errorf("PruneLogBodies: plan step %q scans the log", line)
		}
	}
	if !usesBodies {
		t.Errorf("PruneLogBodies does not use the index of entries with a body: %q", plan)
	}
}

// TestPlanPointers checks that filters built from pointers plan like
// values, and that nil pointers do not panic.
func TestPlanPointers(t *testing.T) {
	eq := &birdie.Compare{Path: birdie.AttrPath{Attr: "userName"}, Op: birdie.OpEq, Value: "a"}
	if where, exact := sqlstore.PlanFilter(&birdie.Not{X: eq}, 1); !exact || where == "" {
		t.Errorf("not (pointer compare): %q exact %v", where, exact)
	}
	for _, f := range []birdie.Filter{(*birdie.Compare)(nil), (*birdie.And)(nil), (*birdie.Or)(nil), (*birdie.Not)(nil), (*birdie.ValuePath)(nil),
		birdie.And{Left: eq, Right: (*birdie.Not)(nil)}, birdie.ValuePath{Path: birdie.AttrPath{Attr: "emails"}, Filter: (*birdie.Compare)(nil)}} {
		where, exact := sqlstore.PlanFilter(f, 1)
		if exact {
			t.Errorf("%#v planned exact (%q)", f, where)
		}
	}
}
