// Command load drives the five vendors' delete routes of a running offboard
// binary on loopback with wrk or vegeta, next to a bare net/http server
// answering the same requests in the same run, and prints requests/s, p50,
// p99, the ratio to the bare server, time to first answer and peak RSS.
// With --report it prints the tables README and docs/performance.md show.
//
// It is its own module so that the emulator's module carries no load
// generator. Run it through scripts/bench.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func main() {
	bin := flag.String("bin", "", "the offboard binary")
	duration := flag.Duration("duration", 5*time.Second, "how long to drive each route")
	conns := flag.Int("connections", 32, "concurrent connections")
	rate := flag.Int("rate", 5000, "requests/s of the fixed-rate phase, where latency is measured without saturating the CPU")
	rounds := flag.Int("rounds", 5, "alternate bare and offboard this many times per route; the median ratio is reported (a noisy machine drifts between slices)")
	only := flag.String("routes", "", "comma-separated vendors to drive (default: all five)")
	startups := flag.Int("startups", 0, "only measure start-up: start the binary this many times and print the median times from exec to the first vendor answer and to an answer from every vendor")
	baseline := flag.String("baseline", "", "with --startups: another binary, started alternately with --bin, so both see the same machine")
	sessions := flag.String("sessions", "", "only measure capacity: comma-separated session counts (e.g. 1,100,1000); for each, the memory the sessions hold and the requests/s spread over them")
	world := flag.Int("world", 0, "only measure the collector's tuning: serve a world of this many extra Onedata users under serve's tuning and under plain GOGC settings, alternating --rounds times")
	doReport := flag.Bool("report", false, "print the report README and docs/performance.md show: machine and commit, start-up (--startups, default 20), each seed route side by side with bare net/http (journal on and --journal-size 0), allocations a request, memory over --requests")
	driverName := flag.String("driver", "", "wrk or vegeta (default: wrk when it is on the PATH)")
	repo := flag.String("repo", ".", "with --report: the repository, for the commit and the allocation test")
	requests := flag.Int("requests", 1_000_000, "with --report: requests driven while memory is watched")
	flag.Parse()
	if *doReport {
		o := reportOptions{bin: *bin, repo: *repo, driver: *driverName, slice: *duration, rounds: *rounds, conns: *conns,
			startups: *startups, requests: *requests}
		if o.startups <= 0 {
			o.startups = 20
		}
		if err := report(o); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		return
	}
	if *world > 0 {
		if err := measureWorld(*bin, *world, *duration, *conns, *rounds); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		return
	}
	if *sessions != "" {
		var counts []int
		for _, f := range strings.Split(*sessions, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				fmt.Fprintf(os.Stderr, "load: --sessions: %q is not a count\n", f)
				os.Exit(2)
			}
			counts = append(counts, n)
		}
		if err := measureSessions(*bin, counts, *duration, *conns); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		return
	}
	if *startups > 0 {
		if err := measureStartups(*bin, *baseline, *startups); err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*bin, *driverName, *duration, *conns, *rate, *rounds, *only); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// The seed's Authtoken and token, as the default scenario holds them.
const (
	commvaultToken = "QSDK 38568012f4d1e8ee1841d283a47aa3ba78e124ea58354b5fc60f4dab8a63347d05cf5552484dafda3bfa4c5db84e580b1cb37bcf8e65b39f7f8549a443e6f78a2c7be3f31b3d845e24776c835e498e8e883bb40c46bd15af4f40ca94e823acedcdd4e9659e74b34a07a85c4586cd2ed914b6dce015874783ef768fda78183a4208930954a377f66eb56c8b92cexampl4s437a19317ca6ce7f3233d5a01aca35dbad93468b833f2cf71010809006a937670adce711ca8be46638e8"
	arcgisToken    = "PuuxoDV8HzHD1GxXUDpgHDeItErtl9Wr6rbULdhXHVUnGsjZ2hI1j1cPmnDEN1UnUfDqrNr2AuviTe5OkBumXsPlwSCrKw_ZVM1vczv2ziRESyz2PEAAhfsf71EyKIEGe7wW1z7hN_aLIjTekcdUbs-xtUAMZjEKHDRxT85NlfWqQghOy6o5XE54P8nnmdhllY6IfdtqeRtOYfFLoCBGCmOFV8diNVk4CxW3MMnzelDAGuRpN-Bru-vcYTY-7Or9"
)

// target is one vendor's seed delete request.
type target struct {
	vendor string
	req    vegeta.Target
}

