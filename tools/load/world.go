package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// gcSetting is one way the emulator's collector runs: serve's own tuning
// (no GOGC or GOMEMLIMIT in the environment) or what the environment says.
type gcSetting struct {
	name string
	env  []string
}

var gcSettings = []gcSetting{
	{"serve's tuning", nil},
	{"GOGC=400, 24 MiB limit (serve's tuning before)", []string{"GOGC=400", "GOMEMLIMIT=24MiB"}},
	{"GOGC=400, no limit", []string{"GOGC=400", "GOMEMLIMIT=off"}},
	{"GOGC=100 (Go's default)", []string{"GOGC=100", "GOMEMLIMIT=off"}},
}

// measureWorld serves a world of n extra Onedata users under each GC
// setting in turn, rounds times, and prints the median requests/s of a
// user lookup and the peak RSS: what the collector's tuning costs once
// the live heap is larger than a small world's.
func measureWorld(bin string, n int, d time.Duration, conns, rounds int) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	file, err := writeWorld(n)
	if err != nil {
		return err
	}
	defer os.Remove(file)
	rps := make([][]float64, len(gcSettings))
	peak := make([]string, len(gcSettings))
	for range max(rounds, 1) {
		for i, s := range gcSettings {
			r, hwm, err := worldOnce(bin, file, s, d/time.Duration(max(rounds, 1)), conns)
			if err != nil {
				return err
			}
			rps[i] = append(rps[i], r)
			peak[i] = hwm
		}
	}
	fmt.Printf("a world of %d extra Onedata users, GET of one user, %d connections, %d alternating rounds\n", n, conns, rounds)
	fmt.Println("| collector | requests/s (median) | peak RSS |")
	fmt.Println("|---|---|---|")
	for i, s := range gcSettings {
		fmt.Printf("| %s | %.0f | %s |\n", s.name, median(rps[i]), peak[i])
	}
	return nil
}

// writeWorld writes a scenario extending default with n more Onedata
// users (the section replaces default's, so its users come again).
func writeWorld(n int) (string, error) {
	f, err := os.CreateTemp("", "offboard-world-*.yaml")
	if err != nil {
		return "", err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "name: big-world\nextends: default\nonedata:\n  users:")
	fmt.Fprintln(w, "    a5b469a2b0516b662a49da74d6d7d7bc: {username: admin, password: password, privileges: [oz_users_delete, oz_users_list, oz_users_view]}")
	fmt.Fprintln(w, "    a4d3bc73aada63052310652d421609f1: {username: joe, fullName: Joe Doe, emails: [joe@example.com]}")
	for i := range n {
		fmt.Fprintf(w, "    %032x: {username: user%d, fullName: User %d, emails: [user%d@example.com]}\n", i+1, i, i, i)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	return f.Name(), f.Close()
}

// worldOnce starts the emulator on the world under one GC setting and
// drives a lookup of joe for d.
func worldOnce(bin, file string, s gcSetting, d time.Duration, conns int) (float64, string, error) {
	port, err := freePort()
	if err != nil {
		return 0, "", err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port), "--log-level", "error", "--scenario", file)
	cmd.Env = append(os.Environ(), s.env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return 0, "", err
	}
	defer func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }()
	if err := waitHealthy(base, 60*time.Second); err != nil {
		return 0, "", err
	}
	t := vegeta.Target{Method: "GET", URL: base + joe, Header: http.Header{"Authorization": {"Basic YWRtaW46cGFzc3dvcmQ="}}}
	r := attack(t, d, conns, 0)
	if r.errs > 0 {
		return 0, "", fmt.Errorf("%s: %d transport errors", s.name, r.errs)
	}
	return r.rps, rss(cmd.Process.Pid, "VmHWM"), nil
}
