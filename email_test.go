package birdie_test

import (
	"strings"
	"testing"

	"birdie"
)

func TestIsEmailAddress(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"a@b.co", true},
		{"jane.doe@example.com", true},
		{"first+tag@sub.example.co.uk", true},
		{"JANE@EXAMPLE.COM", true},
		{"jdoe", false},
		{"jdoe@", false},
		{"@x.com", false},
		{"Jo <jo@x.com>", false},
		{"<jo@x.com>", false},
		{"jo@localhost", false},
		{"jo@x.", false},
		{"jo@.x", false},
		{"jo@x..com", false},
		{" jo@x.com", false},
		{"jo@x.com ", false},
		{"jo@@x.com", false},
		{"jo x@x.com", false},
		{"", false},
		{"domain\\jdoe", false},
		{"00u1ab2cd3EF4gh5i6j7", false},
	} {
		if got := birdie.IsEmailAddress(tc.in); got != tc.want {
			t.Errorf("IsEmailAddress(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestAccountEmail covers each branch of the account-email rule in order.
func TestAccountEmail(t *testing.T) {
	work := birdie.Email{Value: "work@x.com", Type: "work"}
	home := birdie.Email{Value: "home@x.com", Type: "home"}
	prim := birdie.Email{Value: "primary@x.com", Type: "home", Primary: true}
	for _, tc := range []struct {
		name     string
		userName string
		emails   []birdie.Email
		want     string
		wantErr  bool
	}{
		{"1: userName is an email, wins over primary", "jane@x.com", []birdie.Email{prim, work}, "jane@x.com", false},
		{"1: userName is an email, no emails at all", "jane@x.com", nil, "jane@x.com", false},
		{"1: userName kept as sent (case)", "Jane.Doe@X.com", []birdie.Email{work}, "Jane.Doe@X.com", false},
		{"2: not an email userName, primary wins over earlier work", "jdoe", []birdie.Email{work, home, prim}, "primary@x.com", false},
		{"2: first primary of several", "jdoe", []birdie.Email{home, {Value: "p1@x.com", Primary: true}, {Value: "p2@x.com", Primary: true}}, "p1@x.com", false},
		{"2: primary without value is skipped", "jdoe", []birdie.Email{{Primary: true, Type: "home"}, home, work}, "work@x.com", false},
		{"3: no primary, first work email", "jdoe", []birdie.Email{home, work, {Value: "w2@x.com", Type: "work"}}, "work@x.com", false},
		{"3: work compared case-insensitively", "jdoe", []birdie.Email{home, {Value: "W@x.com", Type: "Work"}}, "W@x.com", false},
		{"3: work without value is skipped", "jdoe", []birdie.Email{{Type: "work"}, home}, "home@x.com", false},
		{"4: no primary, no work, first email", "jdoe", []birdie.Email{home, {Value: "other@x.com", Type: "other"}}, "home@x.com", false},
		{"4: entries without value skipped", "jdoe", []birdie.Email{{Type: "home"}, {Value: "second@x.com"}}, "second@x.com", false},
		{"4: chosen value is not validated", "jdoe", []birdie.Email{{Value: "not-an-email"}}, "not-an-email", false},
		{"userName with display name is not an email", "Jo <jo@x.com>", []birdie.Email{home}, "home@x.com", false},
		{"userName at localhost is not an email", "jo@localhost", []birdie.Email{work}, "work@x.com", false},
		{"no email at all", "jdoe", nil, "", true},
		{"only empty values", "jdoe", []birdie.Email{{Type: "work"}, {Primary: true}}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := birdie.AccountEmail(tc.userName, tc.emails)
			if tc.wantErr {
				if err == nil || birdie.ErrorCode(err) != birdie.EINVALID {
					t.Fatalf("AccountEmail = %q, %v; want an EINVALID error", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("AccountEmail = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestNewTokenAndHash(t *testing.T) {
	secret, tok := birdie.NewToken(7, birdie.User{}.Created)
	if len(secret) < len(birdie.TokenPrefix)+50 || secret[:len(birdie.TokenPrefix)] != birdie.TokenPrefix {
		t.Fatalf("secret %q: want the prefix and at least 256 bits", secret)
	}
	if tok.Hash != birdie.HashToken(secret) || tok.Hash == secret || len(tok.Hash) != 64 {
		t.Fatalf("hash %q is not the SHA-256 hex of the secret", tok.Hash)
	}
	if tok.WorkspaceID != 7 || tok.Prefix == "" || len(tok.Prefix) >= len(secret)/2 {
		t.Fatalf("token record %+v", tok)
	}
	other, _ := birdie.NewToken(7, birdie.User{}.Created)
	if other == secret {
		t.Fatal("two tokens are equal")
	}
}

func TestValidSlug(t *testing.T) {
	for in, want := range map[string]bool{"acme": true, "acme-2": true, "a": true, "": false, "-a": false, "a-": false, "Acme": false, "a_b": false, "a b": false} {
		if got := birdie.ValidSlug(in); got != want {
			t.Errorf("ValidSlug(%q) = %v", in, got)
		}
	}
}

// TestFoldKey checks that FoldKey agrees with strings.EqualFold, which the
// filter evaluator uses: an index lookup must find what a match would.
func TestFoldKey(t *testing.T) {
	words := []string{"Jane.Doe@Example.com", "jane.doe@example.com", "ſam", "SAM", "sam", "\u212Aelvin", "kelvin", "ΣΊΣΥΦΟΣ", "σίσυφος", "σίσυφοσ", "Straße", "STRASSE", "İstanbul", "istanbul", "ǅemal", "ǆemal", "Ǆemal", ""}
	for _, a := range words {
		for _, b := range words {
			if eq, same := strings.EqualFold(a, b), birdie.FoldKey(a) == birdie.FoldKey(b); eq != same {
				t.Errorf("EqualFold(%q, %q) = %v but FoldKey equal = %v", a, b, eq, same)
			}
		}
	}
	if got := birdie.FoldKey("Jane.Doe@Example.COM"); got != "jane.doe@example.com" {
		t.Errorf("FoldKey of ASCII = %q, want lower case", got)
	}
}
