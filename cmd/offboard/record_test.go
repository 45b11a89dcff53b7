package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/offboard/offboard/scenarios"
	"github.com/offboard/offboard/testsuite"
)

// verdicts are the PASS, FAIL and SKIP lines of a verify run, names only.
func verdicts(out string) []string {
	re := regexp.MustCompile(`(?m)^(PASS|FAIL|SKIP)\s+(\S+)`)
	var v []string
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		v = append(v, m[1]+" "+m[2])
	}
	return v
}

// TestRecordTheSandbox: the sandbox stand-in, recorded and served, passes
// the same cases with the --vars-out file as the stand-in does with its
// own vars; and no credential of the vars or of the stand-in's world is
// in the recording or the vars it wrote.
func TestRecordTheSandbox(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _, _ := serveInBackground(t, ctx, "--scenario", "sandbox")
	varsFile := filepath.Join("..", "..", "testsuite", "sandbox", "offboard.yaml")
	dir := t.TempDir()
	rec, recVars := filepath.Join(dir, "recording.yaml"), filepath.Join(dir, "vars.yaml")
	var stderr bytes.Buffer
	code := (CLI{Stdout: &stderr, Stderr: &stderr, Getenv: func(string) string { return "" }}).Run(ctx, []string{"record",
		"--target", "http://" + addr, "--vars", varsFile, "-o", rec, "--vars-out", recVars})
	if code != 0 {
		t.Fatalf("record: exit %d\n%s", code, stderr.String())
	}
	for _, want := range []string{"arcgis: 1 portal users, 7 workspaces", "securid: 10 users", "replaced by the recording's own credentials: arcgis.login.password"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the summary does not say %q:\n%s", want, stderr.String())
		}
	}
	noSecretIn(t, varsFile, rec, recVars)
	recAddr, _, _ := serveInBackground(t, ctx, "--scenario", rec)
	verify := func(target, vars string) []string {
		var out bytes.Buffer
		code := (CLI{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}).Run(ctx, []string{"verify",
			"--target", "http://" + target, "--emulator", "no", "--vars", vars})
		if code != 0 {
			t.Fatalf("verify %s: exit %d\n%s", target, code, out.String())
		}
		return verdicts(out.String())
	}
	standIn, recording := verify(addr, varsFile), verify(recAddr, recVars)
	if len(standIn) < 60 || !slices.Equal(standIn, recording) {
		t.Errorf("the recording's verdicts differ from the stand-in's:\nstand-in:  %v\nrecording: %v", standIn, recording)
	}
}

// noSecretIn greps the files for every credential of the vars and of
// the sandbox scenario's world: passwords, tokens, keys, AK/SK.
func noSecretIn(t *testing.T, varsFile string, files ...string) {
	t.Helper()
	data, err := os.ReadFile(varsFile)
	if err != nil {
		t.Fatal(err)
	}
	vars, err := testsuite.ReadVars(varsFile, data)
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for k, v := range vars {
		if strings.Contains(k, "token") || strings.Contains(k, "Token") || strings.Contains(k, "password") ||
			strings.HasSuffix(k, ".basic") || strings.HasSuffix(k, ".unprivileged") || strings.HasSuffix(k, ".ak") ||
			strings.HasSuffix(k, ".sk") || strings.Contains(k, "privateKey") {
			secrets = append(secrets, v)
		}
	}
	world, err := scenarios.BuiltinSource("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)(password: (\S+)|^    (sandbox-\S+token|QSDK [0-9a-f]+|SANDBOX\S+)\b|secret: (\S+)|^        ([A-Za-z0-9+/]{40,})$)`)
	for _, m := range re.FindAllStringSubmatch(string(world), -1) {
		for _, g := range m[2:] {
			if g = strings.Trim(g, `":,{}`); g != "" {
				secrets = append(secrets, g)
			}
		}
	}
	if len(secrets) < 15 {
		t.Fatalf("only %d secrets found to look for: %q", len(secrets), secrets)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a credential of the tenant or the vars: %.40q", filepath.Base(f), s)
			}
		}
	}
}

// TestDriftExitCodes: no drift against the stand-in is 0, with every
// report written; a target that is down is 2 with one line.
func TestDriftExitCodes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, _, _ := serveInBackground(t, ctx, "--scenario", "sandbox")
	vars := filepath.Join("..", "..", "testsuite", "sandbox", "offboard.yaml")
	dir := t.TempDir()
	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := (CLI{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }}).Run(ctx, append([]string{"drift"}, args...))
		return code, out.String()
	}
	code, out := run("--target", "http://"+addr, "--vars", vars, "--json", filepath.Join(dir, "d.json"),
		"--junit", filepath.Join(dir, "d.xml"), "--html", filepath.Join(dir, "d.html"))
	if code != 0 || !strings.Contains(out, "0 differences in") {
		t.Fatalf("against the stand-in: exit %d\n%s", code, out)
	}
	for _, f := range []string{"d.json", "d.xml", "d.html"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || len(b) < 1000 {
			t.Errorf("%s: %v, %d bytes", f, err, len(b))
		}
		if bytes.Contains(b, []byte("sandbox-arcgis-admin-token")) || bytes.Contains(b, []byte("SANDBOXSECRETKEY")) {
			t.Errorf("%s holds a credential of the vars", f)
		}
	}
	if code, out := run("--target", "http://127.0.0.1:9", "--vars", vars); code != 2 || !strings.Contains(out, "could not be recorded") {
		t.Errorf("a target that is down: exit %d\n%s", code, out)
	}
	// Vars that let record read Onedata but no case run: nothing ran.
	few := filepath.Join(dir, "few.yaml")
	if err := os.WriteFile(few, []byte("onedata.token: sandbox-onedata-admin-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := run("--target", "http://"+addr, "--vars", few); code != 3 || !strings.Contains(out, "no case ran") {
		t.Errorf("no case ran: exit %d\n%s", code, out)
	}
	if code, out := run("--target", "127.0.0.1:9"); code != 2 {
		t.Errorf("a target without a scheme: exit %d\n%s", code, out)
	}
}
