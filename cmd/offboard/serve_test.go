package main

import (
	"bytes"
	"context"
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
	// The console's URL, to open in a browser.
	if !strings.Contains(logs, "console=http://"+addr+"/__admin/ui/") {
		t.Errorf("the start-up log names no console URL:\n%s", logs)
	}
}

func TestBrowsableAddress(t *testing.T) {
	for in, want := range map[string]string{"0.0.0.0:8080": "localhost:8080", "[::]:9": "localhost:9", "127.0.0.1:80": "127.0.0.1:80"} {
		a, err := net.ResolveTCPAddr("tcp", in)
		if err != nil {
			t.Fatal(err)
		}
		if got := browsable(a); got != want {
			t.Errorf("browsable(%s) = %s, want %s", in, got, want)
		}
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
	dir := t.TempDir()
	mine := filepath.Join(dir, "my.yaml")
	if err := os.WriteFile(mine, []byte("name: mine\nonedata:\n  users:\n    u1: {username: solo, password: pw, privileges: [oz_users_list]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	only := filepath.Join(dir, "only.yaml")
	if err := os.WriteFile(only, []byte("name: only\nonedata: !replace\n  users:\n    u1: {username: solo, password: pw, privileges: [oz_users_list]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file, want string
	}{
		// A later file adds to an earlier one's section: default's users stay.
		{mine, `{"users":["0c58d30c5a6e4e5b9c3a1f2e7d6b8a90","a4d3bc73aada63052310652d421609f1","a5b469a2b0516b662a49da74d6d7d7bc","u1"]}`},
		// !replace takes the place of what it marks, whole.
		{only, `{"users":["u1"]}`},
	} {
		addr, _, _ := startServe(t, "--scenario", "default", "--scenario", c.file)
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v3/onezone/users", nil)
		req.SetBasicAuth("solo", "pw")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != c.want {
			t.Errorf("onedata of default then %s: %s, want %s", filepath.Base(c.file), body, c.want)
		}
		// Commvault is still default's.
		req, _ = http.NewRequest("GET", "http://"+addr+"/webconsole/api/User", nil)
		req.Header.Set("Authtoken", "QSDK 38568012f4d1e8ee1841d283a47aa3ba78e124ea58354b5fc60f4dab8a63347d05cf5552484dafda3bfa4c5db84e580b1cb37bcf8e65b39f7f8549a443e6f78a2c7be3f31b3d845e24776c835e498e8e883bb40c46bd15af4f40ca94e823acedcdd4e9659e74b34a07a85c4586cd2ed914b6dce015874783ef768fda78183a4208930954a377f66eb56c8b92cexampl4s437a19317ca6ce7f3233d5a01aca35dbad93468b833f2cf71010809006a937670adce711ca8be46638e8")
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
			t.Errorf("commvault from default: %v %v", resp, err)
		}
	}
}

// TestAFailedAdminListenerFreesTheMainOne: when --admin-addr cannot be
// opened, serve exits 1 and --addr's port is free again (its listener
// once stayed open).
func TestAFailedAdminListenerFreesTheMainOne(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String()
	probe.Close()
	var stderr bytes.Buffer
	code := (CLI{Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" }}).Run(context.Background(),
		[]string{"serve", "--addr", addr, "--admin-addr", taken.Addr().String()})
	if code != 1 || !strings.Contains(stderr.String(), "--admin-addr") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	again, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("--addr is still held after serve gave up: %v", err)
	}
	again.Close()
}

// TestHeapObjectBytesReadsTheRuntime: the heap serve's collector tuning
// looks at is read from this runtime, never the "unknown" zero.
func TestHeapObjectBytesReadsTheRuntime(t *testing.T) {
	keep := make([][]byte, 0, 64)
	for range 64 {
		keep = append(keep, make([]byte, 64<<10))
	}
	if got := heapObjectBytes(); got < 4<<20 {
		t.Errorf("heap objects %d bytes with 4 MiB just allocated", got)
	}
	runtime.KeepAlive(keep)
}
