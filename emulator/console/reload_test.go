package console_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// TestJournalDrawsEachEntryOnce: a QA engineer reloads the console while
// requests keep arriving (issue 32: the rows once read 31, 30, 29, 28, 30,
// 29, 28 after a page load met the stream). Whatever the order in which
// the page load and the stream deliver the entries, each is one row, in
// order, newest first.
func TestJournalDrawsEachEntryOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	p := newPage(t)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			drive(t, srv.URL+"/api/v3/onezone/users", http.Header{"Authorization": {basicAdmin}}, 150, 200*time.Millisecond)
		}
	}()
	defer func() { close(stop); <-done }()
	for i := range 12 {
		p.do("load the journal", chromedp.Navigate(srv.URL+"/__admin/ui/?reload="+strconv.Itoa(i)+"#journal"))
		p.wait("rows", `document.querySelectorAll("#journal tbody tr").length > 0`)
		// Let the stream deliver on top of what the load drew.
		time.Sleep(time.Duration(50+40*i) * time.Millisecond)
		got := p.eval("the rows", `(() => { const seqs = [...document.querySelectorAll("#journal tbody tr")].map(r => Number(r.dataset.seq));
			const dup = seqs.length - new Set(seqs).size;
			const sorted = seqs.every((s, j) => j === 0 || seqs[j-1] > s);
			return dup + " " + sorted; })()`)
		if got != "0 true" {
			t.Fatalf("load %d: duplicates and newest-first order: %s", i, got)
		}
	}
}
