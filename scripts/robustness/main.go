// Command robustness sends the fourth hardening round's attacks (issue
// 26) to a freshly built offboard, one server per attack, and prints the
// "after" column of README's robustness table: each attack's time and the
// server's peak memory, with the date and commit. Linux only (it reads
// /proc). Usage: go run ./scripts/robustness
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

const commvaultToken = "QSDK probe"

// attack is one hostile use of the server: a world to start from, what to
// send first, and the request whose cost is measured.
type attack struct {
	name     string
	scenario func() string
	journal  int
	prepare  func(base string) error
	measure  func(base string) error
}

func main() {
	dir, err := os.MkdirTemp("", "offboard-robustness")
	check(err)
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "offboard")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/offboard")
	build.Stderr = os.Stderr
	check(build.Run())
	commit, _ := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	fmt.Printf("robustness run of %s, commit %s (go run ./scripts/robustness)\n\n", time.Now().UTC().Format("2006-01-02"), strings.TrimSpace(string(commit)))
	fmt.Println("| attack | time | peak RSS of the server |")
	fmt.Println("|---|---|---|")
	for _, a := range attacks() {
		took, peak, err := run(bin, dir, a)
		if err != nil {
			fmt.Printf("| %s | failed: %v | |\n", a.name, err)
			continue
		}
		fmt.Printf("| %s | %s | %d MB |\n", a.name, took.Round(time.Millisecond), peak>>20)
	}
}

func attacks() []attack {
	repeat := func(s string, n int) string { return strings.Repeat(s, n/len(s)) }
	return []attack{
		{name: "Commvault description of 1,040,000 bytes of errorCode, then GET User/6", scenario: commvaultWorld(0, 0),
			prepare: func(base string) error {
				body, _ := json.Marshal(map[string]any{"users": []any{map[string]any{"description": repeat("errorCode", 1_040_000)}}})
				return send(base, "POST", "/webconsole/api/User/6", string(body), "Authtoken", commvaultToken, "Accept", "application/json", "Content-Type", "application/json")
			},
			measure: func(base string) error {
				return send(base, "GET", "/webconsole/api/User/6", "", "Authtoken", commvaultToken, "Accept", "application/json")
			}},
		{name: `a Huawei member named "is_success repeated (100 KB), then GET users`, scenario: func() string {
			name, _ := json.Marshal(repeat(`"is_success`, 100_000))
			return huaweiWorld(1, string(name))
		}, measure: func(base string) error {
			return send(base, "GET", "/v2/p/w/users?limit=100", "", "X-Auth-Token", "t")
		}},
		{name: "a fault body of repeated errorCode (200 KB, status 200)", scenario: commvaultWorld(0, 0),
			prepare: func(base string) error {
				body, _ := json.Marshal(map[string]any{"vendor": "commvault", "status": 200, "body": repeat("errorCode", 200_000)})
				return send(base, "POST", "/__admin/faults", string(body), "Content-Type", "application/json")
			},
			measure: func(base string) error {
				return send(base, "GET", "/webconsole/api/User", "", "Authtoken", commvaultToken)
			}},
		{name: "Huawei delete-users with 29,000 ids (1 MB)", scenario: func() string { return huaweiWorld(29_000, "") },
			measure: func(base string) error {
				ids := make([]string, 29_000)
				for i := range ids {
					ids[i] = fmt.Sprintf("%032x", i)
				}
				body, _ := json.Marshal(map[string]any{"user_ids": ids})
				return send(base, "POST", "/v2/p/w/delete-users", string(body), "X-Auth-Token", "t", "Content-Type", "application/json")
			}},
		{name: "a Commvault user owning 32,000 entities: delete", scenario: commvaultWorld(32_000, 0),
			measure: func(base string) error {
				return send(base, "DELETE", "/webconsole/api/User/6?newUserId=7&newUserGroupId=0", "", "Authtoken", commvaultToken, "Accept", "application/json")
			}},
		{name: "UserGroup ADD with 60,000 members", scenario: commvaultWorld(0, 60_000),
			measure: func(base string) error {
				users := make([]map[string]string, 60_000)
				for i := range users {
					users[i] = map[string]string{"userName": fmt.Sprint("u", i)}
				}
				body, _ := json.Marshal(map[string]any{"groups": []any{map[string]any{"usersOperationType": "ADD", "users": users}}})
				return send(base, "POST", "/webconsole/api/UserGroup/22", string(body), "Authtoken", commvaultToken, "Accept", "application/json", "Content-Type", "application/json")
			}},
		{name: "an unrelated Onedata GET while 8 replays of an old entry run (journal of 100,000, 33,000 kept)", scenario: onedataWorld, journal: 100_000,
			prepare: fillJournal(33_000),
			measure: func(base string) error { return whileBusy(base, "/__admin/requests/1/replay", "POST") }},
		{name: "an unrelated Onedata GET while 8 q= searches run over 33,000 entries", scenario: onedataWorld, journal: 100_000,
			prepare: fillJournal(33_000),
			measure: func(base string) error { return whileBusy(base, "/__admin/requests?q=no-such-text&limit=1", "GET") }},
	}
}

