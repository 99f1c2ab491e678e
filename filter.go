package birdie

// Filter is a condition on users, in the form of a parsed SCIM filter
// (RFC 7644 §3.4.2.2). Package scim parses text into a Filter and evaluates
// it on a user; the stores read it to choose an index. A nil Filter matches
// every user.
type Filter interface{ isFilter() }

// AttrPath names an attribute of a user, resolved against the schemas: URN
// is the schema the attribute belongs to, Attr its canonical name, Sub the
// canonical sub-attribute name or "". Inside a ValuePath's filter, Attr is
// the sub-attribute of the outer attribute and URN is empty.
type AttrPath struct {
	URN  string
	Attr string
	Sub  string
}

// Comparison operators of a Compare.
const (
	OpEq      = "eq"
	OpNe      = "ne"
	OpCo      = "co"
	OpSw      = "sw"
	OpEw      = "ew"
	OpGt      = "gt"
	OpGe      = "ge"
	OpLt      = "lt"
	OpLe      = "le"
	OpPresent = "pr"
)

// Compare is "Path Op Value"; for OpPresent, Value is nil. Value is a
// string, bool, float64 or nil (the JSON literal null).
type Compare struct {
	Path  AttrPath
	Op    string
	Value any
}

// And matches when both sides match.
type And struct{ Left, Right Filter }

// Or matches when either side matches.
type Or struct{ Left, Right Filter }

// Not matches when X does not.
type Not struct{ X Filter }

// ValuePath matches when at least one element of the multi-valued attribute
// Path matches Filter, e.g. emails[type eq "work" and value co "@x.com"].
type ValuePath struct {
	Path   AttrPath
	Filter Filter
}

func (Compare) isFilter()   {}
func (And) isFilter()       {}
func (Or) isFilter()        {}
func (Not) isFilter()       {}
func (ValuePath) isFilter() {}
