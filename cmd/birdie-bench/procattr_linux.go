package main

import "syscall"

// childProcAttr makes the kernel kill the server if the bench dies without
// stopping it (a panic, SIGKILL), so that no orphan keeps the port and the
// database.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
