package console_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// TestFaultPageRunsNothing: a fault answering text/html with a script, on
// a vendor route of the same host and port as the control API, renders
// in a sandbox: the script neither runs nor reads the journal (issue 23).
func TestFaultPageRunsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	p := newPage(t)
	srv := emulatortest.New(t, emulator.WithScenario("default"), emulator.WithAdminToken("secret"))
	page := `<html><head><title>untouched</title></head><body><p id="p">a vendor page</p><script>
document.title = "ran";
fetch("/__admin/requests").then(r => r.text()).then(t => { document.title = "read " + t.length; });
</script></body></html>`
	if _, err := srv.Emulator.AddFaults("", emulator.Fault{Vendor: "onedata", Method: "GET", Status: 200, ContentType: "text/html", Body: page}); err != nil {
		t.Fatal(err)
	}
	p.do("open the fault's page", chromedp.Navigate(srv.URL+"/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1"),
		chromedp.WaitVisible(chromedp.CSS("#p")), chromedp.Sleep(500*time.Millisecond))
	ctx := p.ctx
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.title"))
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#p")?.textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if text != "a vendor page" {
		t.Fatalf("the page did not render: %q", text)
	}
	if title != "untouched" {
		t.Errorf("the fault's script ran in offboard's origin: title %q", title)
	}
}
