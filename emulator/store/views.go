package store

import (
	"time"

	"github.com/offboard/offboard/emulator/kit"
)

// SlotsAt is Slot for one request: the vendor's slot and, when other is
// not empty, another slot of the same session (the faults'), in one turn
// of the store's lock, at the time the caller read once for the request;
// and the snapshot the session's scenario made, which is never changed.
func (s *Store) SlotsAt(now time.Time, sessionID, vendor, other string) (*Slot, *Slot, Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(now)
	se := s.sessionLocked(sessionID, now)
	s.touchLocked(se, now)
	var o *Slot
	if other != "" {
		o = se.slotLocked(other)
	}
	return se.slotLocked(vendor), o, se.snap
}

// slotsOf finds a session's slots of vendors, creating none but the
// shared session's; ok is false for a named session that is not live.
func (s *Store) slotsOf(sessionID string, vendors []string) (snap Snapshot, slots []*Slot, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.sessions[sessionID]
	if !ok && sessionID == "" {
		se, ok = s.sessionLocked("", s.opts.Now()), true
	}
	if !ok {
		return nil, nil, false
	}
	slots = make([]*Slot, len(vendors))
	for i, v := range vendors {
		slots[i] = se.slotLocked(v)
	}
	return se.snap, slots, true
}

// read calls fn with the slot's state (the snapshot's while untouched)
// under the slot's lock.
func (sl *Slot) read(fn func(kit.State)) {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	st := sl.state
	if st == nil {
		st = sl.base
	}
	fn(st)
}

// Dump calls fn with each vendor's current state in a session, under that
// slot's lock, so a dump never sees a handler's half-done change. A
// session that does not exist is not created: Dump reports false.
func (s *Store) Dump(sessionID string, vendors []string, fn func(vendor string, st kit.State)) bool {
	_, slots, ok := s.slotsOf(sessionID, vendors)
	for i, v := range vendors[:len(slots)] {
		slots[i].read(func(st kit.State) { fn(v, st) })
	}
	return ok
}

// Views gives a session's snapshot (the scenario as the session loaded
// it) and each vendor's state now, cloned under its slot's lock: a
// copy-on-write clone costs what the session changed, and what is read
// from it afterwards holds no lock. A session that does not exist is not
// created: ok is false.
func (s *Store) Views(sessionID string, vendors []string) (loaded Snapshot, now map[string]kit.State, ok bool) {
	loaded, slots, ok := s.slotsOf(sessionID, vendors)
	if !ok {
		return nil, nil, false
	}
	now = make(map[string]kit.State, len(vendors))
	for i, v := range vendors {
		slots[i].read(func(st kit.State) {
			if st != nil {
				now[v] = st.Clone()
			}
		})
	}
	return loaded, now, true
}

// Loaded is the snapshot a session's scenario made, the shared one's for
// a session that is not live; it creates nothing.
func (s *Store) Loaded(sessionID string) Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	if se, ok := s.sessions[sessionID]; ok {
		return se.snap
	}
	return s.snap
}
