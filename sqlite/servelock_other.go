//go:build !unix

package sqlite

import (
	"errors"
	"os"
)

// tryLock is not implemented here: without it, LockServe fails and the
// server must run without its user cache (--user-cache-mb 0).
func tryLock(*os.File) (bool, error) {
	return false, errors.ErrUnsupported
}
