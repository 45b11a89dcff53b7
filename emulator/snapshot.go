package emulator

import (
	"fmt"
	"net/http"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/kit"
)

// Snapshot writes a session's world as a scenario: each vendor's state as
// its section and the faults still to fire, so that loading the result
// gives the same world (a QA engineer attaches it to a bug report; a
// developer loads it). Counters move into the rules: a fault that let 2 of
// after: 3 through is written after: 1.
func (e *Emulator) Snapshot(session string) ([]byte, bool, error) {
	root := &yaml.Node{Kind: yaml.MappingNode}
	var failed error
	add := func(key string, v any) {
		var n yaml.Node
		if err := n.Encode(v); err != nil {
			failed = err
			return
		}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, &n)
	}
	from := e.ScenarioName()
	if session != "" {
		from += ", session " + session
	}
	add("name", "snapshot")
	add("description", fmt.Sprintf("Exported from offboard (%s) at %s.", from, e.opts.now().UTC().Format(time.RFC3339)))
	sections := map[string]any{}
	var faults []Fault
	found := e.store.Dump(session, append(e.VendorNames(), faultSlot), func(name string, st kit.State) {
		if fs, ok := st.(*faultState); ok {
			faults = fs.remaining()
			return
		}
		if snap, ok := e.byName[name].Vendor.(kit.Snapshotter); ok {
			sections[name] = snap.Snapshot(st)
		}
	})
	if !found {
		return nil, false, nil
	}
	for _, name := range e.VendorNames() {
		if sec, ok := sections[name]; ok {
			add(name, sec)
		}
	}
	if len(faults) > 0 {
		add("faults", faults)
	}
	if failed != nil {
		return nil, true, failed
	}
	out, err := yaml.Marshal(root)
	return out, true, err
}

// remaining lists the rules as faults that would behave as these do from
// now on; spent rules are left out.
func (fs *faultState) remaining() []Fault {
	var out []Fault
	for _, r := range fs.Rules {
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

func (e *Emulator) writeScenario(w http.ResponseWriter, session string) {
	out, found, err := e.Snapshot(session)
	switch {
	case !found:
		noSession(w, session)
	case err != nil:
		writeAdminError(w, http.StatusInternalServerError, "encoding the snapshot: "+err.Error())
	default:
		w.Header().Set("Content-Type", "application/yaml")
		w.Header().Set("Content-Disposition", `attachment; filename="offboard-snapshot.yaml"`)
		_, _ = w.Write(out)
	}
}
