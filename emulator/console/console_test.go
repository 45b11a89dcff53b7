package console_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator/console"
)

// TestWorksOffline: the page loads nothing from another origin, and says
// so to the browser too (the CSP).
func TestWorksOffline(t *testing.T) {
	srv := httptest.NewServer(http.StripPrefix("/__admin/ui/", console.Handler()))
	defer srv.Close()
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import|fetch\(\s*["'](https?:)?//`)
	for _, name := range []string{"", "app.js", "scenario.js", "state.js", "journal.js", "entry.js", "errors.js", "main.js", "style.css", "favicon.svg"} {
		resp, err := http.Get(srv.URL + "/__admin/ui/" + name)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%q: %d", name, resp.StatusCode)
		}
		if m := external.Find(body); m != nil {
			t.Errorf("%q loads from elsewhere: %s", name, m)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "connect-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%q: CSP %q", name, csp)
		}
	}
}
