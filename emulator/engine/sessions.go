package engine

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/offboard/offboard/emulator/journal"
	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
	"github.com/offboard/offboard/emulator/store"
	"github.com/offboard/offboard/scenarios"
)

// SessionWire is a session id as it travels in the X-Offboard-Session
// header and in a path segment (/__session/{id}/, /__admin/sessions/{id}):
// percent-encoded as a URL path segment, so "TestX/sub" travels as
// "TestX%2Fsub" and an id of letters, digits and ._~- as itself.
func SessionWire(id string) string { return url.PathEscape(id) }

// SessionFromWire reads a session id from its wire form: printable ASCII,
// percent-decoded to a valid id (see CheckSession).
func SessionFromWire(wire string) (string, error) {
	for i := 0; i < len(wire); i++ {
		if c := wire[i]; c <= ' ' || c >= 0x7f {
			return "", badSession()
		}
	}
	id, err := url.PathUnescape(wire)
	if err != nil {
		return "", badSession()
	}
	return id, CheckSession(id)
}

// CheckSession tells whether id can name a session: "" (the shared one)
// or 1 to store.MaxSessionID bytes of UTF-8 without control characters or
// white space, such as any Go test's t.Name().
func CheckSession(id string) error {
	if id != "" && !store.ValidSessionID(id) {
		return badSession()
	}
	return nil
}

// badSession says what a session id may be.
func badSession() error {
	return errorf(ErrInvalid, "a session id is 1 to %d bytes of UTF-8 without control characters or spaces "+
		"(any Go t.Name()), percent-encoded in a header or path (TestX/sub as TestX%%2Fsub)", store.MaxSessionID)
}

// noSession is the error for a session that is not live.
func noSession(id string) error {
	return errorf(ErrNotFound, "no live session %q; a session starts with its first vendor request or "+
		"when a scenario is loaded into it (the session list shows the live ones)", id)
}

// SessionInfo describes a live session.
type SessionInfo = store.SessionInfo

// Sessions lists the named sessions, sorted by id.
func (e *Engine) Sessions() []SessionInfo {
	if s := e.store.Sessions(); s != nil {
		return s
	}
	return []SessionInfo{}
}

// SessionExists tells whether a session is live; the shared one ("")
// always is.
func (e *Engine) SessionExists(id string) bool { return e.store.Exists(id) }

// DropSession forgets a named session and its world.
func (e *Engine) DropSession(id string) error {
	if err := CheckSession(id); err != nil {
		return err
	}
	if id == "" || !e.store.DropSession(id) {
		return errorf(ErrNotFound, "no session %q", id)
	}
	return nil
}

// ResetSession returns one session to the scenario it started from.
func (e *Engine) ResetSession(id string) error {
	if err := CheckSession(id); err != nil {
		return err
	}
	if !e.store.ResetSession(id) {
		return noSession(id)
	}
	return nil
}

// LoadSessionScenario gives one session a scenario of its own, creating
// the session; a later LoadScenario leaves it alone. On error the
// session is unchanged.
func (e *Engine) LoadSessionScenario(id string, f *scenarios.File) error {
	if err := CheckSession(id); err != nil {
		return err
	}
	snap, err := e.snapshot(f)
	if err != nil {
		return invalid(err)
	}
	e.store.LoadSession(id, snap)
	return nil
}

// LoadSessionRefs gives one session the scenario of refs (built-in names
// or paths, each over the one before, as LoadRefs), creating the session.
func (e *Engine) LoadSessionRefs(id string, refs ...string) error {
	f, err := e.openScenario(refs, nil)
	if err != nil {
		return invalid(err)
	}
	return e.LoadSessionScenario(id, f)
}

// LoadSessionYAML gives one session a scenario given as text; name
// appears in its errors, as LoadYAML's does.
func (e *Engine) LoadSessionYAML(id, name string, data []byte) error {
	f, err := scenarios.Parse(name, data)
	if err != nil {
		return invalid(err)
	}
	return e.LoadSessionScenario(id, f)
}

// State is each vendor's state in a session ("" the shared one), as JSON
// by vendor name: what GET /__admin/state serves.
func (e *Engine) State(session string) (map[string]json.RawMessage, error) {
	if err := CheckSession(session); err != nil {
		return nil, err
	}
	// Clones under the lock (they cost what the session changed), encoded
	// after it: a big world's encoding never holds its vendor's requests.
	clones := map[string]kit.State{}
	found := e.store.Dump(session, e.VendorNames(), func(vendor string, st kit.State) { clones[vendor] = st.Clone() })
	if !found {
		return nil, noSession(session)
	}
	states := make(map[string]json.RawMessage, len(clones))
	for vendor, st := range clones {
		b, err := json.Marshal(st)
		if err != nil {
			return nil, fmt.Errorf("encoding %s's state: %w", vendor, err)
		}
		states[vendor] = b
	}
	return states, nil
}

// Inspect runs fn on a vendor's state in a session, under the lock its
// handlers hold, for assertions a Go test makes on the typed state (for
// example *onedata.State). fn must not change it.
func (e *Engine) Inspect(session, vendor string, fn func(kit.State)) error {
	if err := CheckSession(session); err != nil {
		return err
	}
	if _, err := e.vendor(vendor); err != nil {
		return err
	}
	if !e.store.Dump(session, []string{vendor}, func(_ string, st kit.State) { fn(st) }) {
		return noSession(session)
	}
	return nil
}

// now is the engine's clock.
func (e *Engine) now() time.Time { return e.cfg.Now() }

// Changes tells, for each vendor, how a session's state ("" the shared
// one) differs from the scenario it was loaded from: rows added, removed
// and changed, field by field (at most table.MaxChanges a vendor).
func (e *Engine) Changes(session string) (map[string][]journal.Change, error) {
	if err := CheckSession(session); err != nil {
		return nil, err
	}
	out := map[string][]journal.Change{}
	found := e.store.Dump(session, e.VendorNames(), func(vendor string, st kit.State) {
		out[vendor] = journalChanges(table.ChangesSinceLoad(st))
		if out[vendor] == nil {
			out[vendor] = []journal.Change{}
		}
	})
	if !found {
		return nil, noSession(session)
	}
	return out, nil
}
