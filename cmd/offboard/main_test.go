package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server's and the test's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeAnswersAndShutsDownCleanly(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	addrs := make(chan string, 1)
	env := map[string]string{"OFFBOARD_SCENARIO": "onedata-no-privilege"}
	cli := CLI{Stdout: io.Discard, Stderr: &stderr, Getenv: func(k string) string { return env[k] }, Ready: func(a string) { addrs <- a }}
	done := make(chan int, 1)
	go func() { done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	var addr string
	select {
	case addr = <-addrs:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve never became ready")
	}
	resp, err := http.Get("http://" + addr + "/__admin/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"scenario": "onedata-no-privilege"`) {
		t.Fatalf("health: %d %s", resp.StatusCode, body)
	}
	if code := (CLI{Stdout: io.Discard, Stderr: io.Discard}).Run(ctx, []string{"health", "--url", "http://" + addr + "/__admin/health"}); code != 0 {
		t.Errorf("health probe: exit %d", code)
	}
	cancel()
	if code := (CLI{Stdout: io.Discard, Stderr: io.Discard}).Run(context.Background(), []string{"health", "--url", "http://127.0.0.1:1/__admin/health"}); code != 1 {
		t.Errorf("health probe of nothing: exit %d", code)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	logs := stderr.String()
	if !strings.Contains(logs, "offboard listening") || !strings.Contains(logs, "addr=http://"+addr) || !strings.Contains(logs, "stopped") {
		t.Errorf("logs:\n%s", logs)
	}
}

func TestServeRefusesABadScenario(t *testing.T) {
	var stderr bytes.Buffer
	cli := CLI{Stdout: io.Discard, Stderr: &stderr}
	if code := cli.Run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--scenario", "nope"}); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stderr.String(), `no built-in scenario "nope"`) {
		t.Errorf("stderr: %s", stderr.String())
	}
}

func TestScenariosAndValidate(t *testing.T) {
	var out, errOut bytes.Buffer
	cli := CLI{Stdout: &out, Stderr: &errOut}
	if code := cli.Run(context.Background(), []string{"scenarios"}); code != 0 || !strings.Contains(out.String(), "default ") || !strings.Contains(out.String(), "arcgis-running-containers") {
		t.Fatalf("scenarios: %d\n%s", code, out.String())
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(good, []byte("onedata:\n  users:\n    u: {username: u}\n"), 0o600)
	_ = os.WriteFile(bad, []byte("onedata:\n  users:\n    u: {usrname: u}\n"), 0o600)
	out.Reset()
	if code := cli.Run(context.Background(), []string{"validate", good}); code != 0 || !strings.Contains(out.String(), "good.yaml: ok") {
		t.Errorf("validate good: %d %s %s", code, out.String(), errOut.String())
	}
	if code := cli.Run(context.Background(), []string{"validate", good, bad}); code != 1 || !strings.Contains(errOut.String(), bad+":3:9: onedata.users.u.usrname: unknown field") {
		t.Errorf("validate bad: %d %s", code, errOut.String())
	}
	if code := cli.Run(context.Background(), []string{"frobnicate"}); code != 2 {
		t.Errorf("unknown command: %d", code)
	}
}

func TestToken(t *testing.T) {
	for vendor, header := range map[string]string{"arcgis": "X-Esri-Authorization: Bearer ", "commvault": "Authtoken: QSDK ",
		"huawei": "X-Auth-Token: demo-token", "onedata": "X-Auth-Token: ", "securid": "Authorization: Bearer eyJ"} {
		var out, errOut bytes.Buffer
		cli := CLI{Stdout: &out, Stderr: &errOut}
		if code := cli.Run(context.Background(), []string{"token", vendor}); code != 0 || !strings.HasPrefix(out.String(), header) {
			t.Errorf("token %s: %d %q %s", vendor, code, out.String(), errOut.String())
		}
	}
	var errOut bytes.Buffer
	if code := (CLI{Stdout: io.Discard, Stderr: &errOut}).Run(context.Background(), []string{"token", "nope"}); code != 1 {
		t.Errorf("unknown vendor: exit %d", code)
	}
	if code := (CLI{Stdout: io.Discard, Stderr: &errOut}).Run(context.Background(), []string{"token", "arcgis", "--scenario", "onedata-unknown-user"}); code != 1 {
		t.Errorf("a scenario without arcgis tokens: exit %d", code)
	}
}

// TestVerify runs `offboard verify` against a served emulator: the suite
// passes, and a filter with no match fails.
func TestVerify(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _, done := serveInBackground(t, ctx)
	var out bytes.Buffer
	junit := filepath.Join(t.TempDir(), "junit.xml")
	code := (CLI{Stdout: &out, Stderr: &out}).Run(ctx, []string{"verify", "--target", "http://" + addr, "--vendor", "commvault", "--junit", junit})
	if code != 0 || !strings.Contains(out.String(), "PASS  commvault/seed-delete-by-name") || !strings.Contains(out.String(), " 0 failed") {
		t.Fatalf("verify: %d\n%s", code, out.String())
	}
	if b, err := os.ReadFile(junit); err != nil || !strings.Contains(string(b), `<testsuite name="commvault"`) {
		t.Errorf("junit: %v %s", err, b)
	}
	out.Reset()
	if code := (CLI{Stdout: &out, Stderr: &out}).Run(ctx, []string{"verify", "--target", "http://" + addr, "--case", "no-such-*"}); code != 1 {
		t.Errorf("no match: exit %d", code)
	}
	cancel()
	<-done
}

// TestWatchReloads edits a served scenario file: a good edit is loaded, a
// bad one is logged with file:line and the old state stays.
func TestWatchReloads(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "mine.yaml")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("name: first\nonedata:\n  users:\n    u1: {username: one}\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	addrs := make(chan string, 1)
	cli := CLI{Stdout: io.Discard, Stderr: &stderr, Ready: func(a string) { addrs <- a }}
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--scenario", file, "--watch"})
	}()
	addr := <-addrs
	scenario := func() string {
		resp, err := http.Get("http://" + addr + "/__admin/health")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; logs:\n%s", what, stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	write("name: second\nonedata:\n  users:\n    u2: {username: two}\n")
	waitFor("the good edit", func() bool { return strings.Contains(scenario(), `"scenario": "second"`) })
	write("name: third\nonedata:\n  users:\n    u3: {usrname: three}\n")
	waitFor("the bad edit's log line", func() bool {
		return strings.Contains(stderr.String(), "scenario reload failed") && strings.Contains(stderr.String(), "mine.yaml:4:10: onedata.users.u3.usrname")
	})
	if !strings.Contains(scenario(), `"scenario": "second"`) {
		t.Errorf("a bad edit replaced the state: %s", scenario())
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
}

func TestAdminTokenAndAddr(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _, done := serveInBackground(t, ctx, "--admin-token", "s3cret")
	get := func(path, auth string) int {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("/__admin/health", ""); s != 200 {
		t.Errorf("health without the token: %d", s)
	}
	if s := get("/__admin/state", ""); s != 401 {
		t.Errorf("state without the token: %d", s)
	}
	if s := get("/__admin/state", "Bearer wrong"); s != 401 {
		t.Errorf("state with a wrong token: %d", s)
	}
	if s := get("/__admin/state", "Bearer s3cret"); s != 200 {
		t.Errorf("state with the token: %d", s)
	}
	cancel()
	<-done
}

// serveInBackground runs `offboard serve ARGS` until ctx ends and returns
// its address, its log and the channel of its exit code.
func serveInBackground(t *testing.T, ctx context.Context, args ...string) (string, *syncBuffer, chan int) {
	t.Helper()
	stderr := &syncBuffer{}
	addrs := make(chan string, 1)
	cli := CLI{Stdout: io.Discard, Stderr: stderr, Ready: func(a string) { addrs <- a }}
	done := make(chan int, 1)
	go func() { done <- cli.Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	select {
	case addr := <-addrs:
		return addr, stderr, done
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve never became ready")
	}
	return "", nil, nil
}

// TestGracefulShutdown: a request in flight when the signal comes gets
// its answer, new connections are refused, and the exit code is 0.
func TestGracefulShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, stderr, done := serveInBackground(t, ctx)
	fault := `[{"vendor": "onedata", "operation": "remove_user", "latency": "700ms"}]`
	resp, err := http.Post("http://"+addr+"/__admin/faults", "application/json", strings.NewReader(fault))
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("fault: %v %v", err, resp)
	}
	resp.Body.Close()
	answered := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("DELETE", "http://"+addr+"/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1", nil)
		req.SetBasicAuth("admin", "password")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- 0
			return
		}
		resp.Body.Close()
		answered <- resp.StatusCode
	}()
	time.Sleep(200 * time.Millisecond) // the request is waiting on its latency
	cancel()
	if code := <-answered; code != 204 {
		t.Errorf("the in-flight request got %d, want 204", code)
	}
	if code := <-done; code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if _, err := http.Get("http://" + addr + "/__admin/health"); err == nil {
		t.Error("a new connection was accepted after shutdown")
	}
}

func TestHeaderLimitAndSeparateAdmin(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, stderr, done := serveInBackground(t, ctx, "--admin-addr", "127.0.0.1:0")
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v3/onezone/users", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 200<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("a 200 KB header: %d, want 431", resp.StatusCode)
	}
	// The control API is not on the vendor address but on its own.
	resp, err = http.Get("http://" + addr + "/__admin/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("control API on the vendor address: %d", resp.StatusCode)
	}
	var adminURL string
	for _, f := range strings.Fields(stderr.String()) {
		if u, ok := strings.CutPrefix(f, "addr=http://"); ok && strings.HasSuffix(u, "/__admin/health") {
			adminURL = "http://" + u
		}
	}
	if adminURL == "" {
		t.Fatalf("no control API address in the log:\n%s", stderr.String())
	}
	resp, err = http.Get(adminURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("control API on its own address: %d", resp.StatusCode)
	}
	cancel()
	<-done
}

