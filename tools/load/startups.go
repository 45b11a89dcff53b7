package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// measureStartups starts the binary n times, one after another (and the
// baseline, when given, alternately with it), and prints the median,
// fastest and slowest time from exec to its first 200 on /__admin/health.
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

// startOnce starts a binary on a free port and times its first answer.
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
	err = waitHealthy(base, 10*time.Second)
	took := time.Since(start)
	_ = cmd.Process.Kill()
	_, _ = cmd.Process.Wait()
	return took, err
}
