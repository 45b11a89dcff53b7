package control

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator/engine"
	"github.com/offboard/offboard/emulator/journal"
)

// stuckStream opens a journal stream and reads no more than its status
// line; ok tells it was let in (200).
func stuckStream(t *testing.T, addr string) (c net.Conn, ok bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.(*net.TCPConn).SetReadBuffer(1024)
	fmt.Fprintf(c, "GET /__admin/requests/stream HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	t.Cleanup(func() { c.Close() })
	// Read the status line only: the stream holds its place from then on
	// (a probe for a free place must not race the stuck streams for them),
	// and nothing more is read.
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	status := make([]byte, len("HTTP/1.1 200"))
	if _, err := io.ReadFull(c, status); err != nil {
		t.Fatalf("a stuck stream got no answer: %v", err)
	}
	_ = c.SetReadDeadline(time.Time{})
	return c, string(status) == "HTTP/1.1 200"
}

// TestStuckStreamsLoseTheirPlaces: streams whose readers stop reading are
// closed once a write blocks past the timeout, so their places free up
// for new streams; and a shutdown ends a stuck stream at once (issue 23:
// one kept its slot 40 s and more, and SIGTERM waited the whole timeout).
func TestStuckStreamsLoseTheirPlaces(t *testing.T) {
	eng, err := engine.New(engine.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctl := New(eng, Options{StreamWriteTimeout: 200 * time.Millisecond})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if IsControlPath(r.URL.Path) {
			ctl.ServeHTTP(w, r)
			return
		}
		eng.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close) // after the stuck clients' own cleanups close them
	addr := strings.TrimPrefix(srv.URL, "http://")
	for range journal.MaxSubscriptions {
		if _, ok := stuckStream(t, addr); !ok {
			t.Fatal("a stuck stream was refused before every place was taken")
		}
	}
	full := func() bool {
		resp, err := http.Get(srv.URL + "/__admin/requests/stream")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusTooManyRequests
	}
	deadline := time.Now().Add(15 * time.Second)
	for !full() {
		if time.Now().After(deadline) {
			t.Fatal("the stuck streams never took every place")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Big answers fill the stuck streams' buffers until their writes block.
	big := strings.Repeat("x", 4000)
	for time.Now().Before(deadline) && full() {
		for range 50 {
			req := httptest.NewRequest("POST", "/api/v3/onezone/users", strings.NewReader(`{"username":"`+big+`"}`))
			req.Header.Set("Content-Type", "application/json")
			eng.ServeHTTP(httptest.NewRecorder(), req)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if full() {
		t.Fatal("stuck streams kept their places")
	}

	// One more stuck stream (once a freed place is let go by the probe
	// that found it), then a shutdown: it ends at once.
	var c net.Conn
	for {
		var ok bool
		if c, ok = stuckStream(t, addr); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no stream was let in after the stuck ones lost their places")
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
	r := bufio.NewReader(c)
	start := time.Now()
	eng.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		line, err := r.ReadString('\n')
		if err != nil || line == "0\r\n" {
			break // the server ended the stream (its last chunk, or the connection)
		}
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the stream outlived the shutdown by %s", took)
	}
}
