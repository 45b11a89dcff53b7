package testsuite

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/offboard/offboard/emulator"
)

// Target is where the cases run.
type Target struct {
	BaseURL string
	Client  *http.Client
	// Emulator is true when the target is offboard: cases then run each
	// in a session of their own with their scenario loaded. Against a
	// vendor, cases that need another scenario than default are skipped.
	Emulator bool
	// Vars override the suites' defaults: credentials for a sandbox.
	Vars map[string]string
	// OnCase, when set, is told each case before it runs (drift pairs
	// the requests of one case on two targets by it).
	OnCase func(vendor, name string)

	pools *pools             // ids handed out in this run
	spec  *emulator.Emulator // checks a sandbox's answers against our specs
}

// prepare readies a target for a run: its id pools and, against a
// sandbox, the spec checker.
func (t *Target) prepare() error {
	if t.Client == nil {
		t.Client = NewClient()
	} else if t.Client.CheckRedirect == nil {
		// A caller's client keeps its transport and timeout, not Go's
		// default of following redirects anywhere.
		c := *t.Client
		c.CheckRedirect = sameOrigin
		t.Client = &c
	}
	if t.pools == nil {
		t.pools = &pools{used: map[string]int{}, usedUp: map[string]error{}, checked: map[string]int{}}
		t.Vars = maps.Clone(t.Vars)
		if t.Vars == nil {
			t.Vars = map[string]string{}
		}
		if err := SignSecurID(t.Vars, time.Now()); err != nil {
			return err
		}
	}
	if !t.Emulator && t.spec == nil {
		em, err := emulator.New()
		if err != nil {
			return err
		}
		t.spec = em
	}
	return nil
}

// Filter picks cases: Vendor exact (empty: all), Case a path.Match glob
// on "vendor/case" or on the case name alone (empty: all).
type Filter struct {
	Vendor string
	Case   string
}

// Any tells whether the filter picks at least one case of the suites.
func (f Filter) Any(suites []*Suite) bool {
	for _, s := range suites {
		for _, c := range s.Cases {
			if f.match(s.Vendor, c.Name) {
				return true
			}
		}
	}
	return false
}

func (f Filter) match(vendor, name string) bool {
	if f.Vendor != "" && f.Vendor != vendor {
		return false
	}
	if f.Case == "" {
		return true
	}
	ok1, _ := path.Match(f.Case, vendor+"/"+name)
	ok2, _ := path.Match(f.Case, name)
	return ok1 || ok2
}

// Result is one case's outcome.
type Result struct {
	Vendor   string
	Case     string
	Doc      string
	Skipped  string // why, when skipped
	Failure  string // what differed, readable; empty when passed
	Duration time.Duration
	// Unreachable: the target is down or is not the vendor (a proxy's
	// 502, a login page); the run stops there.
	Unreachable bool
	// SuiteSkipped: the whole vendor was skipped for the same reason
	// (required variables missing, named in Missing), reported once.
	SuiteSkipped bool
	Missing      string
}

// Passed tells a passing case.
func (r Result) Passed() bool { return r.Failure == "" && r.Skipped == "" }

// Run executes the matching cases one after the other. It stops after a
// case that finds the target unreachable or not the vendor at all.
func Run(ctx context.Context, t Target, suites []*Suite, f Filter) []Result {
	var out []Result
	if err := t.prepare(); err != nil {
		return []Result{{Vendor: "offboard", Case: "setup", Failure: err.Error(), Unreachable: true}}
	}
	for _, s := range suites {
		missing := ""
		if !t.Emulator {
			missing = strings.Join(s.missingRequired(t.Vars), ", ")
		}
		for _, c := range s.Cases {
			if !f.match(s.Vendor, c.Name) {
				continue
			}
			if missing != "" {
				out = append(out, Result{Vendor: s.Vendor, Case: c.Name, Doc: c.Doc, SuiteSkipped: true, Missing: missing,
					Skipped: "missing variables " + missing + " (offboard verify --vendor " + s.Vendor + " --list-vars)"})
				continue
			}
			if t.OnCase != nil {
				t.OnCase(s.Vendor, c.Name)
			}
			r := RunCase(ctx, t, s, c)
			out = append(out, r)
			if r.Unreachable {
				return out
			}
		}
	}
	return out
}

// missingRequired names the required variables a sandbox run lacks.
func (s *Suite) missingRequired(given map[string]string) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(s.Vars)) {
		if v := s.Vars[name]; !v.Optional && given[name] == "" {
			out = append(out, name)
		}
	}
	return out
}

