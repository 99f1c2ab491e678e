package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// redacted replaces every secret in a request body kept in debug mode.
const redacted = "[redacted]"

// redactBody returns a request body as the provisioning log keeps it in
// debug mode: re-encoded compactly with every secret replaced by
// "[redacted]". Secrets are the value of any member named "password" (in
// any case, at any depth: a User, an extension, a PATCH value without a
// path), and the "value" of any PATCH operation whose path mentions
// password (path "password", "urn:…:User:password"). A body that is not
// JSON is not kept, since where its secrets are cannot be known.
func redactBody(body []byte) string {
	if !json.Valid(body) {
		return fmt.Sprintf("[not kept: the body (%d bytes) is not valid JSON, so its secrets could not be redacted]", len(body))
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber() // numbers are kept as sent
	var v any
	if err := d.Decode(&v); err != nil {
		return fmt.Sprintf("[not kept: %v]", err)
	}
	redact(v)
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return fmt.Sprintf("[not kept: %v]", err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// redact replaces the secrets in a decoded JSON value, in place.
func redact(v any) {
	switch v := v.(type) {
	case map[string]any:
		var path string
		for k, x := range v {
			if strings.EqualFold(k, "path") {
				path, _ = x.(string)
			}
		}
		for k, x := range v {
			switch {
			case strings.EqualFold(k, "password"):
				v[k] = redacted
			case strings.EqualFold(k, "value") && strings.Contains(strings.ToLower(path), "password"):
				v[k] = redacted
			default:
				redact(x)
			}
		}
	case []any:
		for _, x := range v {
			redact(x)
		}
	}
}
