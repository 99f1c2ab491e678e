package birdie

import (
	"net/mail"
	"strings"
)

// Email is one entry of a user's emails as an IdP sent it.
type Email struct {
	Value   string
	Type    string
	Primary bool
}

// AccountEmail picks the one email a Birdie account has, from the userName
// and the emails an IdP sent. The rule, in order:
//
//  1. userName, if it is a valid email address (see IsEmailAddress);
//  2. else the value of the first entry marked primary;
//  3. else the value of the first entry of type "work" (compared
//     case-insensitively, as SCIM canonical values are);
//  4. else the value of the first entry.
//
// Entries without a non-empty value are skipped at every step. The chosen
// entry's value is returned as the client sent it: only userName is checked
// for validity. With no email at all it returns an EINVALID error that says
// why, since an account without an email cannot receive sign-in mail.
func AccountEmail(userName string, emails []Email) (string, error) {
	if IsEmailAddress(userName) {
		return userName, nil
	}
	for _, e := range emails {
		if e.Primary && e.Value != "" {
			return e.Value, nil
		}
	}
	for _, e := range emails {
		if strings.EqualFold(e.Type, "work") && e.Value != "" {
			return e.Value, nil
		}
	}
	for _, e := range emails {
		if e.Value != "" {
			return e.Value, nil
		}
	}
	return "", Errorf(EINVALID, "user %q has no email address: userName is not an email address and emails holds no entry with a value; send an email address as userName or in emails", userName)
}

// IsEmailAddress reports whether s is a bare email address: an RFC 5322
// addr-spec with no display name, no angle brackets and no surrounding
// space, whose domain has at least one dot ("jo@localhost" is not accepted:
// an account email must be deliverable on the public internet).
func IsEmailAddress(s string) bool {
	if s == "" || strings.TrimSpace(s) != s || strings.ContainsAny(s, "<>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return false
	}
	domain := s[at+1:]
	dot := strings.IndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.Contains(domain, "..")
}
