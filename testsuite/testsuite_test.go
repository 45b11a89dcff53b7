package testsuite_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

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
	err := testsuite.WriteJUnit(&b, []testsuite.Result{
		{Vendor: "onedata", Case: "ok"},
		{Vendor: "onedata", Case: "bad", Doc: "why", Failure: "status: got 404, want 410\nmore"},
		{Vendor: "arcgis", Case: "later", Skipped: "needs scenario x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<testsuites tests="3" failures="1" skipped="1">`, `<testsuite name="onedata" tests="2" failures="1" skipped="0"`,
		`<failure message="status: got 404, want 410">why`, `<skipped message="needs scenario x"></skipped>`} {
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