// TestHelpAndUsage: every command answers --help with exit 0; a usage
// mistake exits 2 with a one-line hint (issue 14).
func TestHelpAndUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"help"}, {"serve", "--help"}, {"scenarios", "--help"}, {"validate", "--help"},
		{"health", "--help"}, {"token", "--help"}, {"verify", "--help"}, {"completion", "--help"},
		{"completion", "bash"}, {"completion", "zsh"}, {"completion", "fish"}, {"help", "serve"}, {"serve", "-h"},
	} {
		var out, errOut bytes.Buffer
		code := (CLI{Stdout: &out, Stderr: &errOut}).Run(context.Background(), args)
		if code != 0 || out.Len() == 0 {
			t.Errorf("%v: exit %d, %d bytes out, stderr %q", args, code, out.Len(), errOut.String())
		}
	}
	var out bytes.Buffer
	(CLI{Stdout: &out, Stderr: io.Discard}).Run(context.Background(), []string{"token", "--help"})
	if !strings.Contains(out.String(), "token VENDOR") || !strings.Contains(out.String(), "arcgis, commvault, huawei, onedata, securid") {
		t.Errorf("token --help names neither VENDOR nor the vendors:\n%s", out.String())
	}
	for _, args := range [][]string{
		{"frobnicate"}, {"serve", "--nope"}, {"serve", "extra"}, {"validate"}, {"token"}, {"token", "a", "b"},
		{"verify"}, {"verify", "--target", "http://x", "--var", "novalue"}, {"scenarios", "x"}, {"serve", "--log-level", "loud"},
		{"health", "--url"}, {},
	} {
		var errOut bytes.Buffer
		code := (CLI{Stdout: io.Discard, Stderr: &errOut}).Run(context.Background(), args)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2; stderr %q", args, code, errOut.String())
		}
		if len(args) > 0 && (strings.Count(strings.TrimSpace(errOut.String()), "\n") != 0 || !strings.Contains(errOut.String(), "--help")) {
			t.Errorf("%v: the hint is not one line naming --help: %q", args, errOut.String())
		}
	}
}

