// Package testsuite holds the documented cases of every emulated API as
// data, and runs them against any base URL: an in-process emulator, the
// offboard binary, or a vendor's own sandbox.
package testsuite

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator"
)

//go:embed cases/*.yaml
var caseFiles embed.FS

// Suite is one vendor's cases.
type Suite struct {
	Vendor string          `yaml:"vendor"`
	Doc    string          `yaml:"doc"`
	Vars   map[string]*Var `yaml:"vars"`
	Cases  []*Case         `yaml:"cases"`
}

// Var is a variable the cases use as ${name}. Against the emulator its
// Default (the default scenario's value) applies; against a sandbox only
// what the user gives does, since no default fits a system we do not know.
type Var struct {
	Default string `yaml:"default"`
	Doc     string `yaml:"doc"`
	// Optional: a sandbox run may leave it out; the cases using it skip.
	// A required one missing skips the vendor's whole suite.
	Optional bool `yaml:"optional"`
	// Pool: a comma-separated list of ids a run may delete (where the
	// vendor has no create call); each case takes the next one, so each
	// is used at most once per run.
	Pool bool `yaml:"pool"`
	// Minted: the emulator's value is made at run time (MintedVars).
	Minted bool `yaml:"minted"`
}

// UnmarshalYAML takes a plain value as the default of an undocumented var.
func (v *Var) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		v.Default = n.Value
		return nil
	}
	type plain Var
	return n.Decode((*plain)(v))
}

// Case is one documented behaviour: a scenario and the steps that show it.
type Case struct {
	Name     string `yaml:"name"`
	Doc      string `yaml:"doc"`
	Scenario string `yaml:"scenario"` // default: "default"
	// EmulatorOnly says why the case cannot run against a sandbox (the
	// seed's own users, a state no sandbox can be put in on demand).
	EmulatorOnly string  `yaml:"emulatorOnly"`
	Steps        []*Step `yaml:"steps"`
	// Cleanup runs when a step fails, to remove what earlier steps made;
	// a cleanup step whose ${vars} were never captured is left out, and
	// its answer is not checked.
	Cleanup []*Step `yaml:"cleanup"`
	// Request and Expect are shorthand for a single step.
	Request *Request `yaml:"request"`
	Expect  *Expect  `yaml:"expect"`
}

// Step is one request and what must come back.
type Step struct {
	Request Request `yaml:"request"`
	Expect  Expect  `yaml:"expect"`
	// Capture names values of the answer that later steps use as
	// ${name}: a created id, a new token.
	Capture map[string]Capture `yaml:"capture"`
}

// Capture takes one value from an answer: a header, or a JSON pointer into
// the body, or an attribute of the XML root's first matching element
// ("response/entity@userId"), optionally narrowed by Pattern's first group.
type Capture struct {
	Header  string `yaml:"header"`
	JSON    string `yaml:"json"`
	XML     string `yaml:"xml"`
	Pattern string `yaml:"pattern"`
}

// Request is what to send. Every string may hold ${var} references.
type Request struct {
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"`
	Headers map[string]string `yaml:"headers"`
	Body    string            `yaml:"body"`
	// Sign names a request-signing scheme applied last: "huawei-aksk"
	// signs as Huawei's Go SDK does with ${huawei.ak} and ${huawei.sk}.
	Sign string `yaml:"sign"`
}

// Expect is what a response must be. Header values between slashes are
// regular expressions. At most one of Body (exact bytes), JSON
// (structural, with Ignore) and XML (structural) is set.
type Expect struct {
	Status  int               `yaml:"status"`
	Headers map[string]string `yaml:"headers"`
	Body    *string           `yaml:"body"`
	JSON    any               `yaml:"json"`
	XML     string            `yaml:"xml"`
	// Ignore lists JSON pointers whose values vary (ids, times); they
	// must be present, their values are not compared.
	Ignore []string `yaml:"ignore"`
	// Contains lists texts the body must hold, whatever else it holds.
	Contains []string `yaml:"contains"`
	// Subset compares only the JSON object keys JSON names: an answer
	// may carry more (fields a vendor adds, values no case can know).
	Subset bool `yaml:"subset"`
	// Seed: the body holds the seed's data (names, exact lists), which
	// only the emulator has; against a sandbox the answer is checked for
	// status, headers and conformance to offboard's spec instead.
	Seed bool `yaml:"seed"`
}

