package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"birdie/internal/testbackend"
	"birdie/server"
)

// A body that stops arriving is answered 408 once the server's read
// timeout passes (not 400: nothing was wrong with what did arrive), with
// a SCIM error, and the connection is closed.
func TestBodyReadTimeoutIs408(t *testing.T) {
	store := testbackend.SQLite().Open(t)
	_, token, _ := createWorkspace(t, store, "slow")
	api := server.New(server.Config{Store: store})
	t.Cleanup(func() { api.Close(context.Background()) })
	srv := httptest.NewUnstartedServer(api)
	srv.Config.ReadTimeout = 300 * time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	part := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],`
	fmt.Fprintf(conn, "POST /scim/v2/Users HTTP/1.1\r\nHost: birdie\r\nAuthorization: Bearer %s\r\nContent-Type: application/scim+json\r\nContent-Length: 200\r\n\r\n%s", token, part)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	defer res.Body.Close()
	var body map[string]any
	json.NewDecoder(res.Body).Decode(&body)
	if res.StatusCode != http.StatusRequestTimeout || body["status"] != "408" {
		t.Fatalf("stalled body: %d %v, want 408 with a SCIM error", res.StatusCode, body)
	}
	if d, _ := body["detail"].(string); !strings.Contains(d, fmt.Sprintf("%d of 200 bytes", len(part))) {
		t.Errorf("detail %q does not say how much arrived", d)
	}
	if !res.Close {
		t.Errorf("the connection was kept open after a stalled body")
	}
}
