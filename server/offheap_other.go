//go:build !unix

package server

// offHeap falls back to the Go heap where anonymous mappings are not
// available through package syscall.
func offHeap(n int) (mem []byte, free func()) {
	return make([]byte, n), func() {}
}
