// Package drift runs the same steps against a vendor target and against
// an emulator serving that target's recording, and compares each pair of
// answers: status, content type, the headers the vendor's spec declares
// and the body field by field (JSON and XML), with volatile values (request ids, tokens, made-up ids) matched
// by rules and followed from one step to the next.
//
// It is a client, as record is: the caller starts the emulator (Serve)
// and drift speaks HTTP to both.
package drift

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/offboard/offboard/specs"
	"github.com/offboard/offboard/testsuite"
	"github.com/offboard/offboard/testsuite/record"
)

// Options say what to compare.
type Options struct {
	Target  string
	Vars    map[string]string
	Vendors []string // none: every vendor the vars name
	Case    string   // a glob on "vendor/case" or the case name; empty: all
	// Rules are the user's volatile rules, over DefaultRules unless
	// NoDefaultRules.
	Rules          []Rule
	NoDefaultRules bool
	// Serve starts an emulator on a recording and says where it listens.
	Serve func(scenario []byte) (baseURL string, stop func(), err error)
	// Transport, when set, carries both sides' requests (a test's proxy).
	Transport http.RoundTripper
}

// Step is one request of a case on both sides and how the answers differ.
type Step struct {
	Vendor      string       `json:"vendor"`
	Case        string       `json:"case"`
	Index       int          `json:"index"`
	Target      *Exchange    `json:"target,omitempty"`
	Emulator    *Exchange    `json:"emulator,omitempty"`
	Differences []Difference `json:"differences"`
}

// Report is a whole drift run.
type Report struct {
	Target   string          `json:"target"`
	Date     string          `json:"date"`
	Steps    []Step          `json:"steps"`
	Verdicts []Verdict       `json:"verdicts"`
	Recorded *record.Summary `json:"recorded"`
}

// Verdict is a case's outcome on both sides.
type Verdict struct {
	Vendor, Case      string
	Target, Emulator  string // PASS, FAIL or SKIP
	TargetWhy, EmuWhy string
}

// Ran tells how many cases ran on the target (were not skipped).
func (r *Report) Ran() int {
	n := 0
	for _, v := range r.Verdicts {
		if v.Target != "SKIP" {
			n++
		}
	}
	return n
}

// Drifted tells whether any step differs.
func (r *Report) Drifted() bool {
	return slices.ContainsFunc(r.Steps, func(s Step) bool { return len(s.Differences) > 0 })
}

// ErrUnreachable is a target drift could not record or run against.
var ErrUnreachable = errors.New("the target could not be recorded")

// Run records the target, serves the recording and runs the cases on
// both.
func Run(ctx context.Context, o Options) (*Report, error) {
	var scen bytes.Buffer
	client := &http.Client{Transport: o.Transport, Timeout: 30 * time.Second}
	emuVars, sum, err := record.Record(ctx, record.Options{Target: o.Target, Vars: o.Vars, Vendors: o.Vendors,
		Client: withSameOrigin(client)}, &scen)
	if err != nil {
		return &Report{Target: o.Target, Recorded: sum}, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	base, stop, err := o.Serve(scen.Bytes())
	if err != nil {
		return nil, fmt.Errorf("the recording does not serve: %w", err)
	}
	defer stop()
	suites, err := testsuite.Load()
	if err != nil {
		return nil, err
	}
	rep := &Report{Target: o.Target, Date: time.Now().UTC().Format(time.RFC3339), Recorded: sum}
	sides := [2]*side{
		newSide(o.Target, o.Vars, o.Transport),
		newSide(base, emuVars, o.Transport),
	}
	var recorded []string
	for _, v := range sum.Vendors {
		if v.Skipped != "" {
			continue
		}
		recorded = append(recorded, v.Vendor)
		f := testsuite.Filter{Vendor: v.Vendor, Case: o.Case}
		t := sides[0].run(ctx, suites, f)
		e := sides[1].run(ctx, suites, f)
		rep.Verdicts = append(rep.Verdicts, verdicts(t, e)...)
		rules := forVendor(v.Vendor, o.Rules, defaults(o.NoDefaultRules))
		rep.Steps = append(rep.Steps, pair(v.Vendor, t, sides, rules, o.Target, base)...)
	}
	rep.Steps = append(rep.Steps, readBack(ctx, o, base, emuVars, recorded)...)
	return rep, nil
}

func defaults(off bool) []Rule {
	if off {
		return nil
	}
	return DefaultRules()
}

// withSameOrigin is a client that follows redirects within the origin only.
func withSameOrigin(c *http.Client) *http.Client {
	out := *testsuite.NewClient()
	if c != nil {
		out.Transport = c.Transport
	}
	return &out
}

// side is one world the cases run on, its exchanges kept by case.
type side struct {
	target testsuite.Target
	rec    *recorder
}

func newSide(base string, vars map[string]string, rt http.RoundTripper) *side {
	rec := newRecorder(rt, newRedactor(vars, record.IsSecret))
	c := withSameOrigin(&http.Client{Transport: rec})
	return &side{rec: rec, target: testsuite.Target{BaseURL: base, Client: c, Vars: vars, OnCase: rec.onCase}}
}

func (s *side) run(ctx context.Context, suites []*testsuite.Suite, f testsuite.Filter) []testsuite.Result {
	return testsuite.Run(ctx, s.target, suites, f)
}

func verdicts(t, e []testsuite.Result) []Verdict {
	word := func(r testsuite.Result) (string, string) {
		switch {
		case r.Skipped != "":
			return "SKIP", r.Skipped
		case r.Failure != "":
			return "FAIL", clip(r.Failure)
		}
		return "PASS", ""
	}
	var out []Verdict
	for i, r := range t {
		v := Verdict{Vendor: r.Vendor, Case: r.Case}
		v.Target, v.TargetWhy = word(r)
		v.Emulator, v.EmuWhy = "SKIP", "not run"
		if i < len(e) && e[i].Case == r.Case {
			v.Emulator, v.EmuWhy = word(e[i])
		}
		out = append(out, v)
	}
	return out
}

// pair lines up each case's exchanges on both sides and compares them.
func pair(vendor string, results []testsuite.Result, sides [2]*side, rules Rules, tbase, ebase string) []Step {
	var out []Step
	for _, r := range results {
		key := r.Vendor + "/" + r.Case
		ts, es := sides[0].rec.byCase[key], sides[1].rec.byCase[key]
		c := &comparer{rules: rules, follow: hosts(tbase, ebase), headers: specs.ResponseHeaders(vendor)}
		for i := 0; i < max(len(ts), len(es)); i++ {
			st := Step{Vendor: vendor, Case: r.Case, Index: i + 1, Differences: []Difference{}}
			switch {
			case i >= len(es):
				st.Target = &ts[i]
				st.Differences = append(st.Differences, Difference{Path: "step", Kind: "missing", Target: ts[i].Method + " " + ts[i].URL})
			case i >= len(ts):
				st.Emulator = &es[i]
				st.Differences = append(st.Differences, Difference{Path: "step", Kind: "added", Emul: es[i].Method + " " + es[i].URL})
			default:
				st.Target, st.Emulator = &ts[i], &es[i]
				c.diffs = nil
				c.compare(ts[i], es[i])
				st.Differences = append(st.Differences, c.diffs...)
			}
			out = append(out, st)
		}
	}
	return out
}

// hosts pairs the two base URLs, so answers that name their server
// compare.
func hosts(tbase, ebase string) map[string]string {
	out := map[string]string{tbase: ebase}
	if t, err := url.Parse(tbase); err == nil {
		if e, err := url.Parse(ebase); err == nil {
			out[t.Host] = e.Host
		}
	}
	return out
}
