package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// reportOptions are what the report measures with.
type reportOptions struct {
	bin, repo, driver string
	slice             time.Duration // one round of one server on one route
	rounds, conns     int
	startups          int
	requests          int // driven to watch memory
}

// report prints the tables README and docs/performance.md show, each
// figure from this one run: the machine and commit, start-up, every seed
// route side by side with a bare net/http server (journal on and off),
// the allocations a request and the memory over many requests.
func report(o reportOptions) error {
	name, drive, err := pickDriver(o.driver)
	if err != nil {
		return err
	}
	fmt.Printf("## offboard performance report\n\n%s\n\n", machine(o.repo, name))
	if err := reportStartups(o.bin, o.startups); err != nil {
		return err
	}
	if err := reportSideBySide(o, name, drive); err != nil {
		return err
	}
	if err := reportAllocations(o.repo); err != nil {
		return err
	}
	return reportMemory(o, drive)
}

// machine names the date, the commit, the processor, its cores and Go.
func machine(repo, driver string) string {
	commit := "unknown"
	if out, err := exec.Command("git", "-C", repo, "rev-parse", "--short", "HEAD").Output(); err == nil {
		commit = strings.TrimSpace(string(out))
		if st, err := exec.Command("git", "-C", repo, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
			commit += " with uncommitted changes"
		}
	}
	cpu := "unknown processor"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`(?m)^model name\s*:\s*(.+)$`).FindSubmatch(b); m != nil {
			cpu = string(m[1])
		}
	}
	return fmt.Sprintf("Measured %s at commit %s on %s, %d cores, %s; load by %s on the same machine.",
		time.Now().UTC().Format("2006-01-02"), commit, cpu, runtime.NumCPU(), runtime.Version(), driver)
}

func reportStartups(bin string, n int) error {
	var took startups
	for range n {
		s, err := startOnce(bin)
		if err != nil {
			return err
		}
		took = append(took, s)
	}
	fmt.Printf("Start-up, median of %d starts: exec to the first vendor answer (GET %s) %s; "+
		"to an answer from every vendor (the five seed requests, sent together after that first answer) %s\n\n",
		n, firstVendorAnswer, took.summary(firstOf), took.summary(everyOf))
	return nil
}

// reportSideBySide drives each seed route against the bare server,
// offboard as served by default and offboard with --journal-size 0, the
// three alternating slice by slice; each round gives two ratios and the
// medians are printed.
func reportSideBySide(o reportOptions, driverName string, drive driver) error {
	full, err := newServed(o.bin)
	if err != nil {
		return err
	}
	defer full.stop()
	light, err := newServed(o.bin, "--journal-size", "0")
	if err != nil {
		return err
	}
	defer light.stop()
	bareURL, stopBare, err := bare()
	if err != nil {
		return err
	}
	defer stopBare()
	fmt.Printf("Each seed route against a bare net/http server answering a fixed JSON body (%s, %d connections, %d alternating rounds of %s each; medians):\n\n",
		driverName, o.conns, o.rounds, o.slice)
	fmt.Println("| route | bare req/s | offboard req/s | ratio | rounds | --journal-size 0 req/s | ratio |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for i, t := range targets(full.base, full.bearer) {
		lt := targets(light.base, light.bearer)[i]
		b := t.req
		b.URL = bareURL + b.URL[len(full.base):]
		var bs, fs, ls, rf, rl []float64
		for range o.rounds {
			rb, rfull, rlight := drive(b, o.slice, o.conns, 0), drive(t.req, o.slice, o.conns, 0), drive(lt.req, o.slice, o.conns, 0)
			bs, fs, ls = append(bs, rb.rps), append(fs, rfull.rps), append(ls, rlight.rps)
			rf, rl = append(rf, rfull.rps/rb.rps), append(rl, rlight.rps/rb.rps)
		}
		fmt.Printf("| %s | %s | %s | %.2f | %s | %s | %.2f |\n", t.vendor, thousands(median(bs)), thousands(median(fs)), median(rf),
			hundredths(rf), thousands(median(ls)), median(rl))
	}
	fmt.Println()
	return nil
}

// served is an offboard binary serving on loopback, with the SecurID
// bearer its default scenario accepts.
type served struct {
	cmd          *exec.Cmd
	base, bearer string
}

func newServed(bin string, extra ...string) (*served, error) {
	cmd, base, _, err := startEmulator(bin, extra...)
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(bin, "token", "securid", "--url", base).Output()
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("offboard token securid: %w", err)
	}
	return &served{cmd: cmd, base: base, bearer: strings.TrimSpace(strings.TrimPrefix(string(out), "Authorization: "))}, nil
}

func (s *served) stop() { _ = s.cmd.Process.Kill(); _, _ = s.cmd.Process.Wait() }

// reportAllocations runs the test that holds the seed routes'
// allocations to their bounds (without the race detector) and prints what
// it measured.
func reportAllocations(repo string) error {
	cmd := exec.Command("go", "test", "-count=1", "-run", "^TestSeedRouteAllocationsAreBounded$", "-v", "./emulator")
	cmd.Dir = repo
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("TestSeedRouteAllocationsAreBounded: %v\n%s", err, out)
	}
	re := regexp.MustCompile(`(\w+): (\d+) allocations a request, bound (\d+)`)
	fmt.Println("Allocations a request on each seed route, journal, outcomes and change recording on (TestSeedRouteAllocationsAreBounded, the request and recorder it builds included):")
	fmt.Println()
	fmt.Println("| route | allocations | bound |")
	fmt.Println("|---|---|---|")
	sc := bufio.NewScanner(bytes.NewReader(out))
	n := 0
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			fmt.Printf("| %s | %s | %s |\n", m[1], m[2], m[3])
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("TestSeedRouteAllocationsAreBounded printed no figures:\n%s", out)
	}
	fmt.Println()
	return nil
}

// reportMemory drives the five routes in turn, slice after slice, until
// offboard has answered o.requests, and prints its resident memory along
// the way: flat means the journal's ring and the sessions bound it.
func reportMemory(o reportOptions, drive driver) error {
	s, err := newServed(o.bin)
	if err != nil {
		return err
	}
	defer s.stop()
	pid := s.cmd.Process.Pid
	fmt.Printf("Resident memory while offboard answers %s requests (the five routes in turn):\n\n", thousands(float64(o.requests)))
	fmt.Println("| requests answered | RSS |")
	fmt.Println("|---|---|")
	fmt.Printf("| 0 | %s |\n", rss(pid, "VmRSS"))
	ts := targets(s.base, s.bearer)
	done, next := 0.0, float64(o.requests)/5
	for i := 0; done < float64(o.requests); i++ {
		r := drive(ts[i%len(ts)].req, 2*time.Second, o.conns, 0)
		if r.rps == 0 {
			return fmt.Errorf("%s answered nothing", ts[i%len(ts)].vendor)
		}
		done += r.rps * 2
		if done >= next {
			fmt.Printf("| %s | %s |\n", thousands(done), rss(pid, "VmRSS"))
			next += float64(o.requests) / 5
		}
	}
	fmt.Printf("\nPeak RSS: %s\n", rss(pid, "VmHWM"))
	return nil
}

// thousands writes a count rounded, with thousands separated by commas.
func thousands(x float64) string {
	s := strconv.FormatInt(int64(x+0.5), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func hundredths(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 2, 64)
	}
	return strings.Join(parts, " ")
}
