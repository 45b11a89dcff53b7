package emulator_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// rawRequest sends bytes as they are (a method Go's client would refuse)
// and reads the status line of the answer.
func rawRequest(t *testing.T, addr, req string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	method, _, _ := strings.Cut(req, " ")
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%q: %v", req, err)
	}
	resp.Body.Close()
}

// shells are the shells a copied command is pasted into.
var shells = [][]string{{"bash", "-s"}, {"zsh", "-s"}, {"fish"}}

// TestCopyAsCurlIsSafeToPaste: the console's "Copy as curl" of hostile
// requests (a method of backticks and $IFS, a session in the path and in
// a header, escaped paths, quotes, $(...), a body of escapes, invalid
// UTF-8 and a leading @) is run by bash, zsh and fish in a scratch
// directory: nothing else runs there, and the request it sends lands in
// the journal equal to the original (it once ran the method's command,
// dropped the session and unescaped the path).
func TestCopyAsCurlIsSafeToPaste(t *testing.T) {
	if testing.Short() {
		t.Skip("runs curl in three shells")
	}
	for _, tool := range []string{"curl", "bash", "zsh", "fish"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing: .ci/run installs it", tool)
			}
			t.Skipf("%s is not installed (CI installs it)", tool)
		}
	}
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	addr := strings.TrimPrefix(srv.URL, "http://")
	const pwn = "touch pwned; touch $(echo pwned2); `touch pwned3`"
	hostile := []string{
		"X`touch$IFS'pwned'` /api/v3/onezone/users/x HTTP/1.1\r\nHost: " + addr + "\r\n\r\n",
		"DELETE /__session/job%2F7/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1 HTTP/1.1\r\nHost: " + addr +
			"\r\nAuthorization: Basic YWRtaW46cGFzc3dvcmQ=\r\nUser-Agent: a-tool/1.0\r\n\r\n",
		"GET /api/v3/onezone/users/a%2Fb%20c?q=$(touch%20pwned)&r='x'\"y HTTP/1.1\r\nHost: " + addr +
			"\r\nX-Evil: '; " + pwn + "; echo '\\\r\nX-Offboard-Session: job%2F8\r\nX-Empty: \r\nAccept: */*\r\n\r\n",
		body("POST", addr, "application/json", `{"username":"a'b\"c\\d `+pwn+`"}`),
		body("POST", addr, "", "@/etc/passwd\x1b[201~; touch pwned\r\n\xff\xfe\\'%s%n"),
		body("PUT", addr, "text/plain", "-n 'it\\'s' \\\\ fish \\' end\\"),
		"HEAD /api/v3/onezone/users HTTP/1.1\r\nHost: " + addr + "\r\nX-Bin: \xff\xfe'\\\r\n\r\n",
	}
	for i, req := range hostile {
		rawRequest(t, addr, req)
		orig := last(t, srv)
		for _, sh := range shells {
			t.Run(fmt.Sprintf("%d/%s", i, sh[0]), func(t *testing.T) {
				cmd, err := srv.Emulator.RequestCurl(orig.Seq)
				if err != nil {
					t.Fatal(err)
				}
				dir, home := t.TempDir(), t.TempDir() // the shell's own files go to home
				run := exec.Command(sh[0], sh[1:]...)
				run.Dir, run.Stdin = dir, strings.NewReader(cmd+"\n")
				run.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "XDG_DATA_HOME="+home)
				out, err := run.CombinedOutput()
				if err != nil {
					t.Fatalf("%s: %v\n%s\n%s", sh[0], err, cmd, out)
				}
				if left, _ := os.ReadDir(dir); len(left) > 0 {
					names := []string{}
					for _, e := range left {
						names = append(names, e.Name())
					}
					t.Errorf("pasting it left %v in the scratch directory:\n%s", names, cmd)
				}
				again := last(t, srv)
				if again.Seq == orig.Seq {
					t.Fatalf("the pasted command sent nothing:\n%s\n%s", cmd, out)
				}
				type sent struct {
					Method, Host, Target, Session, Body string
					Header                              map[string][]string
				}
				want := sent{orig.Method, orig.Host, orig.Target, orig.Session, orig.Body, orig.Header}
				got := sent{again.Method, again.Host, again.Target, again.Session, again.Body, again.Header}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("the pasted request differs (-original +pasted):\n%s\n%s", d, cmd)
				}
			})
		}
	}
}

func body(method, addr, contentType, b string) string {
	h := fmt.Sprintf("%s /api/v3/onezone/users HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", method, addr, len(b))
	if contentType != "" {
		h += "Content-Type: " + contentType + "\r\n"
	}
	return h + "\r\n" + b
}

// last is the journal's newest entry.
func last(t *testing.T, srv *emulatortest.Server) emulator.Entry {
	t.Helper()
	list, err := srv.Emulator.Requests(emulator.Filter{}, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("journal: %v %v", err, list)
	}
	return list[0]
}