func targets(base, securidBearer string) []target {
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	return []target{
		{"arcgis", vegeta.Target{Method: "POST", URL: base + "/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace",
			Header: h("Content-Type", "application/x-www-form-urlencoded"), Body: []byte("userName=gis_joe&f=json&token=" + arcgisToken)}},
		{"commvault", vegeta.Target{Method: "DELETE", URL: base + "/webconsole/api/User/byName(userName='jsmith')?newUserId=byName(userName='kjones')&newUserGroupId=byName(userGroupName='')",
			Header: h("Accept", "application/xml", "Authtoken", commvaultToken)}},
		{"huawei", vegeta.Target{Method: "POST", URL: base + "/v2/demo-project/demo-workspace/delete-users",
			Header: h("Content-Type", "application/json", "X-Auth-Token", "demo-token"), Body: []byte(`{"user_ids":["2d032145d82546b5b83cd7a6fd7d0afc"]}`)}},
		{"onedata", vegeta.Target{Method: "DELETE", URL: base + "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1",
			Header: h("Authorization", "Basic YWRtaW46cGFzc3dvcmQ=")}},
		{"securid", vegeta.Target{Method: "DELETE", URL: base + "/AdminInterface/restapi/v1/users/eb2e12ae-1112-451b-98e1-dfe4e6afd60d",
			Header: h("Authorization", securidBearer)}},
	}
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errs     int
}

func attack(t vegeta.Target, duration time.Duration, conns, rate int) result {
	// Each attack brings its own transport and closes its connections at
	// the end: left open, every slice's 32 idle connections would pile up
	// in the servers (hundreds of idle goroutines whose stacks each garbage
	// collection scans), slowing later routes for no reason of their own.
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		DialContext: (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	atk := vegeta.NewAttacker(vegeta.Client(&http.Client{Transport: tr, Timeout: 5 * time.Second}),
		vegeta.Workers(uint64(conns)), vegeta.MaxWorkers(uint64(conns)))
	var m vegeta.Metrics
	for res := range atk.Attack(vegeta.NewStaticTargeter(t), vegeta.Rate{Freq: rate, Per: time.Second}, duration, "load") {
		m.Add(res)
	}
	m.Close()
	errs := 0
	for code, n := range m.StatusCodes {
		if code == "0" {
			errs += n
		}
	}
	return result{rps: m.Rate, p50: m.Latencies.P50, p99: m.Latencies.P99, errs: errs}
}

// bare answers every request with a fixed small JSON body: the ceiling.
func bare() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	body := []byte(`{"status":"success"}`)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

func run(bin, driverName string, duration time.Duration, conns, rate, rounds int, only string) error {
	if bin == "" {
		return errors.New("give --bin PATH")
	}
	name, drive, err := pickDriver(driverName)
	if err != nil {
		return err
	}
	bin, _ = filepath.Abs(bin)
	cmd, base, ready, err := startEmulator(bin)
	if err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }()
	out, err := exec.Command(bin, "token", "securid").Output()
	if err != nil {
		return fmt.Errorf("offboard token securid: %w", err)
	}
	bearer := strings.TrimSpace(strings.TrimPrefix(string(out), "Authorization: "))
	bareURL, stop, err := bare()
	if err != nil {
		return err
	}
	defer stop()
	var chosen []target
	for _, t := range targets(base, bearer) {
		if only == "" || slices.Contains(strings.Split(only, ","), t.vendor) {
			chosen = append(chosen, t)
		}
	}
	if len(chosen) == 0 {
		return fmt.Errorf("--routes %q names none of arcgis, commvault, huawei, onedata, securid", only)
	}
	rounds = max(rounds, 1)
	fmt.Printf("offboard load run (%s): %d connections, %s per route in %d alternating rounds, GOMAXPROCS of the emulator = its default\n", name, conns, duration, rounds)
	fmt.Printf("first answer after start (exec to 200 on /__admin/health): %s\n", ready.Round(time.Millisecond))
	fmt.Printf("RSS after start: %s\n", rss(cmd.Process.Pid, "VmRSS"))
	total := saturated(drive, chosen, base, bareURL, duration, conns, rounds)
	total += fixedRate(chosen, base, bareURL, duration, conns, rate)
	fmt.Printf("\nrequests served by offboard: %.0f\n", total)
	fmt.Printf("RSS now: %s; peak RSS: %s\n", rss(cmd.Process.Pid, "VmRSS"), rss(cmd.Process.Pid, "VmHWM"))
	stopGracefully(cmd)
	return nil
}

