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
	"net/http"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator"
)

//go:embed cases/*.yaml
var caseFiles embed.FS

// Suite is one vendor's cases.
type Suite struct {
	Vendor string            `yaml:"vendor"`
	Doc    string            `yaml:"doc"`
	Vars   map[string]string `yaml:"vars"` // defaults: the emulator's default scenario
	Cases  []*Case           `yaml:"cases"`
}

// Case is one documented behaviour: a scenario and the steps that show it.
type Case struct {
	Name     string  `yaml:"name"`
	Doc      string  `yaml:"doc"`
	Scenario string  `yaml:"scenario"` // default: "default"
	Steps    []*Step `yaml:"steps"`
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
	}
	return &s, nil
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
}

// Passed tells a passing case.
func (r Result) Passed() bool { return r.Failure == "" && r.Skipped == "" }

// Run executes the matching cases one after the other.
func Run(ctx context.Context, t Target, suites []*Suite, f Filter) []Result {
	var out []Result
	for _, s := range suites {
		for _, c := range s.Cases {
			if f.match(s.Vendor, c.Name) {
				out = append(out, RunCase(ctx, t, s, c))
			}
		}
	}
	return out
}

// RunCase executes one case.
func RunCase(ctx context.Context, t Target, s *Suite, c *Case) (res Result) {
	start := time.Now()
	res = Result{Vendor: s.Vendor, Case: c.Name, Doc: c.Doc}
	defer func() { res.Duration = time.Since(start) }()
	if t.Client == nil {
		t.Client = &http.Client{Timeout: 30 * time.Second}
	}
	vars := map[string]string{}
	for k, v := range s.Vars {
		vars[k] = v
	}
	for k, v := range t.Vars {
		vars[k] = v
	}
	session := ""
	if t.Emulator {
		session = newSessionID(s.Vendor, c.Name)
		if err := loadScenario(ctx, t, session, c.Scenario); err != nil {
			res.Failure = err.Error()
			return res
		}
		defer dropSession(t, session)
	} else if c.Scenario != "default" {
		res.Skipped = "needs scenario " + c.Scenario + ", which only an emulator can load"
		return res
	}
	for i, st := range c.Steps {
		if err := runStep(ctx, t, session, vars, st); err != nil {
			res.Failure = fmt.Sprintf("step %d: %s %s\n%s", i+1, st.Request.Method, expand(st.Request.Path, vars), err)
			return res
		}
	}
	return res
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
		return fmt.Errorf("loading scenario %s: %w", scenario, err)
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
		return err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if err := check(st.Expect, vars, resp, got); err != nil {
		return err
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
