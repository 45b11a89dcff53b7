package faults

import (
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"time"
)

// Rule is a compiled fault with its counters.
type Rule struct {
	Fault `json:"fault"`
	Seen  int `json:"seen"`  // matching requests counted
	Fired int `json:"fired"` // of them, answered by the fault
	// Verdict is what the rule's own Body means to its vendor, judged
	// once by whoever compiled the rule; a decision hands it on.
	Verdict any `json:"-"`

	latency, jitter, window time.Duration
	rng                     *rand.PCG // nil without probability or jitter
	win                     *slidingWindow
}

func (r *Rule) clone() *Rule {
	c := *r
	if r.rng != nil {
		rng := *r.rng
		c.rng = &rng
	}
	if r.win != nil {
		w := *r.win
		c.win = &w
	}
	return &c
}

// Spent tells a rule that will never fire again (its times are used up).
func (r *Rule) Spent() bool { return r.Times > 0 && r.Fired >= r.Times }

// Set is the faults of one session, indexed by vendor and operation so
// that rules for other routes cost a request nothing.
type Set struct {
	rules    []*Rule
	byVendor map[string]*vendorRules
}

// vendorRules are the positions of one vendor's rules: those for any
// operation, and those for one.
type vendorRules struct {
	anyOp []int
	byOp  map[string][]int
}

// Clone copies the set with its counters.
func (s *Set) Clone() *Set {
	c := &Set{}
	for _, r := range s.rules {
		c.Add(r.clone())
	}
	return c
}

// Add appends compiled rules, in order.
func (s *Set) Add(rules ...*Rule) {
	if s.byVendor == nil {
		s.byVendor = map[string]*vendorRules{}
	}
	for _, r := range rules {
		i := len(s.rules)
		s.rules = append(s.rules, r)
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

// Len is the number of rules.
func (s *Set) Len() int { return len(s.rules) }

// Rules lists copies of the rules with their counters, in order.
func (s *Set) Rules() []Rule {
	out := make([]Rule, len(s.rules))
	for i, r := range s.rules {
		out[i] = *r
	}
	return out
}

// Clear drops every rule.
func (s *Set) Clear() { s.rules, s.byVendor = nil, nil }

// Remove drops rule i (0-based, as Rules lists them); false when there
// is no such rule.
func (s *Set) Remove(i int) bool {
	if i < 0 || i >= len(s.rules) {
		return false
	}
	rest := slices.Delete(slices.Clone(s.rules), i, i+1)
	s.Clear()
	s.Add(rest...)
	return true
}

// Remaining lists the rules as faults that would behave as these do from
// now on, for an export: counters move into the rules (a fault that let 2
// of after: 3 through is written after: 1) and spent rules are left out.
func (s *Set) Remaining() []Fault {
	var out []Fault
	for _, r := range s.rules {
		f := r.Fault
		passed := min(r.Seen-r.Fired, f.After)
		f.After -= passed
		if f.Times > 0 {
			if r.Fired >= f.Times {
				continue
			}
			f.Times -= r.Fired
		}
		out = append(out, f)
	}
	return out
}

// Decision is what the faults say about one request.
type Decision struct {
	Delay       time.Duration // latency to add before answering
	Drop        bool          // close the connection without an answer
	Status      int           // answer this status (0: no fault answers)
	RetryAfter  int           // seconds, for a Retry-After header (0: none)
	Rule        int           // the rule that decided, -1 for none
	Body        string        // the fault's own body, replacing the vendor's
	ContentType string
	Verdict     any // the deciding rule's Verdict
}

// Answers tells whether a rule decided the answer (a status or a drop).
func (d Decision) Answers() bool { return d.Rule >= 0 }

// Decide counts the request against the matching rules, in order; the
// first rule that fires with a status or a drop decides, and is the last
// of those counted: a rule that answers is never charged (seen, times,
// window) for a request another rule answered, so two rules of times: 1
// fail twice, then let the call through. Rules that only add latency are
// counted on every matching request and their delays add up.
func (s *Set) Decide(vendor, op, method, p string, now time.Time) Decision {
	d := Decision{Rule: -1}
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
		r := s.rules[i]
		if d.Rule >= 0 && r.answers() {
			continue // decided: only latency composes from here on
		}
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
		d.Delay += r.latency
		if r.jitter > 0 {
			d.Delay += time.Duration(r.draw() * float64(r.jitter))
		}
		if d.Rule < 0 && r.answers() {
			d.Rule, d.Status, d.Drop, d.RetryAfter = i, r.Status, r.Drop, r.RetryAfter
			d.Body, d.ContentType, d.Verdict = r.Body, r.ContentType, r.Verdict
		}
	}
	return d
}

// answers tells a rule that decides the answer when it fires.
func (r *Rule) answers() bool { return r.Status != 0 || r.Drop }

func (r *Rule) fires(now time.Time) bool {
	if r.win != nil {
		if r.win.allow(now) {
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
	if r.Spent() {
		return false
	}
	if r.rng != nil && r.Rate > 0 && r.Rate < 1 {
		return r.draw() < r.Rate
	}
	return true
}

// draw is a uniform number in [0, 1) from the rule's seeded generator.
func (r *Rule) draw() float64 {
	if r.rng == nil {
		r.rng = rand.NewPCG(r.Seed, r.Seed^0x9e3779b97f4a7c15)
	}
	return float64(r.rng.Uint64()>>11) / (1 << 53)
}
