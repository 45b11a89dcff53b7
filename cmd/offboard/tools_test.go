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
	"testing"
)

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
	if code := (CLI{Stdout: &out, Stderr: &out}).Run(ctx, []string{"verify", "--target", "http://" + addr, "--case", "no-such-*"}); code != 2 ||
		!strings.Contains(out.String(), "matches no case") || !strings.Contains(out.String(), "commvault/seed-delete-by-name") {
		t.Errorf("no match: exit %d\n%s", code, out.String())
	}
	cancel()
	<-done
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

	// Without the variables nothing runs: exit 3, and one line names them.
	out.Reset()
	errOut.Reset()
	code = (CLI{Stdout: &out, Stderr: &errOut}).Run(ctx, []string{"verify", "--target", "http://" + addr, "--emulator", "no", "--vendor", "onedata"})
	if code != 3 || strings.Count(out.String(), "SKIP") != 1 || strings.Count(errOut.String(), "\n") != 1 ||
		!strings.Contains(errOut.String(), "onedata lacks onedata.adminId, onedata.basic, onedata.token") {
		t.Errorf("missing variables: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if code := (CLI{Stdout: io.Discard, Stderr: io.Discard}).Run(ctx, []string{"verify", "--target", "http://" + addr, "--emulator", "no", "--vendor", "onedata", "--allow-empty"}); code != 0 {
		t.Errorf("--allow-empty: exit %d", code)
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

// TestValidatePeople: a person naming an account the scenario does not
// have, a vendor that does not exist, or another person's account is
// reported at its line and column, each in the file that made it; a
// person an overlay adds to its base's people loads.
func TestValidatePeople(t *testing.T) {
	var out, errOut bytes.Buffer
	cli := CLI{Stdout: &out, Stderr: &errOut}
	dir := t.TempDir()
	bad := filepath.Join(dir, "people.yaml")
	_ = os.WriteFile(bad, []byte(`extends: people
people:
  zoe:
    arcgis: gis_nobody
    commvault: kim
    huawei: {project: demo-project, workspace: demo-workspace, member: none}
    jira: zoe
  kim:
    commvault: "20"
`), 0o600)
	if code := cli.Run(context.Background(), []string{"validate", bad}); code != 1 {
		t.Fatalf("validate: %d %s", code, errOut.String())
	}
	for _, want := range []string{
		bad + `:4:13: people.zoe.arcgis: no ArcGIS user "gis_nobody" in the scenario's arcgis.users or arcgis.logins`,
		bad + `:6:72: people.zoe.huawei.member: no member "none" in workspace demo-workspace`,
		bad + `:7:5: people.zoe.jira: unknown vendor (known: arcgis, commvault, huawei, onedata, securid)`,
		bad + `:9:16: people.kim.commvault: commvault's account kim is zoe's already: an account is one person's`,
	} {
		if !strings.Contains(errOut.String(), want+"\n") {
			t.Errorf("validate does not say\n%s\nit says\n%s", want, errOut.String())
		}
	}
	good := filepath.Join(dir, "more.yaml")
	_ = os.WriteFile(good, []byte("extends: people\npeople:\n  kim:\n    commvault: kim\n"), 0o600)
	out.Reset()
	if code := cli.Run(context.Background(), []string{"validate", good}); code != 0 {
		t.Errorf("an overlay adding kim: %d %s", code, errOut.String())
	}
}

// TestValidateNamesTheFileOfEachMistake: an overlay's section holds its
// base's nodes too; a mistake in either is reported in its own file.
func TestValidateNamesTheFileOfEachMistake(t *testing.T) {
	var out, errOut bytes.Buffer
	cli := CLI{Stdout: &out, Stderr: &errOut}
	dir := t.TempDir()
	base, over := filepath.Join(dir, "base.yaml"), filepath.Join(dir, "over.yaml")
	_ = os.WriteFile(base, []byte("onedata:\n  users:\n    u1: {username: a, privileges: [nope]}\n"), 0o600)
	_ = os.WriteFile(over, []byte("extends: ./base.yaml\nonedata:\n  users:\n    u2: {usrname: b}\n"), 0o600)
	if code := cli.Run(context.Background(), []string{"validate", over}); code != 1 {
		t.Fatalf("validate: %d %s", code, errOut.String())
	}
	for _, want := range []string{base + `:3:36: onedata.users.u1.privileges[0]: unknown privilege "nope"`,
		over + ":4:10: onedata.users.u2.usrname: unknown field"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("validate does not say\n%s\nit says\n%s", want, errOut.String())
		}
	}
}

// TestTokenFromAKeyWithoutPEM: offboard token mints with the key pair a
// keyless API key takes, from a scenario that holds no PEM.
func TestTokenFromAKeyWithoutPEM(t *testing.T) {
	var out, errOut bytes.Buffer
	cli := CLI{Stdout: &out, Stderr: &errOut}
	file := filepath.Join(t.TempDir(), "ci.yaml")
	_ = os.WriteFile(file, []byte("securid:\n  apiKeys:\n    ci-key: {}\n  users:\n    u1: {userStatus: Disabled}\n"), 0o600)
	if code := cli.Run(context.Background(), []string{"token", "securid", "--scenario", file}); code != 0 || !strings.HasPrefix(out.String(), "Authorization: Bearer ey") {
		t.Errorf("token: %d %q %s", code, out.String(), errOut.String())
	}
}