// TestHealthFollowsServesAddresses: without --url, health probes the
// address serve was told to use, so the container's HEALTHCHECK works
// with OFFBOARD_ADDR or OFFBOARD_ADMIN_ADDR (issue 14).
func TestHealthFollowsServesAddresses(t *testing.T) {
	for env, want := range map[string]string{
		"":                                   "http://127.0.0.1:8080/__admin/health",
		"OFFBOARD_ADDR=0.0.0.0:9000":         "http://127.0.0.1:9000/__admin/health",
		"OFFBOARD_ADDR=:9001":                "http://127.0.0.1:9001/__admin/health",
		"OFFBOARD_ADMIN_ADDR=127.0.0.2:9100": "http://127.0.0.2:9100/__admin/health",
		"OFFBOARD_ADDR=[::]:9002":            "http://127.0.0.1:9002/__admin/health",
	} {
		k, v, _ := strings.Cut(env, "=")
		c := CLI{Getenv: func(name string) string {
			if name == k {
				return v
			}
			return ""
		}}
		if got := c.defaultHealthURL(); got != want {
			t.Errorf("%s: %s, want %s", env, got, want)
		}
	}
	// And for real: serve on a port named only by the environment.
	addr, _, _ := startServe(t)
	_, port, _ := net.SplitHostPort(addr)
	c := CLI{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(name string) string {
		if name == "OFFBOARD_ADDR" {
			return "0.0.0.0:" + port
		}
		return ""
	}}
	if code := c.Run(context.Background(), []string{"health"}); code != 0 {
		t.Errorf("health from OFFBOARD_ADDR: exit %d", code)
	}
}

