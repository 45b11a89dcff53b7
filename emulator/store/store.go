// Package store keeps the vendors' states per session. The loaded scenario
// is an immutable snapshot; a session's slot clones its vendor's part on
// first use, so a reset is a pointer swap and sessions never share state.
package store

import (
	"sort"
	"sync"
	"time"

	"github.com/offboard/offboard/emulator/kit"
)

// Snapshot is one state per vendor, never changed after it is built.
type Snapshot map[string]kit.State

// Store holds the shared session ("") and any named sessions.
type Store struct {
	mu        sync.Mutex
	snap      Snapshot
	sessions  map[string]*session
	idle      time.Duration
	lastSweep time.Time
	now       func() time.Time
}

type session struct {
	snap     Snapshot
	own      bool // loaded a scenario of its own; survives a global load
	slots    map[string]*Slot
	lastUsed time.Time
}

// Slot is one vendor's state in one session, with the lock a handler holds
// for its whole run, which makes check-then-change atomic.
type Slot struct {
	mu    sync.Mutex
	base  kit.State
	state kit.State
}

// New makes a store over a snapshot. Named sessions unused for longer than
// idle are dropped (0 keeps them forever).
func New(snap Snapshot, idle time.Duration, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{snap: snap, sessions: map[string]*session{}, idle: idle, now: now}
}

// Slot returns the slot of a vendor in a session, creating the session on
// first use.
func (s *Store) Slot(sessionID, vendor string) *Slot {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweepLocked(now)
	se := s.sessionLocked(sessionID)
	se.lastUsed = now
	sl, ok := se.slots[vendor]
	if !ok {
		sl = &Slot{base: se.snap[vendor]}
		se.slots[vendor] = sl
	}
	return sl
}

func (s *Store) sessionLocked(id string) *session {
	se, ok := s.sessions[id]
	if !ok {
		se = &session{snap: s.snap, slots: map[string]*Slot{}}
		s.sessions[id] = se
	}
	return se
}

func (s *Store) sweepLocked(now time.Time) {
	if s.idle <= 0 || now.Sub(s.lastSweep) < s.idle/4 {
		return
	}
	s.lastSweep = now
	for id, se := range s.sessions {
		if id != "" && now.Sub(se.lastUsed) > s.idle {
			delete(s.sessions, id)
		}
	}
}

// Do runs fn on the slot's state under the slot's lock, cloning the
// snapshot's state on first use.
func (sl *Slot) Do(fn func(kit.State) error) error {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.state == nil && sl.base != nil {
		sl.state = sl.base.Clone()
	}
	return fn(sl.state)
}

// Load replaces the scenario of every session that has not loaded one of
// its own, and drops their changes.
func (s *Store) Load(snap Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snap = snap
	for id, se := range s.sessions {
		if !se.own {
			delete(s.sessions, id)
		}
	}
}

// LoadSession gives one session a scenario of its own.
func (s *Store) LoadSession(id string, snap Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions[id] = &session{snap: snap, own: id != "", slots: map[string]*Slot{}, lastUsed: s.now()}
	if id == "" {
		s.snap = snap
	}
}

// Reset returns every session to the scenario as loaded and forgets named
// sessions.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions = map[string]*session{}
}

// ResetSession returns one session to its scenario as loaded.
func (s *Store) ResetSession(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if se, ok := s.sessions[id]; ok {
		se.slots = map[string]*Slot{}
	}
}

// DropSession forgets a named session; it reports whether it existed.
func (s *Store) DropSession(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.sessions[id]
	delete(s.sessions, id)
	return ok
}

// SessionInfo describes a live session.
type SessionInfo struct {
	ID       string    `json:"id"`
	OwnScene bool      `json:"ownScenario"`
	LastUsed time.Time `json:"lastUsed"`
}

// Sessions lists the named sessions, sorted by id.
func (s *Store) Sessions() []SessionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SessionInfo
	for id, se := range s.sessions {
		if id != "" {
			out = append(out, SessionInfo{ID: id, OwnScene: se.own, LastUsed: se.lastUsed})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Dump calls fn with each vendor's current state in a session, under that
// slot's lock, so a dump never sees a handler's half-done change.
func (s *Store) Dump(sessionID string, vendors []string, fn func(vendor string, st kit.State)) {
	for _, v := range vendors {
		sl := s.Slot(sessionID, v)
		sl.mu.Lock()
		st := sl.state
		if st == nil {
			st = sl.base
		}
		fn(v, st)
		sl.mu.Unlock()
	}
}