// RunCase executes one case.
func RunCase(ctx context.Context, t Target, s *Suite, c *Case) (res Result) {
	start := time.Now()
	res = Result{Vendor: s.Vendor, Case: c.Name, Doc: c.Doc}
	defer func() {
		res.Duration = time.Since(start)
		res.Failure = clip(Sanitize(res.Failure), maxReport)
	}()
	if err := t.prepare(); err != nil {
		res.Failure = err.Error()
		return res
	}
	vars := map[string]string{}
	for k, v := range t.Vars {
		vars[k] = v
	}
	if t.Emulator {
		for k, v := range s.Vars {
			if _, given := vars[k]; !given && !v.Minted {
				vars[k] = v.Default
			}
		}
	}
	session := ""
	if t.Emulator {
		session = newSessionID(s.Vendor, c.Name)
		if err := loadScenario(ctx, t, session, c.Scenario); err != nil {
			res.Failure = err.Error()
			res.Unreachable = isUnreachable(err)
			return res
		}
		defer dropSession(t, session)
	} else {
		switch {
		case c.Scenario != "default":
			res.Skipped = "needs scenario " + c.Scenario + ", which only an emulator can load"
			return res
		case c.EmulatorOnly != "":
			res.Skipped = "emulator only: " + c.EmulatorOnly
			return res
		}
	}
	for _, name := range s.uses(c, !t.Emulator) {
		if vars[name] == "" {
			res.Skipped = "variable " + name + " not given (offboard verify --vendor " + s.Vendor + " --list-vars)"
			return res
		}
		if s.Vars[name].Pool {
			if t.Emulator {
				// Each case has a fresh session: the first id is always there.
				vars[name], _, _ = strings.Cut(vars[name], ",")
				vars[name] = strings.TrimSpace(vars[name])
				continue
			}
			id, err := t.pools.take(ctx, t, s, name, vars)
			if err != nil {
				res.Failure = err.Error()
				res.Unreachable = isUnreachable(err)
				return res
			}
			vars[name] = id
		}
	}
	for i, st := range c.Steps {
		if err := runStep(ctx, t, session, vars, st); err != nil {
			res.Failure = fmt.Sprintf("step %d: %s %s\n%s", i+1, st.Request.Method, expand(st.Request.Path, vars), err)
			res.Unreachable = isUnreachable(err)
			if !res.Unreachable {
				if note := cleanup(ctx, t, session, vars, c.Cleanup); note != "" {
					res.Failure += "\n" + note
				}
			}
			return res
		}
	}
	return res
}

// cleanup runs a failed case's cleanup steps whose variables are all
// known, and tells what it could not undo.
func cleanup(ctx context.Context, t Target, session string, vars map[string]string, steps []*Step) string {
	var notes []string
	for _, st := range steps {
		ready := true
		for _, ref := range st.refs() {
			if _, ok := vars[ref]; !ok {
				ready = false
			}
		}
		if !ready {
			continue
		}
		undo := *st
		undo.Expect = Expect{Status: st.Expect.Status} // the status says it worked; nothing else is checked
		if err := runStep(ctx, t, session, vars, &undo); err != nil {
			notes = append(notes, fmt.Sprintf("cleanup %s %s did not work: %v", st.Request.Method, expand(st.Request.Path, vars), err))
		} else {
			notes = append(notes, fmt.Sprintf("cleaned up: %s %s", st.Request.Method, expand(st.Request.Path, vars)))
		}
	}
	return strings.Join(notes, "\n")
}

// unreachableError is a target that is down, or answers as no vendor does.
type unreachableError struct{ err error }

func (e unreachableError) Error() string { return e.err.Error() }
func (e unreachableError) Unwrap() error { return e.err }

func isUnreachable(err error) bool {
	var u unreachableError
	return errors.As(err, &u)
}

// sessionHeader names the emulator session of a request.
const sessionHeader = "X-Offboard-Session"

func newSessionID(vendor, name string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	clean := regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(vendor+"-"+name, "-")
	if len(clean) > 60 {
		clean = clean[:60]
	}
	return "suite-" + clean + "-" + hex.EncodeToString(b[:])
}

func loadScenario(ctx context.Context, t Target, session, scenario string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut,
		strings.TrimRight(t.BaseURL, "/")+"/__admin/sessions/"+session+"/scenario?name="+scenario, nil)
	if err != nil {
		return err
	}
	resp, err := t.Client.Do(req)
	if err != nil {
		return unreachableError{fmt.Errorf("loading scenario %s: the target does not answer: %w", scenario, err)}
	}
	defer resp.Body.Close()
	body, _ := readBounded(resp.Body, maxControl)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("loading scenario %s: %d %s", scenario, resp.StatusCode, clip(string(body), 512))
	}
	return nil
}

func dropSession(t Target, session string) {
	req, err := http.NewRequest(http.MethodDelete, strings.TrimRight(t.BaseURL, "/")+"/__admin/sessions/"+session, nil)
	if err != nil {
		return
	}
	if resp, err := t.Client.Do(req); err == nil {
		resp.Body.Close()
	}
}

// Ran counts the cases that ran (passed or failed).
func Ran(results []Result) int {
	n := 0
	for _, r := range results {
		if r.Skipped == "" {
			n++
		}
	}
	return n
}

// WhyNothingRan says in one line why no case of a run ran: the
// variables each vendor lacks, or the other reasons cases were skipped.
func WhyNothingRan(results []Result) string {
	var parts []string
	seen := map[string]bool{}
	other := 0
	for _, r := range results {
		switch {
		case r.SuiteSkipped && !seen[r.Vendor]:
			seen[r.Vendor] = true
			parts = append(parts, r.Vendor+" lacks "+r.Missing)
		case !r.SuiteSkipped && r.Skipped != "":
			other++
		}
	}
	if other > 0 {
		parts = append(parts, fmt.Sprintf("%d cases need a scenario or data only an emulator has, or an optional variable", other))
	}
	if len(parts) == 0 {
		return "no case matched"
	}
	return strings.Join(parts, "; ")
}
