package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestVerifyExitCodes: a run tells the truth in its exit code and one
// line: a target that does not answer (with variables or without), one
// without a scheme, an unknown vendor.
func TestVerifyExitCodes(t *testing.T) {
	vars := filepath.Join("..", "..", "testsuite", "sandbox", "offboard.yaml")
	for _, c := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"down, no variables", []string{"--target", "http://127.0.0.1:9"}, 2, "does not answer"},
		{"down, with variables", []string{"--target", "http://127.0.0.1:9", "--emulator", "no", "--vars", vars}, 2, "does not answer"},
		{"no scheme", []string{"--target", "127.0.0.1:19201"}, 2, "such as http://127.0.0.1:19201"},
		{"no scheme, by --url", []string{"--url", "127.0.0.1:19201"}, 2, "such as http://127.0.0.1:19201"},
		{"no host", []string{"--target", "http:///x"}, 2, "with its scheme and host"},
		{"unknown vendor", []string{"--target", "http://127.0.0.1:9", "--vendor", "onedta"}, 2, "known: arcgis, commvault, huawei, onedata, securid"},
		{"bad glob", []string{"--target", "http://127.0.0.1:9", "--case", "["}, 2, "not a glob"},
	} {
		var out, errOut bytes.Buffer
		code := (CLI{Stdout: &out, Stderr: &errOut}).Run(context.Background(), append([]string{"verify"}, c.args...))
		if code != c.code || strings.Count(errOut.String(), "\n") != 1 || !strings.Contains(errOut.String(), c.says) {
			t.Errorf("%s: exit %d, want %d saying %q\nstdout:\n%s\nstderr:\n%s", c.name, code, c.code, c.says, out.String(), errOut.String())
		}
	}
}

// TestSandboxRunsRepeat: a second run against the same sandbox finds its
// pools used up and says so in one line per case, naming the pool and how
// to refill it; after a reload both runs pass (issue 20).
func TestSandboxRunsRepeat(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _, _ := serveInBackground(t, ctx, "--scenario", "sandbox")
	vars := filepath.Join("..", "..", "testsuite", "sandbox", "offboard.yaml")
	run := func() (int, string) {
		var out bytes.Buffer
		code := (CLI{Stdout: &out, Stderr: &out}).Run(ctx, []string{"verify", "--target", "http://" + addr, "--emulator", "no",
			"--vars", vars, "--vendor", "arcgis"})
		return code, out.String()
	}
	if code, out := run(); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, out)
	}
	code, out := run()
	if code != 1 || !strings.Contains(out, "pool arcgis.user is used up") || !strings.Contains(out, "PUT /__admin/scenario?name=sandbox") {
		t.Fatalf("second run without a reload: exit %d\n%s", code, out)
	}
	req, _ := http.NewRequest(http.MethodPut, "http://"+addr+"/__admin/scenario?name=sandbox", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("reload: %v %v", err, resp)
	}
	resp.Body.Close()
	if code, out := run(); code != 0 {
		t.Fatalf("run after a reload: exit %d\n%s", code, out)
	}
}

// TestValidateListsEveryMistake: one run reports type errors and name
// errors alike, in every section, sorted by line (issue 20).
func TestValidateListsEveryMistake(t *testing.T) {
	file := filepath.Join(t.TempDir(), "mix.yaml")
	if err := os.WriteFile(file, []byte(`name: mix
arcgis:
  users:
    gis_joe: {containers: running}
onedata:
  users:
    u1: {username: joe, privileges: [oz_user_delete]}
    u2: {username: ann, blocked: maybe}
  tokens:
    t1: {user: nobody}
vendr: {}
faults:
  - {vendor: onedta, status: 500}
  - {vendor: onedata, operation: nope, status: 700, times: -1, after: -2, latency: soon}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	if code := (CLI{Stdout: io.Discard, Stderr: &errOut}).Run(context.Background(), []string{"validate", file}); code != 1 {
		t.Fatalf("exit %d", code)
	}
	want := []string{
		":4:27: arcgis.users.gis_joe.containers: expected a list",
		":7:38: onedata.users.u1.privileges[0]: unknown privilege",
		":8:34: onedata.users.u2.blocked: expected true or false",
		":10:16: onedata.tokens.t1.user: token acts for a user the scenario does not define",
		":11:1: vendr: unknown section",
		":13:14: faults[0].vendor: unknown vendor \"onedta\"",
		":14:34: faults[1].operation: onedata has no operation \"nope\"",
		":14:48: faults[1].status: not an HTTP status: 700",
		":14:60: faults[1].times: must not be negative",
		":14:71: faults[1].after: must not be negative",
		":14:84: faults[1].latency: not a duration",
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != len(want) {
		t.Errorf("%d mistakes reported, want %d:\n%s", len(lines), len(want), errOut.String())
	}
	for i, w := range want {
		if i >= len(lines) || !strings.Contains(lines[i], w) {
			t.Errorf("line %d: want %q in\n%s", i+1, w, errOut.String())
		}
	}
}

// TestVersionAndCompletion: --version and version print the build, and
// completion knows scenario names, vendors, cases, log levels and
// --emulator values.
func TestVersionAndCompletion(t *testing.T) {
	run := func(args ...string) string {
		var out bytes.Buffer
		if code := (CLI{Stdout: &out, Stderr: io.Discard}).Run(context.Background(), args); code != 0 {
			t.Fatalf("%v: exit %d", args, code)
		}
		return out.String()
	}
	v := run("version")
	if !strings.HasPrefix(v, "offboard ") || !strings.Contains(v, runtime.Version()) || run("--version") != v {
		t.Errorf("version %q, --version %q", v, run("--version"))
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--scenario", "securid-"}, "securid-enabled-user\t"},
		{[]string{"serve", "--log-level", ""}, "warn\n"},
		{[]string{"token", "hu"}, "huawei\n"},
		{[]string{"verify", "--vendor", "on"}, "onedata\n"},
		{[]string{"verify", "--emulator", ""}, "auto\nyes\nno\n"},
		{[]string{"verify", "--vendor", "commvault", "--case", "commvault/seed-"}, "commvault/seed-delete-by-name\n"},
	} {
		if got := run(append([]string{"__complete"}, c.args...)...); !strings.Contains(got, c.want) {
			t.Errorf("completing %v: want %q in\n%s", c.args, c.want, got)
		}
	}
}

// TestShutdownWithStuckStreams: journal streams whose readers stopped
// reading do not hold a shutdown up: serve exits 0 at once (issue 23).
func TestShutdownWithStuckStreams(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, stderr, done := serveInBackground(t, ctx, "--shutdown-timeout", "8s")
	for range 4 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /__admin/requests/stream HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	}
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case code := <-done:
		if code != 0 || time.Since(start) > 3*time.Second {
			t.Errorf("exit %d after %s:\n%s", code, time.Since(start), stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not exit")
	}
}
