//go:build unix

package server

import "syscall"

// offHeap returns n bytes of memory the Go collector neither scans nor
// counts (an anonymous mapping), and the function that returns it to the
// operating system. Pages cost memory only once written.
func offHeap(n int) (mem []byte, free func()) {
	mem, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n), func() {} // out of address space: the Go heap will do
	}
	return mem, func() { syscall.Munmap(mem) }
}