// startEmulator starts offboard on a free loopback port and waits until
// it answers; ready is how long that took.
func startEmulator(bin string, extra ...string) (cmd *exec.Cmd, base string, ready time.Duration, err error) {
	port, err := freePort()
	if err != nil {
		return nil, "", 0, err
	}
	base = "http://127.0.0.1:" + strconv.Itoa(port)
	start := time.Now()
	cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:" + strconv.Itoa(port), "--log-level", "error"}, extra...)...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, "", 0, err
	}
	if err := waitHealthy(base, 10*time.Second); err != nil {
		_ = cmd.Process.Kill()
		return nil, "", 0, err
	}
	return cmd, base, time.Since(start), nil
}

// saturated drives each route as fast as it answers, bare and offboard
// alternating in short slices, and prints each route's medians; it
// returns how many requests offboard served.
func saturated(drive driver, chosen []target, base, bareURL string, duration time.Duration, conns, rounds int) float64 {
	fmt.Printf("\n%-10s %12s %10s %10s %12s %10s %10s %8s\n", "route", "offboard/s", "p50", "p99", "bare/s", "bare p50", "bare p99", "ratio")
	var total float64
	for _, t := range chosen {
		b := t.req
		b.URL = bareURL + b.URL[len(base):]
		// Bare and offboard alternate in short slices, so that both see the
		// same machine; each round gives a ratio, and the median is kept.
		var rbs, ros []result
		var ratios []float64
		slice := duration / time.Duration(rounds)
		for range rounds {
			rb := drive(b, slice, conns, 0)
			ro := drive(t.req, slice, conns, 0)
			rbs, ros = append(rbs, rb), append(ros, ro)
			ratios = append(ratios, ro.rps/rb.rps)
			total += ro.rps * slice.Seconds()
		}
		rb, ro := medianResult(rbs), medianResult(ros)
		fmt.Printf("%-10s %12.0f %10s %10s %12.0f %10s %10s %7.0f%%   (rounds: %s)\n", t.vendor, ro.rps, ro.p50.Round(time.Microsecond), ro.p99.Round(time.Microsecond),
			rb.rps, rb.p50.Round(time.Microsecond), rb.p99.Round(time.Microsecond), 100*median(ratios), percents(ratios))
		if ro.errs+rb.errs > 0 {
			fmt.Printf("           transport errors: offboard %d, bare %d\n", ro.errs, rb.errs)
		}
	}
	return total
}

// fixedRate drives each route at rate requests a second, for latency
// without saturation; it returns how many requests offboard served.
func fixedRate(chosen []target, base, bareURL string, duration time.Duration, conns, rate int) float64 {
	fmt.Printf("\nat a fixed %d requests/s over %d connections (latency without saturation):\n", rate, conns)
	fmt.Printf("%-10s %10s %10s %10s %10s\n", "route", "p50", "p99", "bare p50", "bare p99")
	var total float64
	for _, t := range chosen {
		b := t.req
		b.URL = bareURL + b.URL[len(base):]
		rb := attack(b, duration, conns, rate)
		ro := attack(t.req, duration, conns, rate)
		total += float64(rate) * duration.Seconds()
		fmt.Printf("%-10s %10s %10s %10s %10s\n", t.vendor, ro.p50.Round(time.Microsecond), ro.p99.Round(time.Microsecond),
			rb.p50.Round(time.Microsecond), rb.p99.Round(time.Microsecond))
	}
	return total
}

// stopGracefully sends SIGINT and reports how the emulator exited.
func stopGracefully(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(os.Interrupt)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		fmt.Printf("shutdown: %v\n", exitText(err))
	case <-ctx.Done():
		fmt.Println("shutdown: timed out")
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// medianResult is the result of the round with the median throughput.
func medianResult(rs []result) result {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b result) int { return cmp.Compare(a.rps, b.rps) })
	return s[len(s)/2]
}

func percents(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.0f", 100*x)
	}
	return strings.Join(parts, " ")
}

func exitText(err error) string {
	if err == nil {
		return "exit 0"
	}
	return err.Error()
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitHealthy(base string, limit time.Duration) error {
	start := time.Now()
	client := &http.Client{Timeout: time.Second}
	for time.Since(start) < limit {
		resp, err := client.Get(base + "/__admin/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(500 * time.Microsecond)
	}
	return errors.New("the emulator did not answer its health check")
}

// rss reads a memory figure of a process from /proc (Linux).
func rss(pid int, field string) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "n/a"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "n/a"
}
