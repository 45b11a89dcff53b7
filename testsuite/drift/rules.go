package drift

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Rule says a value is volatile: where it sits in an answer and how much
// of it must still agree. Path is a path as differences name them
// ("body.request_id", "body/App_LoginResponse/@token"): "*" matches one
// key or index, "**" any run of them.
type Rule struct {
	Vendor string `yaml:"vendor" json:"vendor"` // empty: every vendor
	Path   string `yaml:"path" json:"path"`
	// Match is "ignore" (anything, even missing), "shape" (the same
	// length and kind of character at each place: a token of the same
	// form) or "type" (the same JSON type).
	Match string `yaml:"match" json:"match"`
	re    *regexp.Regexp
}

// Rules are the rules that hold for one vendor, first match wins.
type Rules []Rule

// DefaultRules are what each vendor's answers hold that differs from one
// run, or one world, to the next by design: request ids, tokens, the
// ids a vendor makes up.
func DefaultRules() []Rule {
	return []Rule{
		{Path: "header Location", Match: "shape"}, // where a created entity is: its id is made up
		{Vendor: "huawei", Path: "body.request_id", Match: "shape"},
		{Vendor: "huawei", Path: "header X-Request-Id", Match: "shape"},
		{Vendor: "huawei", Path: "body.**.create_time", Match: "type"}, // a member added in the run: now
		{Vendor: "huawei", Path: "body.**.update_time", Match: "type"},
		{Vendor: "arcgis", Path: "body.token", Match: "ignore"},
		{Vendor: "arcgis", Path: "body.expires", Match: "type"},
		{Vendor: "commvault", Path: "body.token", Match: "ignore"},
		{Vendor: "commvault", Path: "body/**/@token", Match: "ignore"},
		{Vendor: "commvault", Path: "body.**.userGUID", Match: "shape"},
		{Vendor: "commvault", Path: "body/**/@userGUID", Match: "shape"},
		{Vendor: "onedata", Path: "body.**.creationTime", Match: "type"},
	}
}

// ReadRules reads a user's rules file: a YAML list of {vendor, path,
// match}, checked.
func ReadRules(name string, data []byte) ([]Rule, error) {
	var rules []Rule
	if err := yaml.Unmarshal(data, &rules); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for i, r := range rules {
		switch r.Match {
		case "ignore", "shape", "type":
		default:
			return nil, fmt.Errorf("%s: rule %d (%s): match %q: say ignore, shape or type", name, i+1, r.Path, r.Match)
		}
		if r.Path == "" {
			return nil, fmt.Errorf("%s: rule %d: no path", name, i+1)
		}
	}
	return rules, nil
}

// forVendor compiles the rules of one vendor, the user's first.
func forVendor(vendor string, sets ...[]Rule) Rules {
	var out Rules
	for _, set := range sets {
		for _, r := range set {
			if r.Vendor == "" || r.Vendor == vendor {
				r.re = pathPattern(r.Path)
				out = append(out, r)
			}
		}
	}
	return out
}

// pathPattern turns a rule's path into a regexp over a difference's path.
func pathPattern(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch {
		case strings.HasPrefix(p[i:], "**.") || strings.HasPrefix(p[i:], "**/"):
			b.WriteString(`(?:.*[./])?`) // any run of keys, none included
			i += 2
		case strings.HasPrefix(p[i:], "**"):
			b.WriteString(".*")
			i++
		case p[i] == '*':
			b.WriteString(`[^./\[\]]*`)
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString(`(\[\d+\])?$`)
	return regexp.MustCompile(b.String())
}

func (rs Rules) find(path string) *Rule {
	for i := range rs {
		if rs[i].re.MatchString(path) {
			return &rs[i]
		}
	}
	return nil
}

// ignored: a path whose value, or absence, is not compared.
func (rs Rules) ignored(path string) bool {
	r := rs.find(path)
	return r != nil && r.Match == "ignore"
}

// volatile: two differing values at a path that a rule lets through.
func (rs Rules) volatile(path, t, e string) bool {
	r := rs.find(path)
	if r == nil {
		return false
	}
	switch r.Match {
	case "ignore":
		return true
	case "type":
		return jsonType(t) == jsonType(e)
	}
	return shape(t) == shape(e)
}

// jsonType is the type of a scalar as node.String writes it.
func jsonType(s string) string {
	switch {
	case strings.HasPrefix(s, `"`):
		return "string"
	case s == "true" || s == "false":
		return "bool"
	case s == "null":
		return "null"
	}
	return "number"
}

// shape is a value's form: hex digits as h, other letters a or A,
// anything else as it is.
func shape(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
			b[i] = 'h'
		case c >= 'a' && c <= 'z':
			b[i] = 'a'
		case c >= 'A' && c <= 'Z':
			b[i] = 'A'
		}
	}
	return string(b)
}
