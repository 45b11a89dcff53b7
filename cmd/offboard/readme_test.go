package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
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

// readmeBlock is one fenced block of README.md and where it starts.
type readmeBlock struct {
	line int
	text string
	skip string // why it is not run, from a "not run" comment before it
}

func readmeBlocks(t *testing.T) []readmeBlock { return readmeFenced(t, "sh") }

// readmeFenced finds README.md's blocks fenced as lang.
func readmeFenced(t *testing.T, lang string) []readmeBlock {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeBlock
	lines := strings.Split(string(raw), "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] != "```"+lang {
			continue
		}
		b := readmeBlock{line: i + 1}
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

// instrument turns a block into a script that runs each statement as
// written and, where a statement promises "# => TEXT", checks that its
// output (stdout and stderr) contains TEXT, printing PASS or FAIL lines.
func instrument(block string) string {
	var script strings.Builder
	script.WriteString(`__check() { case "$3" in *"$2"*) echo "PASS $1";; *) printf 'FAIL %s: want %s in:\n%s\n' "$1" "$2" "$3";; esac; }` + "\n")
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
			want := strings.ReplaceAll(m[1], `'`, `'\''`)
			script.WriteString("__out=$( { " + strings.Join(stmt, "\n") + "\n} 2>&1 )\n")
			script.WriteString("__check 'line " + strconv.Itoa(n+1) + "' '" + want + "' \"$__out\"\n")
		}
		stmt = nil
	}
	return script.String()
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
	checked := 0
	for _, b := range readmeBlocks(t) {
		if b.skip != "" {
			t.Logf("README.md:%d not run: %s", b.line, b.skip)
			continue
		}
		t.Run("README.md:"+strconv.Itoa(b.line), func(t *testing.T) {
			addr, _, _ := startServe(t)
			script := instrument(b.text)
			script = strings.ReplaceAll(script, "127.0.0.1:8080", addr)
			script = strings.ReplaceAll(script, "go run ./cmd/offboard", bin)
			// A block that starts a server of its own gets a free port too,
			// and files of the repository by their full path.
			script = strings.ReplaceAll(script, "127.0.0.1:8090", freeAddr(t))
			script = strings.ReplaceAll(script, " testsuite/", " "+repoRoot+"/testsuite/")
			cmd := exec.Command("bash", "-c", script)
			cmd.Dir = t.TempDir()
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				t.Errorf("the block failed: %v\n%s", err, out.String())
			}
			passes := strings.Count(out.String(), "PASS line ")
			checked += passes
			if strings.Contains(out.String(), "FAIL line ") {
				for _, line := range strings.SplitAfter(out.String(), "\n") {
					if strings.HasPrefix(line, "FAIL ") {
						t.Errorf("README.md:%d+%s", b.line, line)
					}
				}
				t.Logf("output:\n%s", out.String())
			}
			if passes == 0 {
				t.Errorf("README.md:%d promises nothing checkable: give its commands a # => TEXT", b.line)
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
			t.Errorf("README.md:%d: %v", b.line, err)
		}
		e.Close()
		loaded++
	}
	if loaded == 0 {
		t.Fatal("README.md has no scenario examples to load")
	}
}
