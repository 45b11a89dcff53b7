package engine

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/faults"
	"github.com/offboard/offboard/emulator/kit"
)

// faultSlot is the store key of the faults: they live in the store like a
// vendor's state, so each session has its own counters and a reset rewinds them.
const faultSlot = "faults"

// faultState is a session's fault rules as the store keeps them.
type faultState struct{ faults.Set }

func (s *faultState) Clone() kit.State { return &faultState{Set: *s.Set.Clone()} }

// faultProblem is a mistake in the i-th of a list of faults.
type faultProblem struct {
	i  int
	fe *faults.FieldError
}

func (p faultProblem) field() string { return fmt.Sprintf("faults[%d].%s", p.i, p.fe.Field) }

// compileFaults checks faults against the served vendors and makes their
// rules; it reports every mistake.
func (e *Engine) compileFaults(list []faults.Fault) ([]*faults.Rule, []faultProblem) {
	var problems []faultProblem
	var rules []*faults.Rule
	for i, f := range list {
		r, fes := faults.Compile(f, e.known)
		for _, fe := range fes {
			problems = append(problems, faultProblem{i, fe})
		}
		if r != nil {
			r.Verdict = e.judgeFault(r)
			rules = append(rules, r)
		}
	}
	return rules, problems
}

// judgeFault tells, once when a rule is made, what its own body means to
// its vendor (a Commvault errorCode in a 200 is an error); nil for a rule
// without one.
func (e *Engine) judgeFault(r *faults.Rule) any {
	if r.Status == 0 || r.Body == "" && r.ContentType == "" {
		return nil
	}
	v := e.byName[r.Vendor]
	if v == nil {
		return nil
	}
	return v.Outcome(kit.Response{Status: r.Status, ContentType: r.ContentType, Body: []byte(r.Body)})
}

// decodeFaults reads a scenario's faults section (a list, or one fault).
func (e *Engine) decodeFaults(node *yaml.Node) (*faultState, error) {
	st := &faultState{}
	if node == nil {
		return st, nil
	}
	if node.Kind == yaml.MappingNode {
		node = &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{node}, Line: node.Line, Column: node.Column}
	}
	var list []faults.Fault
	// What decoded is checked too: one run reports every mistake.
	var errs kit.Errors
	errs.Include(kit.Decode(node, "faults", &list))
	rules, problems := e.compileFaults(list)
	for _, p := range problems {
		errs.Add(kit.Find(node, fmt.Sprint(p.i), p.fe.Field), p.field(), "%s", p.fe.Msg)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	st.Add(rules...)
	return st, nil
}

// DecodeFaults reads faults written as YAML or JSON (one fault or a
// list), as a scenario's faults section holds them, and checks them
// against the served vendors; name appears in errors.
func (e *Engine) DecodeFaults(node *yaml.Node) ([]faults.Fault, error) {
	st, err := e.decodeFaults(node)
	if err != nil {
		return nil, invalid(err)
	}
	out := make([]faults.Fault, 0, st.Len())
	for _, r := range st.Rules() {
		out = append(out, r.Fault)
	}
	return out, nil
}

// withFaults runs fn on a session's faults under their lock. A session
// that is not live is created when create is set, else ErrNotFound.
func (e *Engine) withFaults(session string, create bool, fn func(*faultState)) error {
	if err := CheckSession(session); err != nil {
		return err
	}
	if !create && !e.store.Exists(session) {
		return noSession(session)
	}
	return e.store.Slot(session, faultSlot).Do(func(s kit.State) error {
		fn(s.(*faultState))
		return nil
	})
}

// AddFaults adds fault rules to a session ("" the shared one), creating
// it, after the rules it has; it says how many rules the session has then.
// Each fault is checked first: on any mistake none is added.
func (e *Engine) AddFaults(session string, fs ...faults.Fault) (int, error) {
	rules, problems := e.compileFaults(fs)
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.field() + ": " + p.fe.Msg
		}
		return 0, errorf(ErrInvalid, "%s", strings.Join(msgs, "; "))
	}
	if len(rules) > 0 {
		e.faultsSeen.Store(true)
	}
	n := 0
	err := e.withFaults(session, true, func(st *faultState) {
		st.Add(rules...)
		n = st.Len()
	})
	return n, err
}

// Faults lists a session's fault rules with their counters, in the order
// they are tried.
func (e *Engine) Faults(session string) ([]faults.Rule, error) {
	var out []faults.Rule
	err := e.withFaults(session, false, func(st *faultState) { out = st.Rules() })
	return out, err
}

// RemoveFault drops a session's rule i, by its place in Faults.
func (e *Engine) RemoveFault(session string, i int) error {
	removed := false
	if err := e.withFaults(session, false, func(st *faultState) { removed = st.Remove(i) }); err != nil {
		return err
	}
	if !removed {
		return errorf(ErrNotFound, "no fault rule %d", i)
	}
	return nil
}

// ClearFaults drops every fault rule of a session, creating it.
func (e *Engine) ClearFaults(session string) error {
	return e.withFaults(session, true, func(st *faultState) { st.Clear() })
}