// TestTokenAsksTheRunningServer: with --url, the credential comes from the
// scenario the server has loaded, so it works against it (issue 14).
func TestTokenAsksTheRunningServer(t *testing.T) {
	addr, _, _ := startServe(t, "--scenario", "commvault-expired-token")
	var out, errOut bytes.Buffer
	if code := (CLI{Stdout: &out, Stderr: &errOut}).Run(context.Background(), []string{"token", "commvault", "--url", "http://" + addr}); code != 1 ||
		!strings.Contains(errOut.String(), "no valid commvault Authtoken") {
		t.Fatalf("the expired scenario holds no valid token: exit %d %q", code, errOut.String())
	}
	// The server's own scenario is what a credential is minted from.
	addr, _, _ = startServe(t, "--scenario", "securid-enabled-user")
	out.Reset()
	errOut.Reset()
	if code := (CLI{Stdout: &out, Stderr: &errOut}).Run(context.Background(), []string{"token", "securid", "--url", "http://" + addr}); code != 0 ||
		!strings.Contains(errOut.String(), "scenario securid-enabled-user") {
		t.Fatalf("exit %d %q", code, errOut.String())
	}
	header, value, _ := strings.Cut(strings.TrimSpace(out.String()), ": ")
	req, _ := http.NewRequest("DELETE", "http://"+addr+"/AdminInterface/restapi/v1/users/eb2e12ae-1112-451b-98e1-dfe4e6afd60d", nil)
	req.Header.Set(header, value)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 403 {
		t.Errorf("the minted header was refused by the server: %d", resp.StatusCode)
	}
}

// startServe runs serve for the rest of the test.
func startServe(t *testing.T, args ...string) (string, *syncBuffer, chan int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr, log, done := serveInBackground(t, ctx, args...)
	t.Cleanup(func() { cancel(); <-done })
	return addr, log, done
}

