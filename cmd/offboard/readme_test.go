package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
)

// readmeBlock is one fenced block of README.md or a docs/ page, and
// where it starts.
type readmeBlock struct {
	file string // "README.md", "docs/cases.md"
	line int
	text string
	skip string // why it is not run, from a "not run" comment before it
}

func (b readmeBlock) where() string { return b.file + ":" + strconv.Itoa(b.line) }

func readmeBlocks(t *testing.T) []readmeBlock { return readmeFenced(t, "sh") }

// guides are the pages whose blocks are run: README.md and docs/*.md.
func guides(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"../../README.md"}, pages...)
}

// readmeFenced finds the guides' blocks fenced as lang.
func readmeFenced(t *testing.T, lang string) []readmeBlock {
	t.Helper()
	var out []readmeBlock
	for _, page := range guides(t) {
		raw, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fenced(strings.TrimPrefix(page, "../../"), string(raw), lang)...)
	}
	return out
}

func fenced(file, raw, lang string) []readmeBlock {
	var out []readmeBlock
	lines := strings.Split(raw, "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] != "```"+lang {
			continue
		}
		b := readmeBlock{file: file, line: i + 1}
		if i > 0 {
			if _, why, ok := strings.Cut(lines[i-1], "<!-- not run by the README test:"); ok {
				b.skip = strings.TrimSpace(strings.TrimSuffix(why, "-->"))
			} else if strings.HasPrefix(lines[i-1], "<!-- validate-sample") {
				b.skip = "a sample of mistakes"
			}
		}
		var body []string
		for i++; i < len(lines) && lines[i] != "```"; i++ {
			body = append(body, lines[i])
		}
		b.text = strings.Join(body, "\n")
		out = append(out, b)
	}
	return out
}

// expectation is "# => TEXT" at the end of a command.
var expectation = regexp.MustCompile(`\s+# => (.*)$`)

// promise is one "# => TEXT" of a block: the block's line, the text its
// statement's output must hold, and the exit code it must end with ("#
// => exit 3: TEXT" for a command meant to fail; 0 otherwise).
type promise struct {
	line int
	want string
	exit int
}

var exitPromise = regexp.MustCompile(`^exit (\d+)(?::\s*(.*))?$`)

