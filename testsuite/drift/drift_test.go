package drift_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/testsuite"
	"github.com/offboard/offboard/testsuite/drift"
)

// standIn serves the sandbox stand-in; reload puts its world back.
func standIn(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	em, err := emulator.New(emulator.WithScenario("sandbox"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)
	return em, srv.URL
}

func serveRecording(t *testing.T) func([]byte) (string, func(), error) {
	return func(scenario []byte) (string, func(), error) {
		em, err := emulator.New(emulator.WithScenarioYAML("recording", scenario))
		if err != nil {
			return "", nil, err
		}
		srv := httptest.NewServer(em)
		return srv.URL, srv.Close, nil
	}
}

func sandboxVars(t *testing.T) map[string]string {
	t.Helper()
	vars, err := testsuite.SandboxVars()
	if err != nil {
		t.Fatal(err)
	}
	return vars
}

func run(t *testing.T, target string, noDefaults bool) *drift.Report {
	t.Helper()
	rep, err := drift.Run(context.Background(), drift.Options{Target: target, Vars: sandboxVars(t),
		Serve: serveRecording(t), NoDefaultRules: noDefaults})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Steps) < 60 {
		t.Fatalf("only %d steps ran", len(rep.Steps))
	}
	return rep
}

// TestNoDriftAgainstTheStandIn: the stand-in and its recording answer
// alike, run after run.
func TestNoDriftAgainstTheStandIn(t *testing.T) {
	em, url := standIn(t)
	for i := range 2 {
		rep := run(t, url, false)
		if rep.Drifted() {
			var b bytes.Buffer
			_ = rep.Summary(&b)
			t.Fatalf("run %d drifted:\n%s", i+1, b.String())
		}
		if err := em.LoadRefs("sandbox"); err != nil {
			t.Fatal(err)
		}
	}
}

// planted is a change the proxy makes to the stand-in's answers, and the
// difference drift must report for it.
type planted struct {
	vendor string
	match  func(r *http.Request) bool
	alter  func(status int, body string, h http.Header) (int, string)
	path   *regexp.Regexp // the difference's path
	kind   string
}

var plants = []planted{
	{"huawei", func(r *http.Request) bool { return r.Method == "POST" && strings.HasSuffix(r.URL.Path, "/users") },
		func(s int, b string, h http.Header) (int, string) { h.Del("X-Request-Id"); return s, b },
		regexp.MustCompile(`^header X-Request-Id$`), "added"}, // the vendor dropped it; the emulator still sends it
	{"arcgis", func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/deleteUserWorkspace") },
		func(s int, b string, _ http.Header) (int, string) {
			return s, strings.Replace(b, `{"status":"success"`, `{"status":"success","extra":1`, 1)
		},
		regexp.MustCompile(`^body\.extra$`), "missing"}, // the vendor's answer has it, the emulator's not
	{"commvault", func(r *http.Request) bool { return r.Method == "DELETE" && strings.Contains(r.URL.Path, "/User/") },
		func(s int, b string, _ http.Header) (int, string) {
			return s, strings.ReplaceAll(b, `errorString=`, `errorMessage=`)
		},
		regexp.MustCompile(`/@error(String|Message)$`), ""},
	{"huawei", func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/delete-users") },
		func(s int, b string, _ http.Header) (int, string) {
			if s == 200 {
				return 202, b
			}
			return s, b
		}, regexp.MustCompile(`^status$`), "changed value"},
	{"huawei", func(r *http.Request) bool {
		return r.Method == "GET" && strings.HasSuffix(r.URL.Path, "/users") && strings.HasPrefix(r.URL.Path, "/v2/")
	},
		func(s int, b string, _ http.Header) (int, string) {
			re := regexp.MustCompile(`(?s)^\{\n(\s*"count" : [^\n]*\n)(\s*"total_page" : [^\n,]*),?\n`)
			return s, re.ReplaceAllString(b, "{\n${2},\n${1}")
		}, regexp.MustCompile(`^body$`), "order"},
	{"onedata", func(r *http.Request) bool { return r.Method == "DELETE" },
		func(s int, b string, _ http.Header) (int, string) {
			return s, strings.Replace(b, `"description":"The resource could not be found."`, `"description":"No such user."`, 1)
		},
		regexp.MustCompile(`^body\.error\.description$`), "changed value"},
	{"securid", func(r *http.Request) bool {
		return r.Method == "DELETE" && strings.Contains(r.URL.Path, "/restapi/v1/users/")
	},
		func(s int, b string, _ http.Header) (int, string) {
			return s, strings.Replace(b, `"status":409`, `"status":"409"`, 1)
		},
		regexp.MustCompile(`^body\.status$`), "changed type"},
}

// tamper is a proxy before the stand-in that plants the changes.
func tamper(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(resp *http.Response) error {
		for _, pl := range plants {
			if !pl.match(resp.Request) {
				continue
			}
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				return err
			}
			status, body := pl.alter(resp.StatusCode, string(b), resp.Header)
			resp.StatusCode, resp.Body = status, io.NopCloser(strings.NewReader(body))
			resp.ContentLength = int64(len(body))
			resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		}
		return nil
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestDriftFindsWhatWasPlanted: every planted change is reported, and
// nothing else; without the volatile rules, more is.
func TestDriftFindsWhatWasPlanted(t *testing.T) {
	em, target := standIn(t)
	proxy := tamper(t, target)
	rep := run(t, proxy, false)
	found := make([]int, len(plants))
	// Once a planted change makes a case fail on the vendor's side, the
	// case goes on otherwise there (its clean-up steps): what follows in
	// that case is a consequence, not another difference.
	planted := map[string]bool{}
	for _, s := range rep.Steps {
		for _, d := range s.Differences {
			i := plantOf(s.Vendor, d)
			switch {
			case i >= 0:
				found[i]++
				planted[s.Vendor+"/"+s.Case] = true
				planted[s.Vendor] = true
			case s.Case == "state read back" && planted[s.Vendor]:
				// A case sent down another path leaves other state behind.
			case !planted[s.Vendor+"/"+s.Case]:
				t.Errorf("%s %s step %d: not planted: %s", s.Vendor, s.Case, s.Index, d)
			}
		}
	}
	for i, n := range found {
		if n == 0 {
			t.Errorf("planted %s change (%s) not reported", plants[i].vendor, plants[i].path)
		}
	}
	html := filepath.Join(t.TempDir(), "drift.html")
	writeHTML(t, rep, html)
	htmlShowsEachPlant(t, html)

	if err := em.LoadRefs("sandbox"); err != nil {
		t.Fatal(err)
	}
	bare := run(t, proxy, true)
	extra := 0
	for _, s := range bare.Steps {
		for _, d := range s.Differences {
			if plantOf(s.Vendor, d) < 0 && d.Path != "step" {
				extra++
			}
		}
	}
	if extra == 0 {
		t.Error("without the volatile rules nothing more differs: the rules are not what keeps the run clean")
	}
}

func plantOf(vendor string, d drift.Difference) int {
	for i, p := range plants {
		if p.vendor == vendor && p.path.MatchString(d.Path) && (p.kind == "" || p.kind == d.Kind) {
			return i
		}
	}
	return -1
}

func writeHTML(t *testing.T, rep *drift.Report, file string) {
	t.Helper()
	var b bytes.Buffer
	if err := rep.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}
