package scim

import "strings"

// Schema URNs Birdie speaks.
const (
	URNUser          = "urn:ietf:params:scim:schemas:core:2.0:User"
	URNEnterprise    = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	URNAccount       = "urn:birdie:scim:schemas:extension:account:2.0:User"
	URNListResponse  = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	URNError         = "urn:ietf:params:scim:api:messages:2.0:Error"
	URNPatchOp       = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	URNSearchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	URNSPConfig      = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	URNResourceType  = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	URNSchema        = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// Attribute types (RFC 7643 §2.3).
const (
	TypeString    = "string"
	TypeBoolean   = "boolean"
	TypeComplex   = "complex"
	TypeReference = "reference"
	TypeDateTime  = "dateTime"
)

// Attribute describes one attribute of a schema. The same definitions drive
// request decoding, PATCH, filtering, projection and the /Schemas endpoint,
// so what Birdie advertises is what it does.
type Attribute struct {
	Name        string
	Type        string
	MultiValued bool
	Description string
	Required    bool
	CaseExact   bool
	Mutability  string // readOnly, readWrite, immutable, writeOnly
	Returned    string // always, never, default, request
	Uniqueness  string // none, server, global
	Canonical   []string
	RefTypes    []string
	Sub         []*Attribute
}

// SubAttr returns the sub-attribute with the given name, compared
// case-insensitively, or nil.
func (a *Attribute) SubAttr(name string) *Attribute {
	for _, s := range a.Sub {
		if strings.EqualFold(s.Name, name) {
			return s
		}
	}
	return nil
}

// Schema is one schema: its URN, a name, and its top-level attributes.
type Schema struct {
	ID          string
	Name        string
	Description string
	Attributes  []*Attribute
}

// Attr returns the top-level attribute with the given name, compared
// case-insensitively, or nil.
func (s *Schema) Attr(name string) *Attribute {
	for _, a := range s.Attributes {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

func str(name, desc string, opts ...func(*Attribute)) *Attribute {
	a := &Attribute{Name: name, Type: TypeString, Description: desc, Mutability: "readWrite", Returned: "default", Uniqueness: "none"}
	for _, o := range opts {
		o(a)
	}
	return a
}

func boolean(name, desc string) *Attribute {
	return &Attribute{Name: name, Type: TypeBoolean, Description: desc, Mutability: "readWrite", Returned: "default", Uniqueness: "none"}
}

func complexAttr(name, desc string, multi bool, sub ...*Attribute) *Attribute {
	return &Attribute{Name: name, Type: TypeComplex, MultiValued: multi, Description: desc, Mutability: "readWrite", Returned: "default", Uniqueness: "none", Sub: sub}
}

func caseExact(a *Attribute)    { a.CaseExact = true }
func required(a *Attribute)     { a.Required = true }
func readOnlyAttr(a *Attribute) { a.Mutability = "readOnly" }
func reference(refTypes ...string) func(*Attribute) {
	return func(a *Attribute) { a.Type = TypeReference; a.RefTypes = refTypes; a.CaseExact = true }
}
func canonical(values ...string) func(*Attribute) {
	return func(a *Attribute) { a.Canonical = values }
}

// multiValued builds the usual sub-attributes of a multi-valued attribute
// (RFC 7643 §2.4): value, display, type, primary.
func multiValued(name, desc, valueDesc string, types []string, valueOpts ...func(*Attribute)) *Attribute {
	return complexAttr(name, desc, true,
		str("value", valueDesc, valueOpts...),
		str("display", "A human-readable name, primarily used for display purposes."),
		str("type", "A label indicating the attribute's function.", canonical(types...)),
		boolean("primary", "A Boolean value indicating the 'primary' or preferred attribute value for this attribute."),
	)
}

// UserSchema is the core User schema (RFC 7643 §4.1), every attribute of it.
var UserSchema = &Schema{
	ID:          URNUser,
	Name:        "User",
	Description: "User Account",
	Attributes: []*Attribute{
		str("userName", "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Unique per workspace, compared case-insensitively.", required, func(a *Attribute) { a.Uniqueness = "server" }),
		complexAttr("name", "The components of the user's real name.", false,
			str("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
			str("familyName", "The family name of the User."),
			str("givenName", "The given name of the User."),
			str("middleName", "The middle name(s) of the User."),
			str("honorificPrefix", "The honorific prefix(es) of the User."),
			str("honorificSuffix", "The honorific suffix(es) of the User."),
		),
		str("displayName", "The name of the User, suitable for display to end-users."),
		str("nickName", "The casual way to address the user in real life."),
		str("profileUrl", "A fully qualified URL pointing to a page representing the User's online profile.", reference("external")),
		str("title", "The user's title, such as \"Vice President\"."),
		str("userType", "Used to identify the relationship between the organization and the user."),
		str("preferredLanguage", "Indicates the User's preferred written or spoken language."),
		str("locale", "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
		str("timezone", "The User's time zone in the 'Olson' time zone database format."),
		boolean("active", "A Boolean value indicating the User's administrative status. An omitted value on replace leaves it unchanged."),
		{Name: "password", Type: TypeString, Description: "Accepted and discarded: Birdie signs people in through SSO and never stores a password.", Mutability: "writeOnly", Returned: "never", Uniqueness: "none"},
		multiValued("emails", "Email addresses for the user. Stored exactly as sent; Birdie's account email is chosen from them (see the account extension).", "Email addresses for the user.", []string{"work", "home", "other"}),
		multiValued("phoneNumbers", "Phone numbers for the User.", "Phone number of the User.", []string{"work", "home", "mobile", "fax", "pager", "other"}),
		multiValued("ims", "Instant messaging addresses for the User.", "Instant messaging address for the User.", []string{"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"}),
		multiValued("photos", "URLs of photos of the User.", "URL of a photo of the User.", []string{"photo", "thumbnail"}, reference("external")),
		complexAttr("addresses", "A physical mailing address for this User.", true,
			str("formatted", "The full mailing address, formatted for display or use with a mailing label."),
			str("streetAddress", "The full street address component."),
			str("locality", "The city or locality component."),
			str("region", "The state or region component."),
			str("postalCode", "The zip code or postal code component."),
			str("country", "The country name component."),
			str("type", "A label indicating the attribute's function.", canonical("work", "home", "other")),
			boolean("primary", "A Boolean value indicating the 'primary' or preferred attribute value for this attribute."),
		),
		func() *Attribute {
			a := complexAttr("groups", "Groups the user belongs to. Birdie does not sync groups, so this is always empty.", true,
				str("value", "The identifier of the User's group.", readOnlyAttr),
				str("$ref", "The URI of the corresponding 'Group' resource.", reference("Group"), readOnlyAttr),
				str("display", "A human-readable name.", readOnlyAttr),
				str("type", "A label indicating the attribute's function.", canonical("direct", "indirect"), readOnlyAttr),
			)
			a.Mutability = "readOnly"
			return a
		}(),
		multiValued("entitlements", "A list of entitlements for the User.", "The value of an entitlement.", nil),
		multiValued("roles", "A list of roles for the User.", "The value of a role.", nil),
		multiValued("x509Certificates", "A list of certificates issued to the User.", "The value of an X.509 certificate.", nil),
	},
}

// EnterpriseSchema is the enterprise User extension (RFC 7643 §4.3).
var EnterpriseSchema = &Schema{
	ID:          URNEnterprise,
	Name:        "EnterpriseUser",
	Description: "Enterprise User",
	Attributes: []*Attribute{
		str("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
		str("costCenter", "Identifies the name of a cost center."),
		str("organization", "Identifies the name of an organization."),
		str("division", "Identifies the name of a division."),
		str("department", "Identifies the name of a department."),
		complexAttr("manager", "The User's manager. Accepted as an id string, an object or a one-element array; always returned as an object.", false,
			str("value", "The id of the SCIM resource representing the User's manager.", caseExact),
			str("$ref", "The URI of the SCIM resource representing the User's manager.", reference("User")),
			str("displayName", "The displayName of the User's manager, stored as the client sent it."),
		),
	},
}

// AccountSchema is Birdie's read-only account extension: the one email
// address the Birdie account uses, chosen from userName and emails.
var AccountSchema = &Schema{
	ID:          URNAccount,
	Name:        "BirdieAccount",
	Description: "Birdie account",
	Attributes: []*Attribute{
		str("email", "The account's one email address: userName if it is a valid email address, else the primary email, else the first work email, else the first email. Not unique.", readOnlyAttr),
	},
}

// Schemas lists every schema Birdie serves, core first.
var Schemas = []*Schema{UserSchema, EnterpriseSchema, AccountSchema}

// SchemaByURN returns the schema with the URN, compared case-insensitively
// (RFC 7643 §2.1: URNs are case-insensitive), or nil.
func SchemaByURN(urn string) *Schema {
	for _, s := range Schemas {
		if strings.EqualFold(s.ID, urn) {
			return s
		}
	}
	return nil
}

// Common attributes (RFC 7643 §3.1) that every resource has; they are
// server-owned and never stored in a user's Attributes.
var (
	IDAttr         = &Attribute{Name: "id", Type: TypeString, Description: "Unique identifier for the SCIM resource, assigned by Birdie.", CaseExact: true, Mutability: "readOnly", Returned: "always", Uniqueness: "server"}
	ExternalIDAttr = &Attribute{Name: "externalId", Type: TypeString, Description: "An identifier for the resource as defined by the provisioning client. Not unique.", CaseExact: true, Mutability: "readWrite", Returned: "default", Uniqueness: "none"}
	MetaAttr       = &Attribute{Name: "meta", Type: TypeComplex, Description: "Resource metadata.", Mutability: "readOnly", Returned: "default", Uniqueness: "none", Sub: []*Attribute{
		{Name: "resourceType", Type: TypeString, CaseExact: true, Mutability: "readOnly", Returned: "default", Uniqueness: "none"},
		{Name: "created", Type: TypeDateTime, Mutability: "readOnly", Returned: "default", Uniqueness: "none"},
		{Name: "lastModified", Type: TypeDateTime, Mutability: "readOnly", Returned: "default", Uniqueness: "none"},
		{Name: "location", Type: TypeReference, CaseExact: true, Mutability: "readOnly", Returned: "default", Uniqueness: "none"},
		{Name: "version", Type: TypeString, CaseExact: true, Mutability: "readOnly", Returned: "default", Uniqueness: "none"},
	}}
)