// instrument turns a block into a script that runs each statement as
// written and, where a statement promises "# => TEXT", keeps its output
// (stdout and stderr) and exit code in dir, as out.N and rc.N for the
// promise's line N, for check to hold against the promise.
func instrument(block, dir string) (string, []promise) {
	var script strings.Builder
	var promises []promise
	var stmt []string
	depth := 0
	for n, line := range strings.Split(block, "\n") {
		stmt = append(stmt, line)
		trimmed := strings.TrimSpace(expectation.ReplaceAllString(line, ""))
		switch {
		case strings.HasPrefix(trimmed, "for ") || strings.HasPrefix(trimmed, "while "):
			depth++
		case strings.HasPrefix(trimmed, "done"):
			depth--
		}
		if strings.HasSuffix(trimmed, `\`) || depth > 0 {
			continue
		}
		last := stmt[len(stmt)-1]
		m := expectation.FindStringSubmatch(last)
		if m == nil {
			script.WriteString(strings.Join(stmt, "\n") + "\n")
		} else {
			stmt[len(stmt)-1] = expectation.ReplaceAllString(last, "")
			p := promise{line: n + 1, want: m[1]}
			if e := exitPromise.FindStringSubmatch(m[1]); e != nil {
				p.exit, _ = strconv.Atoi(e[1])
				p.want = e[2]
			}
			promises = append(promises, p)
			file := fmt.Sprintf("%s/%%s.%d", dir, p.line)
			script.WriteString("__out=$( { " + strings.Join(stmt, "\n") + "\n} 2>&1 ); __rc=$?\n")
			script.WriteString(fmt.Sprintf("printf '%%s' \"$__out\" > '%s'; echo \"$__rc\" > '%s'\n", fmt.Sprintf(file, "out"), fmt.Sprintf(file, "rc")))
		}
		stmt = nil
	}
	return script.String(), promises
}

// check holds a promise to what its statement left in dir: the exit code
// exactly, and the text as a whole token of the output ("0 failed" is not
// in "10 failed", nor "200" in "2000").
func (p promise) check(dir string) error {
	out, err := os.ReadFile(fmt.Sprintf("%s/out.%d", dir, p.line))
	if err != nil {
		return fmt.Errorf("line %d never ran", p.line)
	}
	rc, _ := os.ReadFile(fmt.Sprintf("%s/rc.%d", dir, p.line))
	if got := strings.TrimSpace(string(rc)); got != strconv.Itoa(p.exit) {
		return fmt.Errorf("line %d exited %s, want %d:\n%s", p.line, got, p.exit, out)
	}
	if p.want != "" && !containsToken(string(out), p.want) {
		return fmt.Errorf("line %d: want %q in:\n%s", p.line, p.want, out)
	}
	return nil
}

// containsToken finds want in s where it does not run on into a letter or
// digit on a side where want itself starts or ends with one.
func containsToken(s, want string) bool {
	alnum := func(b byte) bool { return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
	for i := 0; ; {
		j := strings.Index(s[i:], want)
		if j < 0 {
			return false
		}
		at, end := i+j, i+j+len(want)
		before := at == 0 || !alnum(want[0]) || !alnum(s[at-1])
		after := end == len(s) || !alnum(want[len(want)-1]) || !alnum(s[end])
		if before && after {
			return true
		}
		i = at + 1
	}
}

// TestREADMEBlocks runs every shell block of README.md, as a newcomer
// would paste it, against a fresh server (on a free port in place of
// 127.0.0.1:8080, and the built binary in place of go run ./cmd/offboard),
// and checks every "# => TEXT" promise (issue 14).
func TestREADMEBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs README's blocks")
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed; README's blocks use it")
	}
	bin := filepath.Join(t.TempDir(), "offboard")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	repoRoot, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// README's guide to testing an offboarding tool runs the reference one.
	tool := filepath.Join(t.TempDir(), "offboard-person")
	build = exec.Command("go", "build", "-o", tool, "../../examples/offboard-person")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build offboard-person: %v\n%s", err, out)
	}
	checked := 0
	for _, b := range readmeBlocks(t) {
		if b.skip != "" {
			t.Logf("%s not run: %s", b.where(), b.skip)
			continue
		}
		t.Run(b.where(), func(t *testing.T) {
			addr, _, _ := startServe(t)
			dir := t.TempDir()
			script, promises := instrument(b.text, dir)
			script = strings.ReplaceAll(script, "127.0.0.1:8080", addr)
			script = strings.ReplaceAll(script, "go run ./cmd/offboard", bin)
			script = strings.ReplaceAll(script, "go run ./examples/offboard-person", tool)
			// A block that starts a server of its own gets a free port too,
			// and files of the repository by their full path.
			script = strings.ReplaceAll(script, "127.0.0.1:8090", freeAddr(t))
			script = strings.ReplaceAll(script, "127.0.0.1:8091", freeAddr(t))
			script = strings.ReplaceAll(script, " testsuite/", " "+repoRoot+"/testsuite/")
			cmd := exec.Command("bash", "-c", script)
			cmd.Dir = t.TempDir()
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Errorf("the block failed: %v\n%s", err, out.String())
			}
			for _, p := range promises {
				p.want = strings.ReplaceAll(p.want, "127.0.0.1:8080", addr)
				if err := p.check(dir); err != nil {
					t.Errorf("%s+%v", b.where(), err)
					continue
				}
				checked++
			}
			if len(promises) == 0 {
				t.Errorf("%s promises nothing checkable: give its commands a # => TEXT", b.where())
			}
		})
	}
	// A floor, so that a README edit that drops its promises shows up.
	if checked < 60 {
		t.Errorf("only %d promises checked", checked)
	}
}

// freeAddr finds a loopback port nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestREADMEScenariosLoad holds README's scenario examples to the loader:
// a field the README shows is one the emulator takes. The PEM keys the
// README elides ("...") are filled in with a fresh pair.
func TestREADMEScenariosLoad(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemOf := func(typ string, der []byte, indent string) string {
		text := strings.TrimSpace(string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})))
		return indent + strings.ReplaceAll(text, "\n", "\n"+indent)
	}
	elided := regexp.MustCompile(`(?m)^( +)(-----BEGIN PUBLIC KEY-----\n +)?\.\.\.$`)
	loaded := 0
	for _, b := range readmeFenced(t, "yaml") {
		if b.skip != "" {
			continue
		}
		text := elided.ReplaceAllStringFunc(b.text, func(m string) string {
			indent := m[:len(m)-len(strings.TrimLeft(m, " "))]
			if strings.Contains(m, "PUBLIC") {
				return pemOf("PUBLIC KEY", pub, indent)
			}
			return pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(key), indent)
		})
		e, err := emulator.New()
		if err != nil {
			t.Fatal(err)
		}
		if err := e.LoadYAML("README.md", []byte(text)); err != nil {
			t.Errorf("%s: %v", b.where(), err)
		}
		e.Close()
		loaded++
	}
	if loaded == 0 {
		t.Fatal("README.md has no scenario examples to load")
	}
}

// TestPromisesAreWholeTokens: a README promise is found as a whole token
// and its statement's exit code counts.
func TestPromisesAreWholeTokens(t *testing.T) {
	for _, tc := range []struct {
		out, want string
		ok        bool
	}{
		{"2 passed, 10 failed", "0 failed", false}, {"2 passed, 0 failed", "0 failed", true},
		{"HTTP/1.1 2000", "200", false}, {"HTTP/1.1 200 OK", "200", true},
		{`{"token":"QSDK abc"}`, `"token":"QSDK`, true}, {`x"code":4980`, `"code":498`, false},
	} {
		if got := containsToken(tc.out, tc.want); got != tc.ok {
			t.Errorf("containsToken(%q, %q) = %v", tc.out, tc.want, got)
		}
	}
	dir := t.TempDir()
	script, promises := instrument("false  # => nothing\nexit 3  # => exit 3\n", dir)
	if err := exec.Command("bash", "-c", script).Run(); err != nil {
		t.Fatal(err)
	}
	if len(promises) != 2 || promises[0].check(dir) == nil || promises[1].check(dir) != nil {
		t.Errorf("a failing command passed its promise, or exit 3 failed 'exit 3': %+v", promises)
	}
}
