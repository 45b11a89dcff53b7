// Command recordbench measures `offboard record` on a big tenant: it
// builds offboard, serves a world of --users more users in every vendor
// (scenariotest.BigWorld), records each vendor on its own with the built
// binary, and prints README's table: users a second and record's peak
// memory per vendor, with the date and commit. Linux only (it reads the
// child's rusage). Usage: go run ./scripts/recordbench [--users 50000]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/offboard/offboard/scenarios/scenariotest"
	"github.com/offboard/offboard/testsuite"
)

func main() {
	users := flag.Int("users", 50_000, "users added to every vendor of the default scenario")
	flag.Parse()
	dir, err := os.MkdirTemp("", "offboard-recordbench")
	check(err)
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "offboard")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/offboard")
	build.Stderr = os.Stderr
	check(build.Run())
	world, err := scenariotest.BigWorld(*users)
	check(err)
	worldFile := filepath.Join(dir, "world.yaml")
	check(os.WriteFile(worldFile, world, 0o600))
	var log bytes.Buffer
	serve := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--scenario", worldFile, "--log-level", "info")
	serve.Stderr = &log
	check(serve.Start())
	defer func() { _ = serve.Process.Kill(); _, _ = serve.Process.Wait() }()
	base, err := waitAddr(&log)
	check(err)
	varsFile := filepath.Join(dir, "vars.yaml")
	check(writeVars(bin, varsFile))
	commit, _ := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	fmt.Printf("offboard record on %d users a vendor, %s, commit %s (go run ./scripts/recordbench --users %d)\n\n",
		*users, time.Now().UTC().Format("2006-01-02"), strings.TrimSpace(string(commit)), *users)
	fmt.Println("| vendor | calls | seconds | users a second | record's peak memory | recording |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, v := range []string{"arcgis", "commvault", "huawei", "onedata", "securid"} {
		check(recordOne(bin, base, varsFile, filepath.Join(dir, v+".yaml"), v, *users))
	}
}

// recordOne records one vendor and prints its row.
func recordOne(bin, base, vars, out, vendor string, users int) error {
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "record", "--target", base, "--vars", vars, "--vendor", vendor, "-o", out)
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	// rusage's maxrss would count the parent's pages the child shared
	// before exec: read the child's own high-water mark while it runs.
	peak := make(chan string, 1)
	go func() {
		last := ""
		for {
			if v := vmHWM(cmd.Process.Pid); v != "" {
				last = v
			} else {
				peak <- last
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("record %s: %v\n%s", vendor, err, stderr.String())
	}
	took := time.Since(start)
	calls := "?"
	if m := regexp.MustCompile(`\((\d+) calls\)`).FindStringSubmatch(stderr.String()); m != nil {
		calls = m[1]
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Printf("| %s | %s | %.1f | %.0f | %s | %d MB |\n", vendor, calls, took.Seconds(), float64(users)/took.Seconds(),
		<-peak, st.Size()>>20)
	return nil
}

// writeVars writes the cases' emulator values, with a SecurID bearer the
// world's key signs, as the vars record reads the world with.
func writeVars(bin, file string) error {
	suites, err := testsuite.Load()
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, s := range suites {
		for name, v := range s.Vars {
			if v.Default != "" && !v.Pool {
				fmt.Fprintf(&b, "%s: %q\n", name, v.Default)
			}
		}
	}
	tok, err := exec.Command(bin, "token", "securid").Output()
	if err != nil {
		return fmt.Errorf("offboard token securid: %w", err)
	}
	fmt.Fprintf(&b, "securid.bearer: %q\n", strings.TrimSpace(strings.TrimPrefix(string(tok), "Authorization: ")))
	return os.WriteFile(file, []byte(b.String()), 0o600)
}

// vmHWM is a live process's peak resident memory, "" once it is gone.
func vmHWM(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ""
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		return "" // a zombie: it has exited
	}
	kb, err := strconv.Atoi(string(m[1]))
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d MB", kb>>10)
}

var addrRE = regexp.MustCompile(`addr=(http://[0-9.:]+)`)

func waitAddr(log *bytes.Buffer) (string, error) {
	for range 1200 {
		if m := addrRE.FindStringSubmatch(log.String()); m != nil {
			return m[1], nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", fmt.Errorf("the server did not start: %s", log.String())
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "recordbench:", err)
		os.Exit(1)
	}
}
