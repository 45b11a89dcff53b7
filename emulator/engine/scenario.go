package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/store"
	"github.com/offboard/offboard/scenarios"
)

// openScenario opens scenario references (built-in names or paths) and
// texts and lays them over each other; "default" when there are none.
func (e *Engine) openScenario(refs []string, data []NamedYAML) (*scenarios.File, error) {
	if len(refs) == 0 && len(data) == 0 {
		refs = []string{"default"}
	}
	var files []*scenarios.File
	for _, ref := range refs {
		f, err := scenarios.Open(ref)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	for _, d := range data {
		f, err := scenarios.Parse(d.Name, d.Data)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return scenarios.Merge(files...)
}

// snapshot builds every vendor's state from a scenario. Each vendor decodes
// its own section; its positioned errors get the file name here. Every
// section is decoded, so that one run reports every mistake.
func (e *Engine) snapshot(f *scenarios.File) (store.Snapshot, error) {
	var all scenarios.Errors
	var other error
	// A section laid over a base's holds nodes of both files: each
	// mistake is named by the file of its node.
	collect := func(sec scenarios.Section, section string, err error) {
		fes := kit.AllFieldErrors(err)
		if len(fes) == 0 {
			if other == nil {
				other = fmt.Errorf("%s: %s: %w", sec.File, section, err)
			}
			return
		}
		for _, fe := range fes {
			all = append(all, &scenarios.Error{File: sec.FileOf(fe.Node), Line: fe.Line, Column: fe.Column, Field: fe.Field, Msg: fe.Msg})
		}
	}
	for _, key := range f.Order {
		if _, ok := e.byName[key]; !ok && key != faultSlot {
			s := f.Sections[key]
			all = append(all, &scenarios.Error{File: s.File, Line: s.Key.Line, Column: s.Key.Column, Field: key,
				Msg: fmt.Sprintf("unknown section (known: name, description, faults, %s)", strings.Join(e.VendorNames(), ", "))})
		}
	}
	snap := store.Snapshot{scenarioSlot: scenarioName(f.Name)}
	faultSec, ok := f.Sections[faultSlot]
	if !ok {
		faultSec.File = f.Path
	}
	fs, err := e.decodeFaults(faultSec.Node)
	if err != nil {
		collect(faultSec, faultSlot, err)
	}
	snap[faultSlot] = fs
	if fs != nil && fs.Len() > 0 {
		e.faultsSeen.Store(true)
	}
	for _, v := range e.vendors {
		sec, ok := f.Sections[v.Name()]
		if !ok {
			sec.File = f.Path
		}
		st, err := v.NewState(sec.Node)
		if err != nil {
			collect(sec, v.Name(), err)
			continue
		}
		snap[v.Name()] = st
	}
	// People name accounts: each vendor checks its own against its state
	// (a vendor whose section failed has none to check them against, and
	// its own mistakes are reported).
	if len(f.People) > 0 && other == nil {
		ps, errs := e.decodePeople(f, snap)
		all = append(all, errs...)
		snap[peopleSlot] = ps
	}
	switch {
	case other != nil:
		return nil, other
	case len(all) == 1:
		return nil, all[0]
	case len(all) > 1:
		sort.SliceStable(all, func(i, j int) bool {
			a, b := all[i], all[j]
			if a.File != b.File {
				return a.File < b.File
			}
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Column < b.Column
		})
		return nil, all
	}
	return snap, nil
}

// Check opens scenario references (built-in names or paths) the way an
// engine would load them and reports every mistake with file:line:col
// (scenarios.List splits them).
func (e *Engine) Check(refs ...string) error {
	f, err := e.openScenario(refs, nil)
	if err != nil {
		return err
	}
	_, err = e.snapshot(f)
	return err
}

// LoadScenario replaces the shared scenario (and every session that has
// not loaded one of its own) atomically: on error the old state stays.
func (e *Engine) LoadScenario(f *scenarios.File) error {
	snap, err := e.snapshot(f)
	if err != nil {
		return invalid(err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scenario = f
	e.store.Load(snap)
	return nil
}

// LoadRefs opens scenario references (built-in names or paths) and texts
// as New does and loads them atomically: on any error the old state stays.
func (e *Engine) LoadRefs(refs ...string) error {
	f, err := e.openScenario(refs, nil)
	if err != nil {
		return invalid(err)
	}
	return e.LoadScenario(f)
}

// LoadYAML loads a scenario given as text; name appears in its errors.
func (e *Engine) LoadYAML(name string, data []byte) error {
	f, err := scenarios.Parse(name, data)
	if err != nil {
		return invalid(err)
	}
	return e.LoadScenario(f)
}

// Reset returns every session to the scenario as loaded.
func (e *Engine) Reset() { e.store.Reset() }

// ScenarioName is the name of the loaded scenario.
func (e *Engine) ScenarioName() string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.scenario.Name
}

// Scenarios lists the built-in scenarios.
func (e *Engine) Scenarios() []scenarios.Info { return scenarios.Builtins() }
