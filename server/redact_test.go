package server

import "testing"

func TestRedactBody(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"userName":"a","password":"x"}`, `{"password":"[redacted]","userName":"a"}`},
		{`{"Password":{"nested":"x"},"n":12345678901234567890}`, `{"Password":"[redacted]","n":12345678901234567890}`},
		{`{"urn:x:User":{"PASSWORD":"x","d":"R&D <b>"}}`, `{"urn:x:User":{"PASSWORD":"[redacted]","d":"R&D <b>"}}`},
		{`{"Operations":[{"op":"replace","path":"password","value":"x"}]}`, `{"Operations":[{"op":"replace","path":"password","value":"[redacted]"}]}`},
		{`{"Operations":[{"Op":"Replace","Path":"urn:ietf:params:scim:schemas:core:2.0:User:password","Value":"x"}]}`,
			`{"Operations":[{"Op":"Replace","Path":"urn:ietf:params:scim:schemas:core:2.0:User:password","Value":"[redacted]"}]}`},
		{`{"Operations":[{"op":"add","value":{"password":"x","title":"t"}}]}`, `{"Operations":[{"op":"add","value":{"password":"[redacted]","title":"t"}}]}`},
		{`{"Operations":[{"op":"add","path":"title","value":"password"}]}`, `{"Operations":[{"op":"add","path":"title","value":"password"}]}`},
		{`[{"password":"x"}]`, `[{"password":"[redacted]"}]`},
		{`"password"`, `"password"`},
		{`{"passwords":"kept"}`, `{"passwords":"kept"}`},
		{`{"password":"x"`, `[not kept: the body (15 bytes) is not valid JSON, so its secrets could not be redacted]`},
		{`{"a":1} {"password":"x"}`, `[not kept: the body (24 bytes) is not valid JSON, so its secrets could not be redacted]`},
	} {
		if got := redactBody([]byte(c.in)); got != c.want {
			t.Errorf("redactBody(%s)\n = %s\nwant %s", c.in, got, c.want)
		}
	}
}
