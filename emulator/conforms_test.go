package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
)

// TestConforms: an answer from elsewhere is checked against the operation
// its request names, as the contract suite does against a sandbox.
func TestConforms(t *testing.T) {
	em, err := emulator.New()
	if err != nil {
		t.Fatal(err)
	}
	del := httptest.NewRequest(http.MethodDelete, "/api/v3/onezone/users/abc", nil)
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	for _, c := range []struct {
		name   string
		req    *http.Request
		status int
		header http.Header
		body   string
		bad    string // part of the error, "" when it conforms
	}{
		{"documented 204", del, 204, http.Header{}, "", ""},
		{"documented error", del, 404, jsonHeader, `{"error":{"id":"notFound","description":"The resource could not be found."}}`, ""},
		{"undeclared status", del, 418, jsonHeader, `{}`, "418"},
		{"a proxy's HTML page", del, 404, http.Header{"Content-Type": {"text/html"}}, "<html>", "text/html"},
		{"not an operation", httptest.NewRequest(http.MethodGet, "/nowhere", nil), 200, jsonHeader, "{}", "no operation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := em.Conforms(c.req, nil, c.status, c.header, []byte(c.body))
			switch {
			case c.bad == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.bad != "" && err == nil:
				t.Fatal("accepted")
			case c.bad != "" && !strings.Contains(err.Error(), c.bad):
				t.Fatalf("error %q does not name %q", err, c.bad)
			}
		})
	}
}
