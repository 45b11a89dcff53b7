package console_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// TestConsoleAsANewcomerReadsIt walks what a QA engineer tripped on
// (issue 32): the request box folds the headers a browser adds and cuts a
// 400-character token behind a click; the list shows the whole request
// line (newUserId=999 was hidden behind an ellipsis); the exact bytes sit
// beside the pretty body; a record of plain fields (ArcGIS's portal)
// shows its values under a "value" column; the catalogue reads as prose;
// each entry says the scenario it ran under.
func TestConsoleAsANewcomerReadsIt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	_, commvault, err := srv.Emulator.Credential("commvault")
	if err != nil {
		t.Fatal(err)
	}
	p := newPage(t)
	p.do("open the journal", chromedp.Navigate(srv.URL+"/__admin/ui/#journal"))
	p.wait("the journal is live", `document.querySelector("#live")?.textContent === "live"`)
	got := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/webconsole/api/User/6?newUserId=999",
		Header: map[string]string{"Authtoken": commvault, "Accept": "application/json", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)",
			"Accept-Language": "en-GB,en;q=0.9", "Sec-Fetch-Mode": "cors", "Origin": "http://localhost:3000"}})
	if !strings.Contains(string(got.Body), `"errorCode":2`) {
		t.Fatalf("the refusal: %s", got.Body)
	}
	p.wait("the whole request line in the list", `[...document.querySelectorAll("#journal tbody a.req")].some(a => a.textContent === "DELETE /webconsole/api/User/6?newUserId=999" && a.getBoundingClientRect().width <= a.closest("td").getBoundingClientRect().width + 1 && a.scrollWidth <= a.clientWidth + 1)`)
	p.do("open it", chromedp.Click(chromedp.CSS(`#journal tbody tr:first-child a.req`)))
	p.wait("the vendor's headers first, the browser's folded", `(() => {
		const box = document.querySelector("#entry .entry-request");
		const folded = box && box.querySelector("details.browser-headers");
		return !!folded && !folded.open && /User-Agent/.test(folded.textContent) && /Origin/.test(folded.textContent) &&
			/Accept: application\/json/.test([...box.children].filter(c => c.matches(".hdr")).map(c => c.textContent).join("\n"));
	})()`)
	p.wait("the token cut behind a click", `(() => {
		const line = [...document.querySelectorAll("#entry .entry-request .hdr")].find(l => l.textContent.startsWith("Authtoken"));
		return !!line && line.textContent.length < 140 && !!line.querySelector("button.more");
	})()`)
	p.do("show the whole token", chromedp.Click(chromedp.CSS(`#entry .entry-request .hdr button.more`)))
	p.wait("the whole token", `[...document.querySelectorAll("#entry .entry-request .hdr")].some(l => l.textContent === "Authtoken: `+commvault+`")`)
	p.wait("the exact bytes beside the pretty body", `document.querySelector("#entry .entry-response-body-raw")?.textContent === `+jsString(string(got.Body)))
	p.wait("the scenario it ran under", `!!document.querySelector("#entry .entry-scenario")?.textContent.includes("default")`)

	p.do("open State", chromedp.Navigate(srv.URL+"/__admin/ui/#state"))
	p.wait("the portal's fields with their values", `(() => { const t = document.querySelector('table[data-table="arcgis.portal"]');
		return !!t && [...t.querySelectorAll("thead th")].map(th => th.textContent).join("|") === "field|value" && t.textContent.includes("ArcGIS Enterprise (offboard)"); })()`)

	p.do("open Errors", chromedp.Navigate(srv.URL+"/__admin/ui/#errors"))
	p.wait("the catalogue in prose", `(() => { const c = document.querySelector('#catalogue .cat .prose');
		return !!c && /^POST \/dataaccess\/deleteUserWorkspace \(deleteUserWorkspace\) answers HTTP 200 with this body, an error by arcgis's own semantics/.test(c.textContent) && !c.textContent.includes(" · "); })()`)
}

// TestExportHARFromTheJournal: the Journal's button downloads what its
// filters show as HAR 1.2, the same log GET /__admin/requests?format=har
// answers for them.
func TestExportHARFromTheJournal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	p := newPage(t)
	dir := t.TempDir()
	p.do("open the journal", chromedp.Navigate(srv.URL+"/__admin/ui/#journal"))
	if _, err := chromedp.CallBrowser(p.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir}); err != nil {
		t.Fatal(err)
	}
	p.wait("the journal is live", `document.querySelector("#live")?.textContent === "live"`)
	for _, id := range []string{"a4d3bc73aada63052310652d421609f1", "0c58d30c5a6e4e5b9c3a1f2e7d6b8a90"} {
		srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/" + id, Header: map[string]string{"Authorization": basicAdmin}})
	}
	srv.Do(t, emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users", Header: map[string]string{"Authorization": basicAdmin}})
	p.wait("three rows", `document.querySelectorAll("#journal tbody tr").length === 3`)
	p.eval("filter on 204", `(() => { const s = document.querySelector("#f-status"); s.value = "204"; s.dispatchEvent(new Event("input")); return "ok"; })()`)
	p.do("export", chromedp.Click(chromedp.CSS(`#export-har`)))
	var har struct {
		Log struct {
			Version string
			Entries []struct {
				Request  struct{ Method, URL string }
				Response struct{ Status int }
			}
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(filepath.Join(dir, "offboard.har"))
		if err == nil && json.Unmarshal(data, &har) == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no offboard.har downloaded: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if har.Log.Version != "1.2" || len(har.Log.Entries) != 2 {
		t.Fatalf("the HAR: version %q, %d entries, want 1.2 and the two 204s", har.Log.Version, len(har.Log.Entries))
	}
	for _, e := range har.Log.Entries {
		if e.Request.Method != "DELETE" || e.Response.Status != 204 {
			t.Errorf("an entry the filter hides: %+v", e)
		}
	}
}