// Load reads the embedded cases, sorted by vendor.
func Load() ([]*Suite, error) {
	entries, err := fs.Glob(caseFiles, "cases/*.yaml")
	if err != nil {
		return nil, err
	}
	var out []*Suite
	for _, name := range entries {
		data, err := caseFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		s, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Vendor < out[j].Vendor })
	return out, nil
}

// Parse reads one case file, strictly: an unknown field is an error with
// its line.
func Parse(name string, data []byte) (*Suite, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s Suite
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	seen := map[string]bool{}
	for i, c := range s.Cases {
		if c.Name == "" || seen[c.Name] {
			return nil, fmt.Errorf("%s: case %d: a case needs a unique name", name, i)
		}
		seen[c.Name] = true
		if c.Request != nil {
			if len(c.Steps) > 0 || c.Expect == nil {
				return nil, fmt.Errorf("%s: case %s: give request with expect, or steps", name, c.Name)
			}
			c.Steps = []*Step{{Request: *c.Request, Expect: *c.Expect}}
			c.Request, c.Expect = nil, nil
		}
		if len(c.Steps) == 0 {
			return nil, fmt.Errorf("%s: case %s: no steps", name, c.Name)
		}
		if c.Scenario == "" {
			c.Scenario = "default"
		}
		for j, st := range c.Steps {
			if st.Expect.Status == 0 {
				return nil, fmt.Errorf("%s: case %s step %d: expect.status is required", name, c.Name, j+1)
			}
			n := 0
			for _, set := range []bool{st.Expect.Body != nil, st.Expect.JSON != nil, st.Expect.XML != ""} {
				if set {
					n++
				}
			}
			if n > 1 {
				return nil, fmt.Errorf("%s: case %s step %d: expect one of body, json, xml", name, c.Name, j+1)
			}
		}
		if err := s.checkRefs(c); err != nil {
			return nil, fmt.Errorf("%s: case %s: %w", name, c.Name, err)
		}
	}
	return &s, nil
}

// checkRefs makes every ${name} a case uses a declared variable or a
// capture of an earlier step, so that --list-vars is the whole list.
func (s *Suite) checkRefs(c *Case) error {
	captured := map[string]bool{}
	for _, st := range c.Steps {
		for name := range st.Capture {
			captured[name] = true
		}
	}
	known := map[string]bool{}
	for j, st := range c.Steps {
		for _, ref := range st.refs() {
			if s.Vars[ref] == nil && !known[ref] {
				return fmt.Errorf("step %d uses ${%s}, which is neither in vars nor captured by an earlier step", j+1, ref)
			}
		}
		for name := range st.Capture {
			known[name] = true
		}
	}
	for j, st := range c.Cleanup {
		for _, ref := range st.refs() {
			if s.Vars[ref] == nil && !captured[ref] {
				return fmt.Errorf("cleanup step %d uses ${%s}, which is neither in vars nor captured", j+1, ref)
			}
		}
	}
	return nil
}

