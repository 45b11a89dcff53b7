package main

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// measureSessions answers "how many test jobs can one instance hold": for
// each count it starts the binary, gives that many sessions a world of
// their own (each deletes the seed's Onedata user, so each holds its own
// copy of the vendor's state), reads the resident memory, then drives
// requests spread over every session (a list, a look-up and a delete of a
// user already gone, as a test's assertions would) for d, and prints
// requests/s and latency.
func measureSessions(bin string, counts []int, d time.Duration, conns int) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	fmt.Println("| sessions | RSS idle | RSS with the sessions | per session | requests/s | p50 | p99 | errors |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, n := range counts {
		if err := sessionsOnce(bin, n, d, conns); err != nil {
			return err
		}
	}
	return nil
}

const joe = "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1"

func sessionsOnce(bin string, n int, d time.Duration, conns int) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port), "--log-level", "error",
		"--max-sessions", strconv.Itoa(n+10), "--session-ttl", "0")
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }()
	if err := waitHealthy(base, 10*time.Second); err != nil {
		return err
	}
	idle := kb(rss(cmd.Process.Pid, "VmRSS"))

	// Every session makes its own world: one delete each.
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DialContext: (&net.Dialer{}).DialContext}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				req, _ := http.NewRequest(http.MethodDelete, base+joe, nil)
				req.Header.Set("Authorization", "Basic YWRtaW46cGFzc3dvcmQ=")
				req.Header.Set("X-Offboard-Session", "job-"+strconv.Itoa(i))
				resp, err := client.Do(req)
				if err != nil || resp.StatusCode != http.StatusNoContent {
					failed.Add(1)
				}
				if resp != nil {
					resp.Body.Close()
				}
			}
		}()
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		return fmt.Errorf("%d of %d sessions could not make their world", f, n)
	}
	loaded := kb(rss(cmd.Process.Pid, "VmRSS"))

	// Requests spread over every session.
	paths := []struct{ method, path string }{{"GET", "/api/v3/onezone/users"}, {"GET", joe}, {"DELETE", joe}}
	var k atomic.Uint64
	targeter := func(t *vegeta.Target) error {
		i := k.Add(1)
		p := paths[i%uint64(len(paths))]
		t.Method, t.URL = p.method, base+p.path
		t.Header = http.Header{"Authorization": {"Basic YWRtaW46cGFzc3dvcmQ="},
			"X-Offboard-Session": {"job-" + strconv.FormatUint(i%uint64(n), 10)}}
		return nil
	}
	atk := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(uint64(conns)), vegeta.MaxWorkers(uint64(conns)))
	var m vegeta.Metrics
	for res := range atk.Attack(targeter, vegeta.Rate{Freq: 0}, d, "sessions") {
		m.Add(res)
	}
	m.Close()
	errs := 0
	for code, c := range m.StatusCodes {
		if code == "0" || strings.HasPrefix(code, "5") {
			errs += c
		}
	}
	per := "n/a"
	if idle > 0 && loaded > 0 {
		per = fmt.Sprintf("%.1f KB", float64(loaded-idle)/float64(n))
	}
	fmt.Printf("| %d | %.1f MB | %.1f MB | %s | %.0f | %s | %s | %d |\n", n, float64(idle)/1024, float64(loaded)/1024, per,
		m.Rate, m.Latencies.P50.Round(10*time.Microsecond), m.Latencies.P99.Round(10*time.Microsecond), errs)
	return nil
}

// kb reads "1234 kB" as 1234; 0 when it cannot.
func kb(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(s, "kB")))
	return n
}
