package engine

import (
	"bytes"
	"fmt"
	"time"

	"github.com/offboard/offboard/emulator/faults"
	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/store"
	"github.com/offboard/offboard/scenarios"
)

// Export writes a session's world ("" the shared one) as a scenario: each
// vendor's state as its section and the faults still to fire, so that
// loading the result gives the same world (a QA engineer attaches it to a
// bug report; a developer loads it). Before it answers, the export is
// loaded back and exported again: the two must be the same text, or the
// export is refused with the reason.
func (e *Engine) Export(session string) ([]byte, error) {
	if err := CheckSession(session); err != nil {
		return nil, err
	}
	from := e.ScenarioName()
	if session != "" {
		from += ", session " + session
	}
	desc := fmt.Sprintf("Exported from offboard (%s) at %s.", from, e.now().UTC().Format(time.RFC3339))
	sections := map[string]any{}
	var remaining []faults.Fault
	found := e.store.Dump(session, append(e.VendorNames(), faultSlot), func(name string, st kit.State) {
		if fs, ok := st.(*faultState); ok {
			remaining = fs.Remaining()
			return
		}
		if snap, ok := e.byName[name].Vendor.(kit.Snapshotter); ok {
			// A clone costs what the session changed, and its rows are its
			// own: the writer reads them after the lock is let go while
			// handlers go on changing the session's rows in place.
			sections[name] = snap.Snapshot(st.Clone())
		}
	})
	if !found {
		return nil, noSession(session)
	}
	people, err := e.People(session)
	if err != nil {
		return nil, err
	}
	out, err := e.writeScenario(desc, sections, remaining, standing(people))
	if err != nil {
		return nil, err
	}
	if err := e.checkExport(desc, out); err != nil {
		return nil, err
	}
	return out, nil
}

// writeScenario lays out a world as a scenario file.
func (e *Engine) writeScenario(desc string, sections map[string]any, remaining []faults.Fault, people map[string]map[string]string) ([]byte, error) {
	var b bytes.Buffer
	y := scenarios.NewWriter(&b)
	y.Field("name", "snapshot")
	y.Field("description", desc)
	for _, name := range e.VendorNames() {
		if sec, ok := sections[name]; ok {
			y.Field(name, sec)
		}
	}
	if len(remaining) > 0 {
		y.Field(faultSlot, remaining)
	}
	if len(people) > 0 {
		y.Field(scenarios.PeopleKey, people)
	}
	if err := y.Close(); err != nil {
		return nil, errorf(ErrConflict, "the world cannot be exported as a scenario: %v", err)
	}
	return b.Bytes(), nil
}

// checkExport loads an export back and exports that again: the same text
// proves the export loads back to the same world.
func (e *Engine) checkExport(desc string, out []byte) error {
	f, err := scenarios.Parse("export", out)
	if err != nil {
		return fmt.Errorf("the export does not load back (a bug of offboard's): %w", err)
	}
	snap, err := e.snapshot(f)
	if err != nil {
		return fmt.Errorf("the export does not load back (a bug of offboard's): %w", err)
	}
	again, err := e.writeScenario(desc, sectionsOf(e, snap), snap[faultSlot].(*faultState).Remaining(), peopleSection(snap))
	if err != nil {
		return err
	}
	if !bytes.Equal(out, again) {
		return fmt.Errorf("the export loads back to another world (a bug of offboard's); first difference at byte %d", firstDiff(out, again))
	}
	return nil
}

// sectionsOf is each vendor's section of a snapshot.
func sectionsOf(e *Engine, snap store.Snapshot) map[string]any {
	out := map[string]any{}
	for _, v := range e.vendors {
		if s, ok := v.Vendor.(kit.Snapshotter); ok && snap[v.Name()] != nil {
			out[v.Name()] = s.Snapshot(snap[v.Name()])
		}
	}
	return out
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// peopleSection is a snapshot's people as a scenario writes them: each
// account by the name its vendor reads back.
func peopleSection(snap store.Snapshot) map[string]map[string]string {
	ps, _ := snap[peopleSlot].(*peopleState)
	if ps == nil {
		return nil
	}
	out := map[string]map[string]string{}
	for _, p := range ps.list {
		accounts := map[string]string{}
		for v, a := range p.accounts {
			accounts[v] = a.Name()
		}
		out[p.id] = accounts
	}
	return out
}

// standing is the people section of an export: the accounts that still
// exist (an account gone from the world cannot be named in a scenario
// that loads), and the people who still have one.
func standing(people []Person) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, p := range people {
		accounts := map[string]string{}
		for v, a := range p.Vendors {
			if a.State == kit.AccountActive || a.State == kit.AccountDisabled {
				accounts[v] = a.Account
			}
		}
		if len(accounts) > 0 {
			out[p.ID] = accounts
		}
	}
	return out
}
