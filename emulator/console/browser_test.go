package console_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

const arcgisToken = "PuuxoDV8HzHD1GxXUDpgHDeItErtl9Wr6rbULdhXHVUnGsjZ2hI1j1cPmnDEN1UnUfDqrNr2AuviTe5OkBumXsPlwSCrKw_ZVM1vczv2ziRESyz2PEAAhfsf71EyKIEGe7wW1z7hN_aLIjTekcdUbs-xtUAMZjEKHDRxT85NlfWqQghOy6o5XE54P8nnmdhllY6IfdtqeRtOYfFLoCBGCmOFV8diNVk4CxW3MMnzelDAGuRpN-Bru-vcYTY-7Or9"

// browser finds Chromium. CI must have it (.ci/run installs Debian's);
// elsewhere the browser tests skip with one line saying why.
func browser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium: CI runs the console's browser tests (apt-get install -y chromium)")
	}
	t.Skip("no Chromium on this machine; apt-get install -y chromium runs the console's browser tests")
	return ""
}

// screenshots is where the tests save what the page shows: README's
// pictures when OFFBOARD_SCREENSHOTS names a folder, else a temporary one.
func screenshots(t *testing.T) string {
	if dir := os.Getenv("OFFBOARD_SCREENSHOTS"); dir != "" {
		return dir
	}
	return t.TempDir()
}

func stateJSON(t *testing.T, srv *emulatortest.Server) map[string]any {
	t.Helper()
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/state"})
	var m map[string]any
	if err := json.Unmarshal(got.Body, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "scenario")
	delete(m, "journalSeq")
	return m
}

// TestConsoleInABrowser walks the QA engineer's path in headless Chromium
// at 1280x800: switch scenario, see the state, watch a request arrive in
// the journal with its answer, make the next delete fail from the error
// catalogue, export the world and load it back (issue 12).
func TestConsoleInABrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	path := browser(t)
	shots := screenshots(t)
	srv := emulatortest.New(t, emulator.WithScenario("default"))

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 800))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			page, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: %v\npage:\n%.3000s", what, err, page)
		}
	}
	// waitFor polls a JavaScript condition about the page.
	waitFor := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			page, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: %v\npage:\n%.3000s", what, err, page)
		}
	}
	eval := func(what, js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do := func(r emulatortest.Request) emulatortest.Response {
		t.Helper()
		return srv.Do(t, r)
	}

	run("open the console", chromedp.Navigate(srv.URL+"/__admin/ui/"),
		chromedp.WaitVisible(chromedp.CSS(`button[data-scenario="arcgis-running-containers"]`)))

	// A broken scenario: the loader's file:line:col message shows beside the text.
	eval("paste a bad scenario", `(() => { document.querySelector("#yaml").value = "name: bad\narcgis:\n  tokens:\n    t: {role: king}\n"; return "ok"; })()`)
	run("load it", chromedp.Click(chromedp.CSS(`#load-yaml`)))
	waitFor("the loader's error", `/:4:\d+: arcgis\.tokens\.t\.role: unknown role "king"/.test(document.querySelector("#scenario-result")?.textContent)`)

	// Switch scenario; the state table shows gis_joe's running container.
	run("load arcgis-running-containers", chromedp.Click(chromedp.CSS(`button[data-scenario="arcgis-running-containers"]`)))
	waitFor("the scenario is named", `document.querySelector("#current-scenario")?.textContent === "arcgis-running-containers"`)
	run("open State", chromedp.Click(chromedp.CSS(`nav a[data-tab="state"]`)))
	waitFor("gis_joe's container in the table", `(() => { const row = [...document.querySelectorAll('table[data-table="arcgis.users"] tbody tr')].find(r => r.querySelector("th").textContent === "gis_joe"); return !!row && row.textContent.includes("c-gis-joe-1"); })()`)
	shot("console-state.png")

	// The seed's delete, sent by the application under test, appears live
	// in the journal with its answer.
	run("open Journal", chromedp.Click(chromedp.CSS(`nav a[data-tab="journal"]`)))
	waitFor("the journal is live", `document.querySelector("#live")?.textContent === "live"`)
	got := do(emulatortest.Request{Method: "POST", Path: "/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace",
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: "userName=gis_joe&f=pjson&token=" + arcgisToken})
	if !strings.Contains(string(got.Body), "actively running containers") {
		t.Fatalf("the seed's delete: %s", got.Body)
	}
	waitFor("the delete in the journal", `[...document.querySelectorAll("#journal tbody tr")].some(r => r.textContent.includes("/dataaccess/deleteUserWorkspace"))`)
	run("open the entry", chromedp.Click(chromedp.CSS(`#journal tbody tr:first-child a.req`)))
	waitFor("its answer shown", `document.querySelector("#entry-response-body")?.textContent.includes("The user has actively running containers.")`)
	waitFor("its request shown", `document.querySelector("#entry-request-body")?.textContent.includes("userName=gis_joe")`)
	shot("console-journal.png")

	// From the catalogue: the next Onedata delete answers its documented 500.
	run("open Errors", chromedp.Click(chromedp.CSS(`nav a[data-tab="errors"]`)))
	eval("choose onedata", `(() => { const s = document.querySelector("#e-vendor"); s.value = "onedata"; s.dispatchEvent(new Event("change")); return s.value; })()`)
	run("make the next remove_user answer 500", chromedp.Click(chromedp.CSS(`div[data-error="onedata/remove_user/500/example"] button`)))
	waitFor("the fault is listed", `document.querySelector("#faults")?.textContent.includes("remove_user → 500")`)
	shot("console-errors.png")
	del := do(emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1",
		Header: map[string]string{"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="}})
	if del.Status != 500 || !strings.Contains(string(del.Body), "internalServerError") {
		t.Fatalf("the next delete: %d %s", del.Status, del.Body)
	}
	run("back to Journal", chromedp.Click(chromedp.CSS(`nav a[data-tab="journal"]`)))
	waitFor("the 500 in the journal", `[...document.querySelectorAll("#journal tbody tr")].some(r => r.textContent.includes("/api/v3/onezone/users/") && r.textContent.includes("500") && r.textContent.includes("fault"))`)

	// Export this world, load it back: the same state.
	before := stateJSON(t, srv)
	run("open Scenario", chromedp.Click(chromedp.CSS(`nav a[data-tab="scenario"]`)))
	eval("export and paste it back", `fetch(document.querySelector("#export").href).then(r => r.text()).then(y => { document.querySelector("#yaml").value = y; return "ok"; })`)
	waitFor("the export is in the box", `document.querySelector("#yaml").value.startsWith('name: "snapshot"')`)
	run("load it", chromedp.Click(chromedp.CSS(`#load-yaml`)))
	waitFor("the snapshot is loaded", `document.querySelector("#current-scenario")?.textContent === "snapshot"`)
	shot("console-scenario.png")
	if diff := cmp.Diff(before, stateJSON(t, srv)); diff != "" {
		t.Errorf("the world loaded back differs (-exported +loaded):\n%s", diff)
	}

	// Keyboard: every section is reachable with Tab and Enter.
	run("focus the Errors button and press Enter", chromedp.Focus(chromedp.CSS(`nav a[data-tab="errors"]`)), chromedp.KeyEvent("\r"))
	// The hash changes, then the tab shows: wait for it rather than read at once.
	waitFor("Enter on the focused Errors button opens Errors", `document.activeElement.dataset.tab === "errors" && !document.querySelector("#tab-errors").hidden`)
}
