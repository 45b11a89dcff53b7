package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// TestPeopleViewFollowsTheTool: a QA engineer keeps the console's People
// view open while the reference tool offboards bob; each of bob's cells
// changes in place as the requests arrive (no reload), from active with
// a running container to gone everywhere, and the commvault cell opens
// the requests that touched him there.
func TestPeopleViewFollowsTheTool(t *testing.T) {
	if testing.Short() || *target != "" {
		t.Skip("starts a browser against an in-process emulator")
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium: CI runs the browser tests (apt-get install -y chromium)")
		}
		t.Skip("no Chromium here; apt-get install -y chromium runs this test")
	}
	srv := emulatortest.New(t, emulator.WithScenario("people"))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.WindowSize(1400, 900))...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()
	until := func(what, js string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: %v\n%.3000s", what, err, html)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/__admin/ui/#people")); err != nil {
		t.Fatal(err)
	}
	const bob = `document.querySelector('tr[data-person="bob"]')`
	until("bob's row, his container remaining", bob+` && `+bob+`.querySelector('td[data-vendor="arcgis"]').dataset.remaining === "1"`)
	until("the journal is live", `document.querySelector("#live").textContent === "live"`)
	// Every text bob's row shows, kept as it changes.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { window.bobSeen = [];
		new MutationObserver(() => { const r = `+bob+`; if (r) window.bobSeen.push(r.textContent); })
			.observe(document.querySelector("#people"), {subtree: true, childList: true, characterData: true});
		return true; })()`)); err != nil {
		t.Fatal(err)
	}
	// Slow enough that a person sees each step land.
	for _, v := range []string{"arcgis", "commvault", "huawei", "onedata", "securid"} {
		if _, err := srv.Emulator.AddFaults("", emulator.Fault{Vendor: v, Latency: "250ms"}); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan int, 1)
	var out, errOut bytes.Buffer
	go func() {
		done <- run(context.Background(), append([]string{"--base", srv.URL}, leavers["bob"].args...), &out, &errOut)
	}()
	until("bob's arcgis cell gone while the tool still runs", bob+`.querySelector('td[data-vendor="arcgis"]').dataset.state === "gone"`)
	if code := <-done; code != 0 {
		t.Fatalf("the tool: %d\n%s%s", code, out.String(), errOut.String())
	}
	until("bob offboarded", bob+`.querySelector('td[data-offboarded]').dataset.offboarded === "true"`)
	seen, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...new Set(window.bobSeen)]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 3 {
		t.Errorf("bob's row showed %d states while the tool ran, want the steps to land one by one: %q", len(seen), seen)
	}
	if reloads, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.getEntriesByType("navigation").length`)); reloads != 1 {
		t.Errorf("%v navigations: the view must change in place", reloads)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`tr[data-person="bob"] td[data-vendor="commvault"] a`))); err != nil {
		t.Fatal(err)
	}
	until("bob's commvault part and its requests", `location.hash === "#people/bob/commvault" && document.querySelector("#person").textContent.includes("bjones: gone") && /DELETE \/webconsole\/api\/User\/byName/.test(document.querySelector("#person-requests").textContent)`)
	if dir := os.Getenv("OFFBOARD_SCREENSHOTS"); dir != "" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "console-people.png"), png, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
