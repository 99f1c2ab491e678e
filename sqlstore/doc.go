// Package sqlstore implements birdie.Store once, with database/sql, for
// every SQL database Birdie supports. What differs between databases
// (placeholder syntax, row locking, how a driver reports a unique
// violation, how migrations are serialised) is described by a small
// Dialect; package sqlite and package postgres open their database, supply
// their Dialect and migrations, and hand the *sql.DB handles to New.
//
// Keeping one implementation means the conformance suite in package
// storetest exercises the same code whichever database runs it, and a fix
// to a query is made once.
//
// # Schema conventions
//
// Times are stored as int64 microseconds since the Unix epoch (UTC), so that
// ordering and comparison are the same in every database and no driver's
// time handling is involved; a zero time is NULL where a column may be
// unset (tokens.last_used, tokens.revoked). Values compared
// case-insensitively (userName, email addresses) are stored a second time
// in their birdie.FoldKey form (user_name_key, email_key,
// user_emails.value_key) and only that form is indexed and compared.
// users.pk is an internal, monotonically assigned key: it orders users by
// creation and breaks ties between equal sort keys, so pages are stable.
// provisioning_log.id is never reused (AUTOINCREMENT, an identity column),
// so that a follower of the log can ask for the entries after an id.
//
// # Listing and filtering
//
// ListUsers translates what it can of a SCIM filter into SQL over indexed
// columns (see plan.go) and evaluates the rest in Go with scim.Match on rows
// streamed in sort order, keeping only the requested page in memory.
package sqlstore
