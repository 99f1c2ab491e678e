package birdie

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer. The HTTP layer translates them to
// status codes in one place (package server).
const (
	EINVALID      = "invalid"      // the caller sent something Birdie cannot accept
	ENOTFOUND     = "not_found"    // no such workspace, token or user (in this workspace)
	ECONFLICT     = "conflict"     // a uniqueness rule would be broken (userName, workspace slug)
	EPRECONDITION = "precondition" // an If-Match version did not match the stored one
	EUNAUTHORIZED = "unauthorized" // missing, unknown or revoked token
	EINTERNAL     = "internal"     // a fault of Birdie's own, never the caller's

	EINVALIDCURSOR = "invalid_cursor" // a pagination cursor that is malformed or belongs to another query
)

// Error is an error with a code and a message meant for the person who will
// read it (an IdP admin, a support engineer, an operator).
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of the first *Error in err's chain,
// or a generic text for internal errors (whose details are logged, not shown).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