// run starts a server on a's world, prepares, and measures.
func run(bin, dir string, a attack) (time.Duration, int64, error) {
	file := filepath.Join(dir, "world.yaml")
	check(os.WriteFile(file, []byte(a.scenario()), 0o600))
	args := []string{"serve", "--addr", "127.0.0.1:0", "--scenario", file, "--max-body", "67108864", "--log-level", "info"}
	if a.journal > 0 {
		args = append(args, "--journal-size", fmt.Sprint(a.journal))
	}
	cmd := exec.Command(bin, args...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	base, err := waitAddr(&log)
	if err != nil {
		return 0, 0, err
	}
	if a.prepare != nil {
		if err := a.prepare(base); err != nil {
			return 0, 0, fmt.Errorf("preparing: %w", err)
		}
	}
	start := time.Now()
	if err := a.measure(base); err != nil {
		return 0, 0, err
	}
	took := time.Since(start)
	if err := send(base, "GET", "/__admin/health", ""); err != nil {
		return 0, 0, fmt.Errorf("the server is down after it: %w", err)
	}
	return took, peakRSS(cmd.Process.Pid), nil
}

var addrRE = regexp.MustCompile(`addr=(http://[0-9.:]+)`)

func waitAddr(log *bytes.Buffer) (string, error) {
	for range 200 {
		if m := addrRE.FindStringSubmatch(log.String()); m != nil {
			return m[1], nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", fmt.Errorf("the server did not start: %s", log.String())
}

// send makes one request and fails on no answer or a status of 500 up.
func send(base, method, path, body string, kv ...string) error {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	for i := 0; i+1 < len(kv); i += 2 {
		req.Header.Set(kv[i], kv[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode >= 500 {
		return fmt.Errorf("%s %s: %d", method, path, resp.StatusCode)
	}
	return nil
}

// whileBusy times one Onedata GET sent while 8 clients repeat a journal
// operation; it reports the GET's time as the measure.
func whileBusy(base, path, method string) error {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					_ = send(base, method, path, "")
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	err := send(base, "GET", "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1", "", "Authorization", "Basic YWRtaW46cGFzc3dvcmQ=")
	close(stop)
	wg.Wait()
	return err
}

func fillJournal(n int) func(string) error {
	return func(base string) error {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 8 {
					if err := send(base, "GET", "/api/v3/onezone/users", "", "Authorization", "Basic YWRtaW46cGFzc3dvcmQ="); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		return <-errs
	}
}

func onedataWorld() string {
	return "onedata:\n  users:\n    a5b469a2b0516b662a49da74d6d7d7bc: {username: admin, password: password, privileges: [oz_users_list, oz_users_view]}\n" +
		"    a4d3bc73aada63052310652d421609f1: {username: joe}\n"
}

// commvaultWorld is jsmith (6) owning owned alerts, kjones (7), group 22,
// and members more users u0....
func commvaultWorld(owned, members int) func() string {
	return func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "commvault:\n  tokens:\n    %q: {user: 1}\n  users:\n    1: {name: admin}\n    6: {name: jsmith}\n    7: {name: kjones}\n", commvaultToken)
		for i := range members {
			fmt.Fprintf(&b, "    %d: {name: u%d}\n", i+100, i)
		}
		b.WriteString("  groups:\n    22: {name: g}\n  alerts:\n")
		for i := range owned {
			fmt.Fprintf(&b, "    a%d: {user: 6}\n", i)
		}
		return b.String()
	}
}

// huaweiWorld is workspace w of project p with n members (ids %032x), the
// first named name when it is set.
func huaweiWorld(n int, name string) string {
	var b strings.Builder
	b.WriteString("huawei:\n  tokens:\n    t: {user: admin}\n  projects:\n    p:\n      workspaces:\n        w:\n          users:\n")
	for i := range n {
		member := fmt.Sprintf("u%d", i)
		if i == 0 && name != "" {
			member = name
		}
		fmt.Fprintf(&b, "            %032x: {name: %s}\n", i, member)
	}
	return b.String()
}

// peakRSS is a process's peak resident memory, from /proc.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
