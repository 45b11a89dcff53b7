package console_test

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

const basicAdmin = "Basic YWRtaW46cGFzc3dvcmQ="

// TestConsoleSecondEdition walks what a QA engineer does with the console
// (issue 21): a Commvault refusal shown and filtered as an error, a
// request found by a fragment of its body, a deep link to one entry, copy
// as curl run in a shell, a replay into another session, the diff of a
// delete (the removed user, the moved ownership), a fault's counter
// reaching 0 live, back and forward between tabs, a mistake placed at its
// line in the editor, and nested state shown as tables.
func TestConsoleSecondEdition(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	_, commvault, err := srv.Emulator.Credential("commvault")
	if err != nil {
		t.Fatal(err)
	}
	p := newPage(t)
	p.do("open the journal", chromedp.Navigate(srv.URL+"/__admin/ui/#journal"), chromedp.WaitVisible(chromedp.CSS("#journal")))
	p.wait("the journal is live", `document.querySelector("#live")?.textContent === "live"`)
	row := func(seq int) string {
		return `document.querySelector('#journal tbody tr[data-seq="` + strconv.Itoa(seq) + `"]')`
	}
	seqOf := func(r emulatortest.Response) int {
		t.Helper()
		list, err := srv.Emulator.Requests(emulator.Filter{}, 1)
		if err != nil || len(list) != 1 {
			t.Fatalf("journal: %v", err)
		}
		return int(list[0].Seq)
	}

	// A Commvault refusal: HTTP 200 with errorCode 2, an error all the same.
	refusal := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/webconsole/api/User/6?newUserId=999",
		Header: map[string]string{"Authtoken": commvault, "Accept": "application/json"}})
	if refusal.Status != 200 || !strings.Contains(string(refusal.Body), `"errorCode":2`) {
		t.Fatalf("the refusal: %d %s", refusal.Status, refusal.Body)
	}
	refused := seqOf(refusal)
	ok := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1", Header: map[string]string{"Authorization": basicAdmin}})
	okSeq := seqOf(ok)
	p.wait("the refusal marked an error", row(refused)+` && `+row(refused)+`.dataset.outcome === "error" && `+row(refused)+`.textContent.includes("200 · errorCode 2")`)
	p.wait("the look-up marked a success", row(okSeq)+` && `+row(okSeq)+`.dataset.outcome === "ok"`)
	p.eval("filter errors", `(() => { const s = document.querySelector("#f-outcome"); s.value = "error"; s.dispatchEvent(new Event("input")); return "ok"; })()`)
	p.wait("only the error stays", row(refused)+` && !`+row(okSeq))
	p.shot("console-outcome.png")
	p.eval("any outcome", `(() => { const s = document.querySelector("#f-outcome"); s.value = ""; s.dispatchEvent(new Event("input")); return "ok"; })()`)

	// Find by a fragment of a body.
	srv.Do(t, emulatortest.Request{Method: "POST", Path: "/api/v3/onezone/users",
		Header: map[string]string{"Authorization": basicAdmin, "Content-Type": "application/json"}, Body: `{"username":"needle_in_body","password":"s3cret-pass"}`})
	p.do("search", chromedp.SendKeys(chromedp.CSS("#f-text"), "NEEDLE_in"))
	p.wait("one row, the create", `(() => { const rows = document.querySelectorAll("#journal tbody tr"); return rows.length === 1 && rows[0].textContent.includes("POST /api/v3/onezone/users"); })()`)
	p.eval("clear the search", `(() => { const s = document.querySelector("#f-text"); s.value = ""; s.dispatchEvent(new Event("input")); return "ok"; })()`)

	// A deep link opens one entry, even in a fresh page.
	p.do("open #journal/"+strconv.Itoa(okSeq), chromedp.Navigate(srv.URL+"/__admin/ui/#journal/"+strconv.Itoa(okSeq)))
	p.wait("the entry shown", `document.querySelector("#entry h3") && document.querySelector("#entry h3")?.textContent.startsWith("Request #`+strconv.Itoa(okSeq)+`")`)

	// Copy as curl; run in a shell, it gets the same answer.
	p.do("copy as curl", chromedp.Click(chromedp.CSS("#copy-curl")))
	p.wait("the command shown", `!document.querySelector("#curl").hidden`)
	cmd := p.eval("the command", `document.querySelector("#curl")?.textContent`)
	if !strings.Contains(cmd, "Authorization: "+basicAdmin) {
		t.Errorf("the curl command lacks the credential as sent:\n%s", cmd)
	}
	if _, err := exec.LookPath("curl"); err == nil {
		out, err := exec.Command("bash", "-c", cmd).Output()
		if err != nil {
			t.Fatalf("running %s: %v", cmd, err)
		}
		if string(out) != string(ok.Body) {
			t.Errorf("curl got:\n%s\nthe journaled answer:\n%s", out, ok.Body)
		}
	} else {
		t.Log("no curl here: the command is checked by its text only")
	}

	// Replay into another session: the delete of joe, made in qa-1,
	// answers 204 again in qa-2, where joe is still there.
	qa1 := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1",
		Header: map[string]string{"Authorization": basicAdmin, emulator.HeaderSession: "qa-1"}})
	if qa1.Status != 204 {
		t.Fatalf("delete in qa-1: %d", qa1.Status)
	}
	del := seqOf(qa1)
	p.do("open the delete", chromedp.Navigate(srv.URL+"/__admin/ui/#journal/"+strconv.Itoa(del)))
	p.wait("the delete shown", `document.querySelector("#replay-session") && document.querySelector("#replay-session").value === "qa-1"`)
	p.eval("into qa-2", `(() => { document.querySelector("#replay-session").value = "qa-2"; return "ok"; })()`)
	p.do("replay there", chromedp.Click(chromedp.CSS("#replay-into")))
	p.wait("the new answer beside the old", `(() => { const now = document.querySelector("#entry-now"); const then = document.querySelector("#entry-then");
  return now && then && now.textContent.includes("in qa-2") && now.textContent.includes("Response 204") && then.textContent.includes("in qa-1"); })()`)
	p.shot("console-replay.png")

	// The diff of a Commvault delete: jsmith removed, his alert now kjones's.
	moved := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/webconsole/api/User/6?newUserId=7",
		Header: map[string]string{"Authtoken": commvault, "Accept": "application/json"}})
	if moved.Status != 200 || !strings.Contains(string(moved.Body), `"errorCode":0`) {
		t.Fatalf("the delete: %d %s", moved.Status, moved.Body)
	}
	p.do("open it", chromedp.Navigate(srv.URL+"/__admin/ui/#journal/"+strconv.Itoa(seqOf(moved))))
	p.wait("the removed user", `!!document.querySelector('#entry-then tr.ch-removed[data-path="users/6"]')`)
	p.wait("the moved ownership", `(() => { const r = document.querySelector('#entry-then tr.ch-changed[data-path="alerts/Disk space low/user"]'); return !!r && r.cells[2].textContent === "6" && r.cells[3].textContent === "7"; })()`)
	p.shot("console-diff.png")

	// A fault's counter reaches 0 as it fires, with no reload.
	p.do("errors", chromedp.Navigate(srv.URL+"/__admin/ui/#errors"))
	p.wait("the catalogue", `!!document.querySelector("#e-vendor option[value=onedata]")`)
	p.eval("onedata, remove_user, 500", `(() => { const s = document.querySelector("#e-vendor"); s.value = "onedata"; s.dispatchEvent(new Event("change"));
  const o = document.querySelector("#e-op"); o.value = "remove_user"; o.dispatchEvent(new Event("input"));
  const st = document.querySelector("#e-status"); st.value = "500"; st.dispatchEvent(new Event("input"));
  document.querySelector("#e-times").value = "2"; return "ok"; })()`)
	p.wait("one entry, titled by its vendor's name", `(() => { const c = document.querySelectorAll("#catalogue .cat"); return c.length === 1 && c[0].querySelector("header").textContent.startsWith("internalServerError"); })()`)
	p.do("make the next two calls answer it", chromedp.Click(chromedp.CSS("#catalogue .cat button")))
	p.wait("two left", `document.querySelector("#faults")?.textContent.includes("2 of 2 left")`)
	for range 2 {
		srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/ffffffffffffffffffffffffffffffff", Header: map[string]string{"Authorization": basicAdmin}})
	}
	p.wait("spent, live", `document.querySelector("#faults")?.textContent.includes("0 of 2 left") && !!document.querySelector("#faults li.spent")`)
	p.shot("console-errors.png")
	p.do("remove spent", chromedp.Click(chromedp.CSS("#remove-spent")))
	p.wait("none left", `document.querySelector("#faults")?.textContent.trim().startsWith("none")`)

	// Back and forward between tabs.
	p.do("state", chromedp.Click(chromedp.CSS(`nav a[data-tab="state"]`)))
	p.wait("state shown", `!document.querySelector("#tab-state").hidden`)
	p.do("journal", chromedp.Click(chromedp.CSS(`nav a[data-tab="journal"]`)))
	p.wait("journal shown", `!document.querySelector("#tab-journal").hidden`)
	p.eval("back", `(() => { history.back(); return "ok"; })()`)
	p.wait("back to state", `!document.querySelector("#tab-state").hidden && document.querySelector('nav a[aria-current="page"]').dataset.tab === "state"`)
	p.eval("forward", `(() => { history.forward(); return "ok"; })()`)
	p.wait("forward to the journal", `!document.querySelector("#tab-journal").hidden`)

	// Nested state as tables, and what changed since the scenario.
	p.do("state again", chromedp.Click(chromedp.CSS(`nav a[data-tab="state"]`)))
	p.wait("huawei's workspaces as tables", `!!document.querySelector('table[data-table="huawei.projects"] table.nested')`)
	p.wait("jsmith's removal since the scenario", `!!document.querySelector('#since tr.ch-removed[data-path="users/6"]')`)
	p.shot("console-state.png")

	// A mistake placed at its line.
	p.do("scenario", chromedp.Click(chromedp.CSS(`nav a[data-tab="scenario"]`)))
	p.eval("paste a bad scenario", `(() => { const y = document.querySelector("#yaml"); y.value = "name: bad\nonedata:\n  users:\n    u1: {privileges: [nope]}\n"; y.dispatchEvent(new Event("input")); return "ok"; })()`)
	p.do("load it", chromedp.Click(chromedp.CSS("#load-yaml")))
	p.wait("line 4 marked", `!!document.querySelector('#gutter .bad[data-line="4"]') && !!document.querySelector('#scenario-errors li[data-line="4"]')`)
	p.do("go to the line", chromedp.Click(chromedp.CSS(`#scenario-errors li[data-line="4"] button`)))
	caret := p.eval("the caret", `(() => { const y = document.querySelector("#yaml"); return y.value.slice(0, y.selectionStart).split("\n").length + ":" + (document.activeElement === y); })()`)
	if caret != "4:true" {
		t.Errorf("the caret after 'Line 4': %s", caret)
	}
	p.shot("console-scenario.png")
}
