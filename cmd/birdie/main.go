// Command birdie is Birdie's user-provisioning service and its admin CLI:
// `birdie serve` runs the SCIM 2.0 server; the other commands manage
// workspaces, tokens and users for Birdie's support staff.
//
// main only wires the process to run, which tests call directly.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		os.Stderr.WriteString("birdie: " + err.Error() + "\n")
		os.Exit(1)
	}
}
