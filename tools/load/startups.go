package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// startup is one start's two times from exec: to the first vendor answer,
// and to an answer from every vendor.
type startup struct{ first, every time.Duration }

// startups are the times of n starts of one binary.
type startups []startup

// sorted is one of the two times of every start, shortest first.
func (s startups) sorted(pick func(startup) time.Duration) []time.Duration {
	t := make([]time.Duration, len(s))
	for i, x := range s {
		t[i] = pick(x)
	}
	slices.Sort(t)
	return t
}

// summary is "M (fastest F, slowest S)", M the median of one of the times.
func (s startups) summary(pick func(startup) time.Duration) string {
	t := s.sorted(pick)
	r := func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
	return fmt.Sprintf("%s (fastest %s, slowest %s)", r(t[len(t)/2]), r(t[0]), r(t[len(t)-1]))
}

func (s startups) median(pick func(startup) time.Duration) time.Duration {
	return s.sorted(pick)[len(s)/2]
}

func firstOf(s startup) time.Duration { return s.first }
func everyOf(s startup) time.Duration { return s.every }

// measureStartups starts the binary n times, one after another (and the
// baseline, when given, alternately with it), and prints the medians,
// fastest and slowest of both times.
func measureStartups(bin, baseline string, n int) error {
	bins := []string{bin}
	if baseline != "" {
		bins = append(bins, baseline)
	}
	took := make([]startups, len(bins))
	for range n {
		for i, b := range bins {
			s, err := startOnce(b)
			if err != nil {
				return err
			}
			took[i] = append(took[i], s)
		}
	}
	for i, b := range bins {
		fmt.Printf("%s over %d starts: to the first vendor answer %s; to an answer from every vendor %s\n",
			filepath.Base(b), n, took[i].summary(firstOf), took[i].summary(everyOf))
	}
	if baseline != "" {
		fmt.Printf("ratio of medians: first answer %.2f, every vendor %.2f\n",
			float64(took[0].median(firstOf))/float64(took[1].median(firstOf)),
			float64(took[0].median(everyOf))/float64(took[1].median(everyOf)))
	}
	return nil
}

// firstVendorAnswer is what start-up is timed to: the first answer of a
// vendor route (Onezone's user list, as the default scenario's admin),
// which is what a client waits for; the control API's router is built
// beside it.
const firstVendorAnswer = "/api/v3/onezone/users"

// startOnce starts a binary on a free port and times its first vendor
// answer, then its answers to every vendor's seed request, sent together
// as a suite's parallel tests would: each needs its vendor's spec parsed.
func startOnce(bin string) (startup, error) {
	bin, _ = filepath.Abs(bin)
	bearer, err := securidBearer(bin)
	if err != nil {
		return startup{}, err
	}
	port, err := freePort()
	if err != nil {
		return startup{}, err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	start := time.Now()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:"+strconv.Itoa(port), "--log-level", "error")
	if err := cmd.Start(); err != nil {
		return startup{}, err
	}
	defer func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() }()
	var s startup
	if err := waitAnswer(base+firstVendorAnswer, 10*time.Second); err != nil {
		return s, err
	}
	s.first = time.Since(start)
	if err := answerEvery(targets(base, bearer)); err != nil {
		return s, err
	}
	s.every = time.Since(start)
	return s, nil
}

// securidBearer is a SecurID bearer the default scenario accepts, made by
// the binary offline.
func securidBearer(bin string) (string, error) {
	out, err := exec.Command(bin, "token", "securid").Output()
	if err != nil {
		return "", fmt.Errorf("offboard token securid: %w", err)
	}
	return strings.TrimSpace(strings.TrimPrefix(string(out), "Authorization: ")), nil
}

// answerEvery sends every target at once and waits for all the answers;
// a 5xx or no answer is an error.
func answerEvery(ts []target) error {
	client := &http.Client{Timeout: 10 * time.Second}
	errs := make([]error, len(ts))
	var wg sync.WaitGroup
	for i, t := range ts {
		wg.Go(func() { errs[i] = answerOnce(client, t.req) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("%s: %w", ts[i].vendor, err)
		}
	}
	return nil
}

func answerOnce(client *http.Client, t vegeta.Target) error {
	req, err := http.NewRequest(t.Method, t.URL, bytes.NewReader(t.Body))
	if err != nil {
		return err
	}
	req.Header = t.Header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		return fmt.Errorf("%s %s answered %d", t.Method, t.URL, resp.StatusCode)
	}
	return nil
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
