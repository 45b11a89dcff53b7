package testsuite_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/testsuite"
)

// TestContract runs every documented case against an in-process emulator
// whose every response is validated against its own spec.
func TestContract(t *testing.T) {
	suites, err := testsuite.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(suites) != 5 {
		t.Fatalf("%d suites, want one per vendor (5)", len(suites))
	}
	vars, err := testsuite.MintedVars()
	if err != nil {
		t.Fatal(err)
	}
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	target := testsuite.Target{BaseURL: srv.URL, Emulator: true, Vars: vars}
	for _, s := range suites {
		t.Run(s.Vendor, func(t *testing.T) {
			if len(s.Cases) < 5 {
				t.Errorf("%s has %d cases", s.Vendor, len(s.Cases))
			}
			for _, c := range s.Cases {
				t.Run(c.Name, func(t *testing.T) {
					t.Parallel() // sessions keep the cases apart
					res := testsuite.RunCase(context.Background(), target, s, c)
					if res.Skipped != "" {
						t.Fatalf("skipped against the emulator: %s", res.Skipped)
					}
					if !res.Passed() {
						t.Fatalf("%s\n%s", c.Doc, res.Failure)
					}
				})
			}
		})
	}
}

// TestBrokenCaseDiff: a case broken on purpose fails with a diff a person
// reads at a glance.
func TestBrokenCaseDiff(t *testing.T) {
	s, err := testsuite.Parse("broken.yaml", []byte(`
vendor: onedata
cases:
  - name: wrong-description
    request: {method: DELETE, path: /api/v3/onezone/users/ffffffffffffffffffffffffffffffff}
    expect: {status: 404, json: {error: {id: notFound, description: The resource was eaten.}}}
  - name: wrong-status-and-body
    request: {method: DELETE, path: /api/v3/onezone/users/ffffffffffffffffffffffffffffffff}
    expect: {status: 410, body: "gone"}
`))
	if err != nil {
		t.Fatal(err)
	}
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	res := testsuite.Run(context.Background(), testsuite.Target{BaseURL: srv.URL, Emulator: true}, []*testsuite.Suite{s}, testsuite.Filter{})
	if len(res) != 2 || res[0].Passed() || res[1].Passed() {
		t.Fatalf("broken cases passed: %+v", res)
	}
	if res[0].Duration <= 0 {
		t.Errorf("no duration measured: %v", res[0].Duration)
	}
	for _, want := range []string{`  -     "description": "The resource was eaten."`, `  +     "description": "The resource could not be found."`} {
		if !strings.Contains(res[0].Failure, want) {
			t.Errorf("diff lacks %q:\n%s", want, res[0].Failure)
		}
	}
	for _, want := range []string{"status: got 404, want 410", "  - gone\n", `  +     "id": "notFound"`} {
		if !strings.Contains(res[1].Failure, want) {
			t.Errorf("failure lacks %q:\n%s", want, res[1].Failure)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown field":   "vendor: x\ncases:\n  - name: a\n    reqest: {}\n",
		"no steps":        "vendor: x\ncases:\n  - name: a\n",
		"duplicate names": "vendor: x\ncases:\n  - {name: a, request: {method: GET, path: /}, expect: {status: 200}}\n  - {name: a, request: {method: GET, path: /}, expect: {status: 200}}\n",
		"no status":       "vendor: x\ncases:\n  - {name: a, request: {method: GET, path: /}, expect: {body: x}}\n",
		"two bodies":      "vendor: x\ncases:\n  - {name: a, request: {method: GET, path: /}, expect: {status: 200, body: x, xml: <a/>}}\n",
	} {
		if _, err := testsuite.Parse("bad.yaml", []byte(doc)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

func TestFilterAndSkip(t *testing.T) {
	suites, err := testsuite.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	// Against something that is not an emulator, cases needing another
	// scenario are skipped, not failed.
	res := testsuite.Run(context.Background(), testsuite.Target{BaseURL: srv.URL}, suites, testsuite.Filter{Vendor: "arcgis", Case: "seed-*"})
	var names []string
	for _, r := range res {
		names = append(names, r.Case)
		if r.Case == "seed-running-containers" && r.Skipped == "" {
			t.Errorf("a scenario case ran against a vendor target")
		}
	}
	if len(res) != 4 {
		t.Fatalf("filter picked %v", names)
	}
}

func TestJUnit(t *testing.T) {
	var b strings.Builder
	err := testsuite.WriteJUnit(&b, "http://127.0.0.1:8080", []testsuite.Result{
		{Vendor: "onedata", Case: "ok", Doc: "what passes", Duration: 1500 * time.Millisecond},
		{Vendor: "onedata", Case: "bad", Doc: "why", Failure: "status: got 404, want 410\nmore"},
		{Vendor: "arcgis", Case: "later", Doc: "what it shows", Skipped: "needs scenario x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<testsuites name="offboard verify http://127.0.0.1:8080" tests="3" failures="1" skipped="1" time="1.500">`,
		`<testcase name="ok" classname="offboard.onedata" time="1.500">`, `<system-out>what passes</system-out>`,
		`<testsuite name="onedata" hostname="127.0.0.1:8080" tests="2" failures="1" skipped="0"`,
		`<property name="target" value="http://127.0.0.1:8080">`,
		`<failure message="status: got 404, want 410">why`, `<skipped message="needs scenario x">what it shows</skipped>`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %s:\n%s", want, b.String())
		}
	}
}

// TestDocsNameFilesInRepo: a case that cites a file must cite one a reader of
// this repository can open (issue 14 found one citing a document we do not ship).
func TestDocsNameFilesInRepo(t *testing.T) {
	suites, err := testsuite.Load()
	if err != nil {
		t.Fatal(err)
	}
	cited := regexp.MustCompile(`[A-Za-z0-9_./-]+\.(?:md|ya?ml|json|go)\b`)
	n := 0
	check := func(where, doc string) {
		for _, name := range cited.FindAllString(doc, -1) {
			n++
			if _, err := os.Stat(filepath.Join("..", name)); err != nil {
				t.Errorf("%s cites %s, which is not in the repository", where, name)
			}
		}
	}
	for _, s := range suites {
		check(s.Vendor, s.Doc)
		for _, c := range s.Cases {
			check(s.Vendor+"/"+c.Name, c.Doc)
		}
	}
	if n == 0 {
		t.Fatal("no case cites a file; the pattern is wrong")
	}
}

// sandboxTarget is the built-in sandbox scenario served in-process, and
// the variables shipped for it, as a sandbox run sees them.
func sandboxTarget(t *testing.T) testsuite.Target {
	t.Helper()
	srv := emulatortest.New(t, emulator.WithScenario("sandbox"))
	data, err := os.ReadFile("sandbox/offboard.yaml")
	if err != nil {
		t.Fatal(err)
	}
	vars, err := testsuite.ReadVars("sandbox/offboard.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return testsuite.Target{BaseURL: srv.URL, Vars: vars}
}

// TestSandboxStandIn: against the sandbox scenario, as against a real
// sandbox, every case that can run passes, at least 30 run, and every
// skipped one says why (issue 11).
func TestSandboxStandIn(t *testing.T) {
	suites, err := testsuite.Load()
	if err != nil {
		t.Fatal(err)
	}
	results := testsuite.Run(context.Background(), sandboxTarget(t), suites, testsuite.Filter{})
	passed := 0
	for _, r := range results {
		switch {
		case r.Skipped != "":
			if r.SuiteSkipped || len(r.Skipped) < 20 {
				t.Errorf("%s/%s skipped without a reason of its own: %q", r.Vendor, r.Case, r.Skipped)
			}
		case r.Failure != "":
			t.Errorf("%s/%s failed against the sandbox stand-in:\n%s", r.Vendor, r.Case, r.Failure)
		default:
			passed++
		}
	}
	if passed < 30 {
		t.Errorf("%d cases ran against the sandbox stand-in, want at least 30", passed)
	}
}

// TestCleanupAfterFailure: a case that fails half way removes the user it
// created, and says so.
func TestCleanupAfterFailure(t *testing.T) {
	target := sandboxTarget(t)
	s, err := testsuite.Parse("half-way.yaml", []byte(`
vendor: onedata
vars:
  onedata.basic: {doc: admin}
cases:
  - name: half-way
    steps:
      - request: {method: POST, path: /api/v3/onezone/users, headers: {Authorization: "${onedata.basic}", Content-Type: application/json},
                  body: '{"username":"half-way-user","password":"half-way-password"}'}
        expect: {status: 201}
        capture: {created.id: {header: Location, pattern: '/users/([0-9a-f]{32})$'}}
      - request: {method: GET, path: "/api/v3/onezone/users/${created.id}", headers: {Authorization: "${onedata.basic}"}}
        expect: {status: 418}
    cleanup:
      - request: {method: DELETE, path: "/api/v3/onezone/users/${created.id}", headers: {Authorization: "${onedata.basic}"}}
        expect: {status: 204}
`))
	if err != nil {
		t.Fatal(err)
	}
	res := testsuite.RunCase(context.Background(), target, s, s.Cases[0])
	if res.Failure == "" || !strings.Contains(res.Failure, "cleaned up: DELETE /api/v3/onezone/users/") {
		t.Fatalf("want a failure that reports its cleanup, got %+v", res)
	}
	id := regexp.MustCompile(`users/([0-9a-f]{32})`).FindStringSubmatch(res.Failure)[1]
	req, _ := http.NewRequest(http.MethodGet, target.BaseURL+"/api/v3/onezone/users/"+id, nil)
	req.Header.Set("Authorization", target.Vars["onedata.basic"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("the created user is still there: GET answered %d", resp.StatusCode)
	}
}

// TestStopsOnATargetThatIsNotTheVendor: a target that does not answer,
// or answers as a proxy does (an HTML 502), ends the run after its first
// case with one result that says why.
func TestStopsOnATargetThatIsNotTheVendor(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><title>502 Bad Gateway</title></html>"))
	}))
	defer proxy.Close()
	suites, err := testsuite.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, url, why string }{
		{"unreachable", down.URL, "does not answer"},
		{"a proxy's 502 page", proxy.URL, "502"},
	} {
		t.Run(c.name, func(t *testing.T) {
			target := sandboxTarget(t)
			target.BaseURL = c.url
			results := testsuite.Run(context.Background(), target, suites, testsuite.Filter{})
			if len(results) != 1 || !results[0].Unreachable || !strings.Contains(results[0].Failure, c.why) {
				t.Fatalf("want one stop naming %q, got %d: %+v", c.why, len(results), results)
			}
		})
	}
}

func TestReadVars(t *testing.T) {
	got, err := testsuite.ReadVars("v.yaml", []byte("a.b: x\nids: [p, q]\n"))
	if err != nil || got["a.b"] != "x" || got["ids"] != "p,q" {
		t.Fatalf("got %v, %v", got, err)
	}
	if _, err := testsuite.ReadVars("v.yaml", []byte("a: {b: c}\n")); err == nil || !strings.Contains(err.Error(), "v.yaml:1:") {
		t.Fatalf("a mapping value: %v", err)
	}
}

// TestREADMEListsEveryVariable: the variable table (docs/verify.md, which
// README's "Checking a real sandbox" links) names every variable of every
// suite, so a sandbox user finds them without reading the case files.
func TestREADMEListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../docs/verify.md")
	if err != nil {
		t.Fatal(err)
	}
	suites, err := testsuite.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range suites {
		for name := range s.Vars {
			if !strings.Contains(string(readme), "| `"+name+"` |") {
				t.Errorf("docs/verify.md's variable table lacks %s", name)
			}
		}
	}
}
