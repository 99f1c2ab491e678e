//go:build !unix

package sqlite

import (
	"errors"
	"os"
)

// tryLock is not implemented here: a server with a user cache cannot be
// told it is alone, and must run without it (--user-cache-mb 0).
func tryLock(_ *os.File, exclusive bool) (bool, error) {
	if !exclusive {
		return true, nil
	}
	return false, errors.ErrUnsupported
}