// refs lists the ${names} a step uses.
func (st *Step) refs() []string {
	texts := []string{st.Request.Path, st.Request.Body, st.Expect.XML}
	for _, v := range st.Request.Headers {
		texts = append(texts, v)
	}
	for _, v := range st.Expect.Headers {
		texts = append(texts, v)
	}
	texts = append(texts, st.Expect.Contains...)
	if st.Expect.Body != nil {
		texts = append(texts, *st.Expect.Body)
	}
	if st.Expect.JSON != nil {
		b, _ := json.Marshal(st.Expect.JSON)
		texts = append(texts, string(b))
	}
	switch st.Request.Sign {
	case "huawei-aksk", "huawei-aksk-wrong-sk":
		texts = append(texts, "${huawei.ak}", "${huawei.sk}")
	}
	var out []string
	for _, t := range texts {
		for _, m := range varRef.FindAllStringSubmatch(t, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// uses lists the declared variables a case needs, sorted; against a
// sandbox, those only the seed's data names are not needed.
func (s *Suite) uses(c *Case, sandbox bool) []string {
	set := map[string]bool{}
	for _, st := range c.Steps {
		refs := st.refs()
		if sandbox && st.Expect.Seed {
			refs = (&Step{Request: st.Request}).refs()
		}
		for _, ref := range refs {
			if s.Vars[ref] != nil {
				set[ref] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

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

	pools *pools             // ids handed out in this run
	spec  *emulator.Emulator // checks a sandbox's answers against our specs
}

// pools hands out the ids of Pool variables, each at most once per run.
type pools struct {
	mu   sync.Mutex
	used map[string]int
}

func (p *pools) take(name, list string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
	i := p.used[name]
	if i >= len(ids) {
		return "", false
	}
	p.used[name] = i + 1
	return ids[i], true
}

// prepare readies a target for a run: its id pools and, against a
// sandbox, the spec checker.
func (t *Target) prepare() error {
	if t.Client == nil {
		t.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if t.pools == nil {
		t.pools = &pools{used: map[string]int{}}
		t.Vars = maps.Clone(t.Vars)
		if t.Vars == nil {
			t.Vars = map[string]string{}
		}
		if err := mintSecurID(t.Vars, time.Now()); err != nil {
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
	// (a required variable missing), reported once.
	SuiteSkipped bool
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
			missing = s.missingRequired(t.Vars)
		}
		for _, c := range s.Cases {
			if !f.match(s.Vendor, c.Name) {
				continue
			}
			if missing != "" {
				out = append(out, Result{Vendor: s.Vendor, Case: c.Name, Doc: c.Doc, SuiteSkipped: true,
					Skipped: "missing variable " + missing + " (offboard verify --vendor " + s.Vendor + " --list-vars)"})
				continue
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

// missingRequired names the first required variable a sandbox run lacks.
func (s *Suite) missingRequired(given map[string]string) string {
	for _, name := range slices.Sorted(maps.Keys(s.Vars)) {
		if v := s.Vars[name]; !v.Optional && given[name] == "" {
			return name
		}
	}
	return ""
}

// RunCase executes one case.
func RunCase(ctx context.Context, t Target, s *Suite, c *Case) (res Result) {
	start := time.Now()
	res = Result{Vendor: s.Vendor, Case: c.Name, Doc: c.Doc}
	defer func() { res.Duration = time.Since(start) }()
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
			id, ok := t.pools.take(name, vars[name])
			if !ok {
				res.Skipped = "every id of " + name + " is used in this run: give more"
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
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("loading scenario %s: %d %s", scenario, resp.StatusCode, body)
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

func runStep(ctx context.Context, t Target, session string, vars map[string]string, st *Step) error {
	body := expand(st.Request.Body, vars)
	req, err := http.NewRequestWithContext(ctx, st.Request.Method, strings.TrimRight(t.BaseURL, "/")+expand(st.Request.Path, vars), strings.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range st.Request.Headers {
		req.Header.Set(k, expand(v, vars))
	}
	if _, ok := st.Request.Headers["Accept"]; !ok {
		req.Header["Accept"] = nil // Go sends none by default; keep it so
	}
	if session != "" {
		req.Header.Set(sessionHeader, session)
	}
	switch st.Request.Sign {
	case "":
	case "huawei-aksk":
		SignHuawei(req, []byte(body), vars["huawei.ak"], vars["huawei.sk"], time.Now())
	case "huawei-aksk-wrong-sk":
		SignHuawei(req, []byte(body), vars["huawei.ak"], "not-"+vars["huawei.sk"], time.Now())
	default:
		return fmt.Errorf("unknown signing scheme %q", st.Request.Sign)
	}
	resp, err := t.Client.Do(req)
	if err != nil {
		return unreachableError{fmt.Errorf("the target does not answer: %w", err)}
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return unreachableError{fmt.Errorf("the target's answer broke off: %w", err)}
	}
	if resp.StatusCode != st.Expect.Status || (st.Expect.JSON != nil || st.Expect.XML != "") {
		if why := notTheVendor(resp, got, st.Expect.Status); why != "" {
			return unreachableError{errors.New(why)}
		}
	}
	expect := st.Expect
	if !t.Emulator && expect.Seed {
		// The seed's data is the emulator's alone: keep status and headers.
		expect = Expect{Status: expect.Status, Headers: expect.Headers}
	}
	if err := check(expect, vars, resp, got); err != nil {
		return err
	}
	if t.spec != nil {
		checkReq := req.Clone(ctx)
		checkReq.URL.Path = strings.TrimPrefix(req.URL.Path, strings.TrimRight(baseURLPath(t.BaseURL), "/"))
		if err := t.spec.Conforms(checkReq, []byte(body), resp.StatusCode, resp.Header, got); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(st.Capture)) {
		v, err := st.Capture[name].take(resp, got)
		if err != nil {
			return fmt.Errorf("capture %s: %w", name, err)
		}
		vars[name] = v
	}
	return nil
}

// notTheVendor tells an answer no vendor gives: a gateway's 502, 503 or
// 504, or an HTML page (a login form, a proxy's error) where the case
// expects something else.
func notTheVendor(resp *http.Response, body []byte, want int) string {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case resp.StatusCode != want && (resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout):
	case mt == "text/html":
	default:
		return ""
	}
	snippet := strings.Join(strings.Fields(string(body)), " ")
	if len(snippet) > 120 {
		snippet = snippet[:120] + "..."
	}
	return fmt.Sprintf("the target answers %d %s, as a gateway or a login page does, not the vendor: %s", resp.StatusCode, mt, snippet)
}

// baseURLPath is the path part of a base URL ("/sandbox" of
// "https://proxy/sandbox"), which the spec's paths do not have.
func baseURLPath(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return ""
	}
	return u.Path
}

func (c Capture) take(resp *http.Response, body []byte) (string, error) {
	var v string
	switch {
	case c.Header != "":
		v = resp.Header.Get(c.Header)
		if v == "" {
			return "", fmt.Errorf("no %s header", c.Header)
		}
	case c.JSON != "":
		var doc any
		if err := json.Unmarshal(body, &doc); err != nil {
			return "", fmt.Errorf("body is not JSON: %v", err)
		}
		found, ok := pointer(doc, c.JSON)
		if !ok {
			return "", fmt.Errorf("no %s in the body", c.JSON)
		}
		switch x := found.(type) {
		case string:
			v = x
		default:
			b, _ := json.Marshal(x)
			v = string(b)
		}
	case c.XML != "":
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(body); err != nil {
			return "", fmt.Errorf("body is not XML: %v", err)
		}
		path, attr, _ := strings.Cut(c.XML, "@")
		el := doc.Root()
		if el != nil && path != "" {
			el = el.FindElement(path)
		}
		if el == nil || el.SelectAttr(attr) == nil {
			return "", fmt.Errorf("no %s in the body", c.XML)
		}
		v = el.SelectAttrValue(attr, "")
	default:
		return "", errors.New("say header, json or xml")
	}
	if c.Pattern != "" {
		re, err := regexp.Compile(c.Pattern)
		if err != nil {
			return "", err
		}
		m := re.FindStringSubmatch(v)
		if len(m) < 2 {
			return "", fmt.Errorf("%q does not match %s", v, c.Pattern)
		}
		v = m[1]
	}
	return v, nil
}

// pointer follows a JSON pointer ("/users/0/id") into a decoded value.
func pointer(v any, ptr string) (any, bool) {
	if ptr == "" || ptr == "/" {
		return v, true
	}
	for _, p := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		switch c := v.(type) {
		case map[string]any:
			next, ok := c[p]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z0-9_.-]+)\}`)

// expand replaces ${name} with its value; an unknown name stays as is,
// so the failure shows what was missing.
func expand(s string, vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		if v, ok := vars[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// VarsFromEnv reads OFFBOARD_VAR_<name> variables, "." in names written
// as "__" (OFFBOARD_VAR_onedata__basic).
func VarsFromEnv() map[string]string {
	out := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if name, ok := strings.CutPrefix(k, "OFFBOARD_VAR_"); ok {
			out[strings.ReplaceAll(name, "__", ".")] = v
		}
	}
	return out
}

// MintedVars are the credentials the cases need that cannot be written
// down: securid.bearer, a JWT signed now with the test key of the
// emulator's default scenario. A sandbox run passes its own instead.
func MintedVars() (map[string]string, error) {
	em, err := emulator.New(emulator.WithScenario("default"))
	if err != nil {
		return nil, err
	}
	_, bearer, err := em.Credential("securid")
	if err != nil {
		return nil, err
	}
	return map[string]string{"securid.bearer": bearer}, nil
}
