package console_test

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// drive sends requests at rate per second for d, as many at once as it
// takes (up to 64), and reports how many were answered.
func drive(t *testing.T, url string, header http.Header, rate int, d time.Duration) int {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	var answered atomic.Int64
	var wg sync.WaitGroup
	slots := make(chan struct{}, 64)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	end := time.After(d)
	for done := false; !done; {
		select {
		case <-end:
			done = true
		case <-tick.C:
			select {
			case slots <- struct{}{}:
			default:
				continue // all busy: this tick's request is skipped, and counted out
			}
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done() }()
				req, _ := http.NewRequest(http.MethodGet, url, nil)
				req.Header = header
				resp, err := client.Do(req)
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				answered.Add(1)
			}()
		}
	}
	wg.Wait()
	return int(answered.Load())
}

// TestConsoleKeepsUpAt1000RequestsASecond opens the journal in Chromium
// and sends it 1,000 requests a second for five seconds (issue 23: at 100
// a second the page froze for 22 s, every event redrawing all 1,000
// rows). The page draws at most once per frame and only the new rows:
// the table is rebuilt whole only when it first opens, each entry is drawn
// once, the newest request shows as soon as the load ends, and the page
// answers a click throughout.
func TestConsoleKeepsUpAt1000RequestsASecond(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser and sends 5,000 requests")
	}
	if raceOn {
		// Beside every other package of the race suite it made 190 a
		// second: too few for what the test is about.
		t.Skip("the race detector's build cannot make 1,000 requests a second; CI runs this without it (.ci/run)")
	}
	p := newPage(t)
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	ctx := p.ctx
	eval := func(js string) string { t.Helper(); return p.eval(js, js) }
	p.do("open the journal", chromedp.Navigate(srv.URL+"/__admin/ui/#journal"), chromedp.WaitVisible(chromedp.CSS("#journal")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#live")?.textContent === "live"`, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatal("the journal never went live:", err)
	}
	// The page's responsiveness: the longest gap between timer ticks
	// meant to come every 20 ms, while the load runs.
	eval(`(() => { window.lag = {max: 0, last: performance.now()};
  setInterval(() => { const now = performance.now(); lag.max = Math.max(lag.max, now - lag.last); lag.last = now; }, 20);
  return "ok"; })()`)

	header := http.Header{"X-Auth-Token": {"onedata-admin-token"}}
	start := time.Now()
	sent := drive(t, srv.URL+"/api/v3/onezone/users", header, 1000, 5*time.Second)
	took := time.Since(start)
	t.Logf("%d requests answered in %v (%.0f/s)", sent, took.Round(time.Millisecond), float64(sent)/took.Seconds())
	// 1,000 a second are asked; without the race detector two cores
	// answer them. The checks below hold at any rate; below 600 a second
	// (six times what froze the old page) the run would prove too little.
	if sent < 3000 {
		t.Fatalf("only %d requests answered in %v: the machine could not make the load this test is about", sent, took)
	}

	// The newest request shows.
	newest := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/requests?limit=1"})
	var j struct {
		Requests []struct {
			Seq int `json:"seq"`
		} `json:"requests"`
	}
	if err := json.Unmarshal(newest.Body, &j); err != nil || len(j.Requests) != 1 {
		t.Fatalf("the journal: %v %s", err, newest.Body)
	}
	want := j.Requests[0].Seq
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`Number((document.querySelector("#journal tbody tr") || {dataset: {}}).dataset.seq) >= `+jsInt(want),
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the newest request (#%d) never showed: %v", want, err)
	}

	var got struct {
		Frames, Rebuilds, RowsAdded, Rows int
		Lag                               float64
	}
	raw := eval(`JSON.stringify({Frames: offboardConsoleStats.frames, Rebuilds: offboardConsoleStats.rebuilds,
  RowsAdded: offboardConsoleStats.rowsAdded, Rows: document.querySelectorAll("#journal tbody tr").length, Lag: lag.max})`)
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err, raw)
	}
	t.Logf("console: %+v", got)
	if got.Rows != 1000 {
		t.Errorf("%d rows shown; the journal keeps 1,000", got.Rows)
	}
	if got.Rebuilds > 2 {
		t.Errorf("the table was rebuilt %d times under load; it should only append", got.Rebuilds)
	}
	if got.RowsAdded > sent+1000 {
		t.Errorf("%d rows drawn for %d requests: entries are drawn more than once", got.RowsAdded, sent)
	}
	// Drawing at most once an animation frame (60 a second) gives at most
	// about 70 redraws a second of the run; the old page redrew once an
	// entry, 1,500 and more here.
	if bound := int(70 * (took.Seconds() + 2)); got.Frames > bound {
		t.Errorf("%d redraws in %v for %d requests: more than one an animation frame (at most %d)", got.Frames, took.Round(time.Millisecond), sent, bound)
	}
	// Far from a timing test: the old page, redrawing everything per
	// event, fell behind for good (41 s at 800 a second, and at the 380
	// a second of a loaded CI machine still tens of seconds); the new one
	// stalls well under a second here, 1.6 s in a CI run with every test
	// package racing it for two cores.
	if got.Lag > 10000 {
		t.Errorf("the page stopped responding for %.0f ms under load", got.Lag)
	}
}

func jsInt(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
