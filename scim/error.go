package scim

import (
	"errors"
	"fmt"
	"net/http"

	"birdie"
)

// scimType values of RFC 7644 §3.12.
const (
	ErrInvalidFilter = "invalidFilter"
	ErrTooMany       = "tooMany"
	ErrUniqueness    = "uniqueness"
	ErrMutability    = "mutability"
	ErrInvalidSyntax = "invalidSyntax"
	ErrInvalidPath   = "invalidPath"
	ErrNoTarget      = "noTarget"
	ErrInvalidValue  = "invalidValue"
	ErrInvalidVers   = "invalidVers"
	ErrSensitive     = "sensitive"
	// RFC 9865 (cursor pagination).
	ErrInvalidCursor = "invalidCursor"
)

// Error is a SCIM protocol error: an HTTP status, a scimType where RFC 7644
// names one, and a detail a person can act on.
type Error struct {
	Status   int
	ScimType string
	Detail   string
}

func (e *Error) Error() string {
	if e.ScimType != "" {
		return fmt.Sprintf("%d %s: %s", e.Status, e.ScimType, e.Detail)
	}
	return fmt.Sprintf("%d: %s", e.Status, e.Detail)
}

// Errorf returns a *Error with the status, scimType and formatted detail.
func Errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, ScimType: scimType, Detail: fmt.Sprintf(format, args...)}
}

// BadRequest returns a 400 *Error.
func BadRequest(scimType, format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, scimType, format, args...)
}

// AsError turns any error into a *Error: a *Error as is, a birdie.Error by
// its code, anything else as a 500 whose detail hides the cause.
func AsError(err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	msg := birdie.ErrorMessage(err)
	switch birdie.ErrorCode(err) {
	case birdie.EINVALID:
		return &Error{Status: http.StatusBadRequest, ScimType: ErrInvalidValue, Detail: msg}
	case birdie.EINVALIDCURSOR:
		return &Error{Status: http.StatusBadRequest, ScimType: ErrInvalidCursor, Detail: msg}
	case birdie.ENOTFOUND:
		return &Error{Status: http.StatusNotFound, Detail: msg}
	case birdie.ECONFLICT:
		return &Error{Status: http.StatusConflict, ScimType: ErrUniqueness, Detail: msg}
	case birdie.EPRECONDITION:
		return &Error{Status: http.StatusPreconditionFailed, Detail: msg}
	case birdie.EUNAUTHORIZED:
		return &Error{Status: http.StatusUnauthorized, Detail: msg}
	}
	return &Error{Status: http.StatusInternalServerError, Detail: "internal server error; the request was not applied and can be retried"}
}

// Body returns the error as a SCIM Error resource (RFC 7644 §3.12), with
// status as a string.
func (e *Error) Body() map[string]any {
	b := map[string]any{
		"schemas": []string{URNError},
		"status":  fmt.Sprint(e.Status),
		"detail":  e.Detail,
	}
	if e.ScimType != "" {
		b["scimType"] = e.ScimType
	}
	return b
}
