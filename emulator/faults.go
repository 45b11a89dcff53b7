package emulator

import (
	"fmt"
	"math/rand/v2"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
)

// faultSlot is the store key of the faults: they live in the store like a
// vendor's state, so each session has its own counters and a reset rewinds them.
const faultSlot = "faults"

// Fault is one injected failure, as written in a scenario's faults list or
// posted to /__admin/faults.
type Fault struct {
	Vendor     string  `yaml:"vendor" json:"vendor"`
	Operation  string  `yaml:"operation,omitempty" json:"operation,omitempty"`
	Method     string  `yaml:"method,omitempty" json:"method,omitempty"`
	Path       string  `yaml:"path,omitempty" json:"path,omitempty"` // a path.Match glob
	Status     int     `yaml:"status,omitempty" json:"status,omitempty"`
	After      int     `yaml:"after,omitempty" json:"after,omitempty"` // let this many matching requests through first
	Times      int     `yaml:"times,omitempty" json:"times,omitempty"` // fire this many times, then stop (0: no end)
	Rate       float64 `yaml:"probability,omitempty" json:"probability,omitempty"`
	Seed       uint64  `yaml:"seed,omitempty" json:"seed,omitempty"`
	Latency    string  `yaml:"latency,omitempty" json:"latency,omitempty"`
	Jitter     string  `yaml:"jitter,omitempty" json:"jitter,omitempty"`
	Drop       bool    `yaml:"drop,omitempty" json:"drop,omitempty"`
	Limit      int     `yaml:"limit,omitempty" json:"limit,omitempty"`   // with window: allow this many per window, then Status (429)
	Window     string  `yaml:"window,omitempty" json:"window,omitempty"` // e.g. 1s
	RetryAfter int     `yaml:"retryAfter,omitempty" json:"retryAfter,omitempty"`
	// Body, when set, replaces the vendor's rendered error body, for a
	// failure the documentation does not describe; ContentType goes with it.
	Body        string `yaml:"body,omitempty" json:"body,omitempty"`
	ContentType string `yaml:"contentType,omitempty" json:"contentType,omitempty"`

	latency, jitter, window time.Duration
}

// faultRule is a Fault with its counters.
type faultRule struct {
	Fault `json:"fault"`
	Seen  int       `json:"seen"`
	Fired int       `json:"fired"`
	rng   *rand.PCG // nil without probability
	// recent holds the times of the last Limit requests let through, a
	// ring starting at head: a window never keeps more than Limit times.
	recent []time.Time
	head   int
}

// faultState is the faults of one session, indexed by vendor and
// operation so that rules for other routes cost a request nothing.
type faultState struct {
	Rules []*faultRule `json:"rules"`

	byVendor map[string]*vendorRules
}

// vendorRules are the positions in Rules of one vendor's rules: those for
// any operation, and those for one.
type vendorRules struct {
	anyOp []int
	byOp  map[string][]int
}

func (s *faultState) Clone() kit.State {
	c := &faultState{Rules: make([]*faultRule, 0, len(s.Rules))}
	for _, r := range s.Rules {
		cr := *r
		if r.rng != nil {
			rng := *r.rng
			cr.rng = &rng
		}
		cr.recent = slices.Clone(r.recent)
		c.add(&cr)
	}
	return c
}

// add appends rules and indexes them.
func (s *faultState) add(rules ...*faultRule) {
	if s.byVendor == nil {
		s.byVendor = map[string]*vendorRules{}
	}
	for _, r := range rules {
		i := len(s.Rules)
		s.Rules = append(s.Rules, r)
		vr := s.byVendor[r.Vendor]
		if vr == nil {
			vr = &vendorRules{byOp: map[string][]int{}}
			s.byVendor[r.Vendor] = vr
		}
		if r.Operation == "" {
			vr.anyOp = append(vr.anyOp, i)
		} else {
			vr.byOp[r.Operation] = append(vr.byOp[r.Operation], i)
		}
	}
}

func (s *faultState) clear() {
	s.Rules, s.byVendor = nil, nil
}

// remove drops rule i (0-based, as GET /__admin/faults lists them) and
// re-indexes the rest; false when there is no such rule.
func (s *faultState) remove(i int) bool {
	if i < 0 || i >= len(s.Rules) {
		return false
	}
	rest := slices.Delete(slices.Clone(s.Rules), i, i+1)
	s.clear()
	s.add(rest...)
	return true
}

