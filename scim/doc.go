// Package scim is the SCIM 2.0 protocol (RFC 7643, RFC 7644) with no I/O:
// schemas, the User resource's JSON form, filter parsing and evaluation,
// PATCH, list parameters, discovery documents and SCIM error bodies.
//
// # The canonical attribute document
//
// A user's client-writable attributes (birdie.User.Attributes) are kept as a
// map in one canonical form, produced by Decode and kept by ApplyPatch:
//
//   - keys are canonical attribute names from the schemas in schema.go
//     ("userName", "name", "emails", "externalId", ...), whatever case the
//     client used; enterprise attributes live in a nested map under the key
//     URNEnterprise; unknown attributes and extensions are dropped;
//   - string, reference and dateTime attributes hold a string; boolean
//     attributes hold a bool (the strings "true"/"false" in any case are
//     coerced);
//   - a singular complex attribute holds a map[string]any of its
//     sub-attributes; a multi-valued one holds a []any of such maps, in the
//     order the client sent them;
//   - unassigned values (null, empty arrays, empty objects) are absent;
//   - server-owned attributes (id, meta, schemas, groups), password, and
//     Birdie's read-only account extension are never in the map.
package scim
