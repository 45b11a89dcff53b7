package main

import (
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// measureStartups starts the binary n times, one after another (and the
// baseline, when given, alternately with it), and prints the median,
// fastest and slowest time from exec to its first vendor answer.
func measureStartups(bin, baseline string, n int) error {
	bins := []string{bin}
	if baseline != "" {
		bins = append(bins, baseline)
	}
	took := make([][]time.Duration, len(bins))
	for range n {
		for i, b := range bins {
			d, err := startOnce(b)
			if err != nil {
				return err
			}
			took[i] = append(took[i], d)
		}
	}
	for i, b := range bins {
		t := took[i]
		slices.Sort(t)
		fmt.Printf("%s: start to first answer over %d starts: median %s, fastest %s, slowest %s\n", filepath.Base(b), n,
			t[n/2].Round(100*time.Microsecond), t[0].Round(100*time.Microsecond), t[n-1].Round(100*time.Microsecond))
	}
	if baseline != "" {
		fmt.Printf("ratio of medians: %.2f\n", float64(took[0][n/2])/float64(took[1][n/2]))
	}
	return nil
}

// firstVendorAnswer is what start-up is timed to: the first answer of a
// vendor route (Onezone's user list, as the default scenario's admin),
// which is what a client waits for; the control API's router is built
// beside it.
const firstVendorAnswer = "/api/v3/onezone/users"

// startOnce starts a binary on a free port and times its first vendor
// answer.
func startOnce(bin string) (time.Duration, error) {
	bin, _ = filepath.Abs(bin)
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	start := time.Now()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port), "--log-level", "error")
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	err = waitAnswer(base+firstVendorAnswer, 10*time.Second)
	took := time.Since(start)
	_ = cmd.Process.Kill()
	_, _ = cmd.Process.Wait()
	return took, err
}

// waitAnswer polls a vendor route, as the default scenario's Onezone
// admin, until it answers 200.
func waitAnswer(url string, limit time.Duration) error {
	start := time.Now()
	client := &http.Client{Timeout: time.Second}
	for time.Since(start) < limit {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.SetBasicAuth("admin", "password")
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(500 * time.Microsecond)
	}
	return fmt.Errorf("%s did not answer 200 within %s", url, limit)
}
