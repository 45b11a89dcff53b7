package emulator_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// readEvent reads the next "event: request" of a stream.
func readEvent(t *testing.T, sc *bufio.Scanner) emulator.Entry {
	t.Helper()
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "request":
			var en emulator.Entry
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &en); err != nil {
				t.Fatal(err)
			}
			return en
		}
	}
	t.Fatalf("the stream ended: %v", sc.Err())
	return emulator.Entry{}
}

// TestRequestStream: each request shows up on the live journal as it is
// answered, with its response, filtered as the journal is; a reconnecting
// client replays what it missed (issue 12).
func TestRequestStream(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	srv.Do(t, delJoe(nil)) // before the stream: replayed with since=0
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/__admin/requests/stream?vendor=onedata&since=0", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	if first := readEvent(t, sc); first.Seq != 1 || first.Status != 204 {
		t.Fatalf("replayed: %+v", first)
	}
	// Another vendor's request is filtered out; the second delete comes live.
	srv.Do(t, emulatortest.Request{Method: "POST", Path: "/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace", Body: "f=json"})
	srv.Do(t, delJoe(nil))
	live := readEvent(t, sc)
	if live.Vendor != "onedata" || live.Status != 404 || live.Response.Status != 404 || !strings.Contains(live.Response.Body, "notFound") {
		t.Fatalf("live: %+v", live)
	}

	// The number of open streams is bounded.
	var open []*http.Response
	defer func() {
		for _, r := range open {
			r.Body.Close()
		}
	}()
	refused := false
	for range 40 {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/__admin/requests/stream", nil)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, r)
		if r.StatusCode == http.StatusTooManyRequests {
			refused = true
			break
		}
	}
	if !refused {
		t.Error("40 streams were all accepted")
	}
}
