package console_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// TestFrontendReadsHeadersAcrossOrigins is a frontend on another origin
// calling the vendor routes, as a browser lets it: it creates an Onedata
// user and follows the Location it is answered (the only place the new
// id is), and reads Huawei's X-Request-Id and offboard's X-Offboard-Detail.
// A header CORS does not expose reads as null (issue 19).
func TestFrontendReadsHeadersAcrossOrigins(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	p := newPage(t)
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	// The frontend: a page of its own origin (another port).
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte(`<html><body><p id="ready">frontend</p></body></html>`))
	}))
	t.Cleanup(app.Close)

	p.do("open the frontend", chromedp.Navigate(app.URL), chromedp.WaitVisible(chromedp.CSS("#ready")))
	eval := func(js string) string { t.Helper(); return p.eval(js, js) }
	base := srv.URL

	created := eval(`(async () => {
  const r = await fetch("` + base + `/api/v3/onezone/users", {method: "POST",
    headers: {"X-Auth-Token": "onedata-admin-token", "Content-Type": "application/json"},
    body: JSON.stringify({username: "frontend_user", password: "s3cret-pass"})});
  const loc = r.headers.get("Location");
  if (!loc) return r.status + " no Location";
  const u = await fetch(new URL(loc, "` + base + `/api/v3/onezone/users/"), {headers: {"X-Auth-Token": "onedata-admin-token"}});
  const body = await u.json();
  return r.status + " " + u.status + " " + body.username;
})()`)
	if created != "201 200 frontend_user" {
		t.Errorf("create, then follow Location: got %q, want %q", created, "201 200 frontend_user")
	}

	requestID := eval(`(async () => {
  const r = await fetch("` + base + `/v2/demo-project/demo-workspace/users", {headers: {"X-Auth-Token": "demo-token"}});
  return r.status + " " + (r.headers.get("X-Request-Id") || "null");
})()`)
	if status, id, _ := strings.Cut(requestID, " "); status != "200" || len(id) != 32 {
		t.Errorf("Huawei's X-Request-Id from a browser: %q", requestID)
	}

	detail := eval(`(async () => {
  const r = await fetch("` + base + `/api/v3/onezone/users/ffffffffffffffffffffffffffffffff", {headers: {"X-Auth-Token": "onedata-admin-token"}});
  return r.status + " " + (r.headers.get("X-Offboard-Detail") || "null");
})()`)
	if !strings.HasPrefix(detail, "404 ") || strings.HasSuffix(detail, " null") {
		t.Errorf("X-Offboard-Detail from a browser: %q", detail)
	}
}
