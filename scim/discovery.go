package scim

import "strings"

// ServiceProviderConfig describes what Birdie implements (RFC 7643 §5).
// Every flag is true to the code: a client that trusts it never gets a
// 501 for a feature advertised here.
func ServiceProviderConfig(baseURL string) map[string]any {
	return map[string]any{
		"schemas":        []string{URNSPConfig},
		"patch":          map[string]any{"supported": true},
		"bulk":           map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":         map[string]any{"supported": true, "maxResults": MaxCount},
		"changePassword": map[string]any{"supported": false},
		"sort":           map[string]any{"supported": true},
		"etag":           map[string]any{"supported": true},
		"authenticationSchemes": []any{map[string]any{
			"type":        "oauthbearertoken",
			"name":        "Bearer token",
			"description": "A workspace token issued by Birdie support, sent as 'Authorization: Bearer <token>'.",
			"primary":     true,
		}},
		"meta": map[string]any{
			"resourceType": "ServiceProviderConfig",
			"location":     strings.TrimRight(baseURL, "/") + "/ServiceProviderConfig",
		},
	}
}

// UserResourceType is the only resource type Birdie serves (RFC 7643 §6):
// groups are not synced.
func UserResourceType(baseURL string) map[string]any {
	return map[string]any{
		"schemas":     []string{URNResourceType},
		"id":          "User",
		"name":        "User",
		"endpoint":    "/Users",
		"description": "User Account",
		"schema":      URNUser,
		"schemaExtensions": []any{
			map[string]any{"schema": URNEnterprise, "required": false},
			map[string]any{"schema": URNAccount, "required": false},
		},
		"meta": map[string]any{
			"resourceType": "ResourceType",
			"location":     strings.TrimRight(baseURL, "/") + "/ResourceTypes/User",
		},
	}
}

// SchemaResource renders a schema definition (RFC 7643 §7) from the same
// attribute definitions that drive decoding, PATCH and filtering.
func SchemaResource(s *Schema, baseURL string) map[string]any {
	attrs := make([]any, 0, len(s.Attributes)+2)
	if s == UserSchema {
		// The common attributes id and externalId are part of every
		// resource; listing them helps clients that map attributes
		// from /Schemas (Entra's schema discovery).
		attrs = append(attrs, attributeResource(IDAttr), attributeResource(ExternalIDAttr))
	}
	for _, a := range s.Attributes {
		attrs = append(attrs, attributeResource(a))
	}
	return map[string]any{
		"schemas":     []string{URNSchema},
		"id":          s.ID,
		"name":        s.Name,
		"description": s.Description,
		"attributes":  attrs,
		"meta": map[string]any{
			"resourceType": "Schema",
			"location":     strings.TrimRight(baseURL, "/") + "/Schemas/" + s.ID,
		},
	}
}

func attributeResource(a *Attribute) map[string]any {
	m := map[string]any{
		"name":        a.Name,
		"type":        a.Type,
		"multiValued": a.MultiValued,
		"description": a.Description,
		"required":    a.Required,
		"mutability":  a.Mutability,
		"returned":    a.Returned,
	}
	if a.Type != TypeComplex && a.Type != TypeBoolean {
		m["caseExact"] = a.CaseExact
		m["uniqueness"] = a.Uniqueness
	}
	if len(a.Canonical) > 0 {
		m["canonicalValues"] = a.Canonical
	}
	if len(a.RefTypes) > 0 {
		m["referenceTypes"] = a.RefTypes
	}
	if len(a.Sub) > 0 {
		sub := make([]any, 0, len(a.Sub))
		for _, s := range a.Sub {
			sub = append(sub, attributeResource(s))
		}
		m["subAttributes"] = sub
	}
	return m
}
