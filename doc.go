// Package birdie is the core of Birdie's user-provisioning service: the
// domain types (workspaces, tokens, users), the account-email rule, the error
// codes every layer speaks, and the Store interface that the storage
// backends implement.
//
// It imports no database driver and no HTTP code. The SCIM protocol lives in
// package scim, storage in packages sqlstore, sqlite and postgres, and the
// HTTP surface in package server; cmd/birdie wires them together.
package birdie
