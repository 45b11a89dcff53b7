// Package testsuite holds the documented cases of every emulated API as
// data, and runs them against any base URL: an in-process emulator, the
// offboard binary, or a vendor's own sandbox.
package testsuite

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"sort"

	"gopkg.in/yaml.v3"
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
	// Exists is, for a pool, the vendor's documented look-up that tells
	// an id is still there: a sandbox run checks each id with it before a
	// case consumes it, and skips ids an earlier run used up.
	Exists *Probe `yaml:"exists"`
}

// Probe is a request whose answer says a thing exists: Status, and a body
// holding Contains. Its strings may hold ${var} references; the pool's
// own variable is the id being checked.
type Probe struct {
	Request  Request `yaml:"request"`
	Status   int     `yaml:"status"`
	Contains string  `yaml:"contains"`
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
	for _, vn := range slices.Sorted(maps.Keys(s.Vars)) {
		v := s.Vars[vn]
		if v.Exists == nil {
			continue
		}
		if !v.Pool || v.Exists.Status == 0 || v.Exists.Request.Method == "" {
			return nil, fmt.Errorf("%s: var %s: exists goes with pool: true and needs request.method and status", name, vn)
		}
		probe := &Step{Request: v.Exists.Request, Expect: Expect{Contains: []string{v.Exists.Contains}}}
		for _, ref := range probe.refs() {
			if s.Vars[ref] == nil {
				return nil, fmt.Errorf("%s: var %s: its look-up uses ${%s}, which is not a variable", name, vn, ref)
			}
		}
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
