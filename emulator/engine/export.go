package engine

import (
	"fmt"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/faults"
	"github.com/offboard/offboard/emulator/kit"
)

// Export writes a session's world ("" the shared one) as a scenario: each
// vendor's state as its section and the faults still to fire, so that
// loading the result gives the same world (a QA engineer attaches it to a
// bug report; a developer loads it).
func (e *Engine) Export(session string) ([]byte, error) {
	if err := CheckSession(session); err != nil {
		return nil, err
	}
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
	add("description", fmt.Sprintf("Exported from offboard (%s) at %s.", from, e.now().UTC().Format(time.RFC3339)))
	sections := map[string]any{}
	var remaining []faults.Fault
	found := e.store.Dump(session, append(e.VendorNames(), faultSlot), func(name string, st kit.State) {
		if fs, ok := st.(*faultState); ok {
			remaining = fs.Remaining()
			return
		}
		if snap, ok := e.byName[name].Vendor.(kit.Snapshotter); ok {
			sections[name] = snap.Snapshot(st)
		}
	})
	if !found {
		return nil, noSession(session)
	}
	for _, name := range e.VendorNames() {
		if sec, ok := sections[name]; ok {
			add(name, sec)
		}
	}
	if len(remaining) > 0 {
		add("faults", remaining)
	}
	if failed != nil {
		return nil, fmt.Errorf("encoding the snapshot: %w", failed)
	}
	out, err := yaml.Marshal(root)
	if err != nil {
		return nil, fmt.Errorf("encoding the snapshot: %w", err)
	}
	return out, nil
}