// TestScenarioLayering: serve --scenario default --scenario my.yaml starts,
// with my.yaml's onedata over default's and default's other vendors kept.
func TestScenarioLayering(t *testing.T) {
	mine := filepath.Join(t.TempDir(), "my.yaml")
	if err := os.WriteFile(mine, []byte("name: mine\nonedata:\n  users:\n    u1: {username: solo, password: pw, privileges: [oz_users_list]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr, _, _ := startServe(t, "--scenario", "default", "--scenario", mine)
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v3/onezone/users", nil)
	req.SetBasicAuth("solo", "pw")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != `{"users":["u1"]}` {
		t.Errorf("onedata from my.yaml: %s", body)
	}
	// Commvault is still default's.
	req, _ = http.NewRequest("GET", "http://"+addr+"/webconsole/api/User", nil)
	req.Header.Set("Authtoken", "QSDK 38568012f4d1e8ee1841d283a47aa3ba78e124ea58354b5fc60f4dab8a63347d05cf5552484dafda3bfa4c5db84e580b1cb37bcf8e65b39f7f8549a443e6f78a2c7be3f31b3d845e24776c835e498e8e883bb40c46bd15af4f40ca94e823acedcdd4e9659e74b34a07a85c4586cd2ed914b6dce015874783ef768fda78183a4208930954a377f66eb56c8b92cexampl4s437a19317ca6ce7f3233d5a01aca35dbad93468b833f2cf71010809006a937670adce711ca8be46638e8")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("commvault from default: %v %v", resp, err)
	}
}

// TestREADMEValidateSample: the sample README shows for validate prints
// exactly what README says (issue 14).
func TestREADMEValidateSample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- validate-sample")
	if !ok {
		t.Fatal("README has no validate sample")
	}
	block := func(s, fence string) (string, string) {
		_, after, ok := strings.Cut(s, "```"+fence+"\n")
		if !ok {
			t.Fatalf("no ```%s block after the sample marker", fence)
		}
		body, tail, _ := strings.Cut(after, "```")
		return body, tail
	}
	sample, rest := block(rest, "yaml")
	want, _ := block(rest, "text")
	t.Chdir(t.TempDir())
	if err := os.WriteFile("my.yaml", []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	if code := (CLI{Stdout: io.Discard, Stderr: &errOut}).Run(context.Background(), []string{"validate", "my.yaml"}); code != 1 {
		t.Errorf("exit %d", code)
	}
	if errOut.String() != want {
		t.Errorf("validate printed\n%s\nREADME says\n%s", errOut.String(), want)
	}
}

// TestVerifyAgainstASandbox: --list-vars, --vars, and the exit codes a
// nightly sandbox job relies on (issue 11).
func TestVerifyAgainstASandbox(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut bytes.Buffer
	if code := (CLI{Stdout: &out, Stderr: &errOut}).Run(ctx, []string{"verify", "--vendor", "onedata", "--list-vars"}); code != 0 ||
		!strings.Contains(out.String(), "onedata.basic") || !strings.Contains(out.String(), "required") || strings.Contains(out.String(), "securid.") {
		t.Fatalf("--list-vars: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if code := (CLI{Stdout: &out, Stderr: &errOut}).Run(ctx, []string{"verify", "--vendor", "nope", "--list-vars"}); code != 2 {
		t.Errorf("--list-vars of an unknown vendor: exit %d", code)
	}

	addr, _, _ := serveInBackground(t, ctx, "--scenario", "sandbox")
	vars := filepath.Join("..", "..", "testsuite", "sandbox", "offboard.yaml")
	out.Reset()
	code := (CLI{Stdout: &out, Stderr: &out}).Run(ctx, []string{"verify", "--target", "http://" + addr, "--emulator", "no", "--vars", vars, "--vendor", "securid"})
	if code != 0 || !strings.Contains(out.String(), "PASS  securid/seed-delete-disabled-user") || !strings.Contains(out.String(), " 0 failed") {
		t.Fatalf("verify --vars against the sandbox stand-in: exit %d\n%s", code, out.String())
	}

	// Without the variables, one line names the first one missing.
	out.Reset()
	code = (CLI{Stdout: &out, Stderr: &out}).Run(ctx, []string{"verify", "--target", "http://" + addr, "--emulator", "no", "--vendor", "onedata"})
	if code != 0 || strings.Count(out.String(), "SKIP") != 1 || !strings.Contains(out.String(), "missing variable onedata.") {
		t.Errorf("missing variables: exit %d\n%s", code, out.String())
	}

	// A target that does not answer: one message, exit 2.
	out.Reset()
	errOut.Reset()
	code = (CLI{Stdout: &out, Stderr: &errOut}).Run(ctx, []string{"verify", "--target", "http://127.0.0.1:9", "--emulator", "no", "--vars", vars})
	if code != 2 || strings.Count(errOut.String(), "\n") != 1 || !strings.Contains(errOut.String(), "does not answer") {
		t.Errorf("unreachable: exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	if code := (CLI{Stdout: &out, Stderr: &errOut}).Run(ctx, []string{"verify", "--target", "http://" + addr, "--vars", "no-such-file.yaml"}); code != 2 {
		t.Errorf("a missing vars file: exit %d", code)
	}
}

// TestSnapshot: a running server's changed world, saved by offboard
// snapshot, starts a second server in the same state.
func TestSnapshot(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _, _ := serveInBackground(t, ctx)
	req, _ := http.NewRequest(http.MethodDelete, "http://"+addr+"/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1", nil)
	req.Header.Set("Authorization", "Basic YWRtaW46cGFzc3dvcmQ=")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("delete: %v %v", resp, err)
	}
	resp.Body.Close()
	file := filepath.Join(t.TempDir(), "bug.yaml")
	var out, errOut bytes.Buffer
	if code := (CLI{Stdout: &out, Stderr: &errOut}).Run(ctx, []string{"snapshot", "--url", "http://" + addr, "-o", file}); code != 0 {
		t.Fatalf("snapshot: exit %d %s", code, errOut.String())
	}
	addr2, _, _ := serveInBackground(t, ctx, "--scenario", file)
	get := func(a string) int {
		req, _ := http.NewRequest(http.MethodGet, "http://"+a+"/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1", nil)
		req.Header.Set("Authorization", "Basic YWRtaW46cGFzc3dvcmQ=")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if get(addr) != 404 || get(addr2) != 404 {
		t.Errorf("joe should be gone from both: %d %d", get(addr), get(addr2))
	}
	if code := (CLI{Stdout: &out, Stderr: &errOut}).Run(ctx, []string{"snapshot", "--url", "http://" + addr, "--session", "nobody"}); code != 1 {
		t.Errorf("a missing session: exit %d", code)
	}
	if code := (CLI{Stdout: &out, Stderr: &errOut}).Run(ctx, []string{"snapshot"}); code != 2 {
		t.Errorf("no --url: exit %d", code)
	}
}