// check validates a fault against the served vendors and parses durations.
func (f *Fault) check(vendors map[string]*vendorEntry) (string, error) {
	v, ok := vendors[f.Vendor]
	if !ok {
		names := make([]string, 0, len(vendors))
		for n := range vendors {
			names = append(names, n)
		}
		slices.Sort(names)
		return "vendor", fmt.Errorf("unknown vendor %q (known: %s)", f.Vendor, strings.Join(names, ", "))
	}
	if f.Operation != "" && !slices.ContainsFunc(v.routes, func(r *route) bool { return r.op == f.Operation }) {
		return "operation", fmt.Errorf("%s has no operation %q", f.Vendor, f.Operation)
	}
	if f.Path != "" {
		if _, err := path.Match(f.Path, "/"); err != nil {
			return "path", fmt.Errorf("bad glob %q: %v", f.Path, err)
		}
	}
	for _, d := range []struct {
		name string
		s    string
		to   *time.Duration
	}{{"latency", f.Latency, &f.latency}, {"jitter", f.Jitter, &f.jitter}, {"window", f.Window, &f.window}} {
		if d.s == "" {
			continue
		}
		dur, err := time.ParseDuration(d.s)
		if err != nil || dur < 0 {
			return d.name, fmt.Errorf("not a duration: %q (say 200ms, 1s)", d.s)
		}
		*d.to = dur
	}
	if f.Rate < 0 || f.Rate > 1 {
		return "probability", fmt.Errorf("must be between 0 and 1")
	}
	if (f.Limit > 0) != (f.window > 0) {
		return "limit", fmt.Errorf("limit and window go together")
	}
	if f.Limit > 0 && f.Status == 0 {
		f.Status = http.StatusTooManyRequests
	}
	if f.Status != 0 && (f.Status < 200 || f.Status > 599) {
		return "status", fmt.Errorf("not an HTTP status: %d", f.Status)
	}
	if (f.Body != "" || f.ContentType != "") && f.Status == 0 {
		return "body", fmt.Errorf("a body goes with a status")
	}
	if f.ContentType != "" {
		// It becomes a header every client must parse, kept by the journal.
		if _, _, err := mime.ParseMediaType(f.ContentType); err != nil || len(f.ContentType) > maxFaultContentType {
			return "contentType", fmt.Errorf("not a media type of at most %d bytes: %q", maxFaultContentType, truncate(f.ContentType, 64))
		}
	}
	if f.Status == 0 && !f.Drop && f.latency == 0 {
		return "status", fmt.Errorf("a fault needs a status, drop: true or a latency")
	}
	return "", nil
}

// maxFaultContentType bounds a fault's contentType.
const maxFaultContentType = 256

func newRule(f Fault) *faultRule {
	r := &faultRule{Fault: f}
	if f.Rate > 0 && f.Rate < 1 {
		r.rng = rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15)
	}
	return r
}

// decodeFaults reads a scenario's faults section.
func (e *Emulator) decodeFaults(node *yaml.Node) (*faultState, error) {
	st := &faultState{}
	if node == nil {
		return st, nil
	}
	var list []Fault
	if err := kit.Decode(node, "faults", &list); err != nil {
		return nil, err
	}
	var errs kit.Errors
	for i := range list {
		if field, err := list[i].check(e.byName); err != nil {
			errs.Add(kit.Find(node, fmt.Sprint(i), field), fmt.Sprintf("faults[%d].%s", i, field), "%v", err)
			continue
		}
		st.add(newRule(list[i]))
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return st, nil
}

// decision is what the faults say about one request.
type decision struct {
	delay       time.Duration
	drop        bool
	status      int
	retryAfter  int
	rule        int
	body        string
	contentType string
}

// decide counts the request against every matching rule; the first rule
// that fires decides. Latency adds up over matching rules.
func (s *faultState) decide(vendor, op, method, p string, now time.Time) decision {
	d := decision{rule: -1}
	vr := s.byVendor[vendor]
	if vr == nil {
		return d
	}
	// The two index lists, merged in rule order: the first rule that
	// fires decides.
	anyOp, forOp := vr.anyOp, vr.byOp[op]
	for len(anyOp) > 0 || len(forOp) > 0 {
		var i int
		if len(forOp) == 0 || len(anyOp) > 0 && anyOp[0] < forOp[0] {
			i, anyOp = anyOp[0], anyOp[1:]
		} else {
			i, forOp = forOp[0], forOp[1:]
		}
		r := s.Rules[i]
		if r.Method != "" && !strings.EqualFold(r.Method, method) {
			continue
		}
		if r.Path != "" {
			if ok, _ := path.Match(r.Path, p); !ok {
				continue
			}
		}
		r.Seen++
		if !r.fires(now) {
			continue
		}
		r.Fired++
		d.delay += r.latency
		if r.jitter > 0 {
			d.delay += time.Duration(r.jitterDraw() * float64(r.jitter))
		}
		if d.rule < 0 && (r.Status != 0 || r.Drop) {
			d.rule, d.status, d.drop, d.retryAfter = i, r.Status, r.Drop, r.RetryAfter
			d.body, d.contentType = r.Body, r.ContentType
		}
	}
	return d
}

func (r *faultRule) fires(now time.Time) bool {
	if r.Limit > 0 {
		// A sliding log of the requests let through: at most Limit in
		// any window, and never more than Limit times kept.
		if len(r.recent) < r.Limit {
			r.recent = append(r.recent, now)
			return false
		}
		if now.Sub(r.recent[r.head]) >= r.window {
			r.recent[r.head] = now
			r.head = (r.head + 1) % r.Limit
			return false
		}
		if r.RetryAfter == 0 {
			r.RetryAfter = max(1, int(r.window.Seconds()+0.999))
		}
		return true
	}
	if r.Seen <= r.After {
		return false
	}
	if r.Times > 0 && r.Fired >= r.Times {
		return false
	}
	if r.rng != nil {
		return float64(r.rng.Uint64()>>11)/(1<<53) < r.Rate
	}
	return true
}

func (r *faultRule) jitterDraw() float64 {
	if r.rng == nil {
		r.rng = rand.NewPCG(r.Seed, r.Seed^0x9e3779b97f4a7c15)
	}
	return float64(r.rng.Uint64()>>11) / (1 << 53)
}
