// Package store keeps the vendors' states per session. The loaded scenario
// is an immutable snapshot; a session's slot clones its vendor's part on
// first use, so a reset is a pointer swap and sessions never share state.
package store

import (
	"sort"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/offboard/offboard/emulator/kit"
)

// Snapshot is one state per vendor, never changed after it is built.
type Snapshot map[string]kit.State

// Store holds the shared session ("") and any named sessions.
type Store struct {
	mu             sync.Mutex
	snap           Snapshot
	sessions       map[string]*session
	newest, oldest *session // the named sessions by last use
	opts           Options
	lastSweep      time.Time
}

// Options bound what sessions may cost.
type Options struct {
	// Idle drops a named session unused for this long (0: never).
	Idle time.Duration
	// Max caps the named sessions; a new one beyond it evicts the least
	// recently used (0: no cap).
	Max int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnDrop, when set, is told of each session dropped for being idle
	// or evicted for the cap, with the reason.
	OnDrop func(id, reason string)
}

// MaxSessionID is the longest session id accepted, in bytes: room for a
// table test's t.Name().
const MaxSessionID = 256

// ValidSessionID tells a usable session id: 1 to MaxSessionID bytes of
// UTF-8 without control characters or white space, and not "." or "..".
// Any Go test's t.Name() is one ("TestDelete/unknown_user#01"); where an
// id travels in a header or a path it is percent-encoded (see
// engine.SessionWire).
func ValidSessionID(id string) bool {
	if id == "" || len(id) > MaxSessionID || !utf8.ValidString(id) {
		return false
	}
	if id == "." || id == ".." {
		return false // as a path segment it would mean the parent: a URL built on it leaves the session
	}
	for _, r := range id {
		if unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

type session struct {
	id       string
	snap     Snapshot
	own      bool // loaded a scenario of its own; survives a global load
	slots    map[string]*Slot
	lastUsed time.Time
	// prev and next link the named sessions from the most recently used
	// (Store.newest) to the least (Store.oldest): eviction and the idle
	// sweep take from the old end without looking at the rest.
	prev, next *session
}

// Slot is one vendor's state in one session, with the lock a handler holds
// for its whole run, which makes check-then-change atomic.
type Slot struct {
	mu    sync.Mutex
	base  kit.State
	state kit.State
}

// New makes a store over a snapshot.
func New(snap Snapshot, opts Options) *Store {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{snap: snap, sessions: map[string]*session{}, opts: opts}
}

// Slot returns the slot of a vendor in a session, creating the session on
// first use (evicting the least recently used one past the cap).
func (s *Store) Slot(sessionID, vendor string) *Slot {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	s.sweepLocked(now)
	se := s.sessionLocked(sessionID, now)
	s.touchLocked(se, now)
	return se.slotLocked(vendor)
}

// touchLocked marks a session used now: it moves to the new end.
func (s *Store) touchLocked(se *session, now time.Time) {
	se.lastUsed = now
	if se.id == "" || s.newest == se {
		return
	}
	s.unlinkLocked(se)
	se.next = s.newest
	if s.newest != nil {
		s.newest.prev = se
	}
	s.newest = se
	if s.oldest == nil {
		s.oldest = se
	}
}

// unlinkLocked takes a named session out of the use order.
func (s *Store) unlinkLocked(se *session) {
	if se.prev != nil {
		se.prev.next = se.next
	} else if s.newest == se {
		s.newest = se.next
	}
	if se.next != nil {
		se.next.prev = se.prev
	} else if s.oldest == se {
		s.oldest = se.prev
	}
	se.prev, se.next = nil, nil
}

// removeLocked forgets a session.
func (s *Store) removeLocked(se *session) {
	s.unlinkLocked(se)
	delete(s.sessions, se.id)
}

func (se *session) slotLocked(vendor string) *Slot {
	sl, ok := se.slots[vendor]
	if !ok {
		sl = &Slot{base: se.snap[vendor]}
		se.slots[vendor] = sl
	}
	return sl
}

func (s *Store) sessionLocked(id string, now time.Time) *session {
	se, ok := s.sessions[id]
	if !ok {
		if id != "" {
			s.makeRoomLocked()
		}
		se = &session{id: id, snap: s.snap, slots: map[string]*Slot{}, lastUsed: now}
		s.sessions[id] = se
		s.touchLocked(se, now)
	}
	return se
}

// makeRoomLocked evicts the least recently used named session when a new
// one would pass the cap.
func (s *Store) makeRoomLocked() {
	if s.opts.Max <= 0 {
		return
	}
	for s.named() >= s.opts.Max && s.oldest != nil {
		oldest := s.oldest
		s.removeLocked(oldest)
		s.dropped(oldest.id, "evicted: the session cap was reached and it was the least recently used")
	}
}

func (s *Store) named() int {
	n := len(s.sessions)
	if _, ok := s.sessions[""]; ok {
		n--
	}
	return n
}

func (s *Store) dropped(id, reason string) {
	if s.opts.OnDrop != nil {
		s.opts.OnDrop(id, reason)
	}
}

func (s *Store) sweepLocked(now time.Time) {
	idle := s.opts.Idle
	if idle <= 0 || now.Sub(s.lastSweep) < idle/4 {
		return
	}
	s.lastSweep = now
	for s.oldest != nil && now.Sub(s.oldest.lastUsed) > idle {
		oldest := s.oldest
		s.removeLocked(oldest)
		s.dropped(oldest.id, "idle for longer than "+idle.String())
	}
}

// Exists tells whether a session is live; the shared one always is.
func (s *Store) Exists(id string) bool {
	if id == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.sessions[id]
	return ok
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
	for _, se := range s.sessions {
		if !se.own {
			s.removeLocked(se)
		}
	}
}

// LoadSession gives one session a scenario of its own.
func (s *Store) LoadSession(id string, snap Snapshot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.sessions[id]; ok {
		s.removeLocked(old)
	} else if id != "" {
		s.makeRoomLocked()
	}
	se := &session{id: id, snap: snap, own: id != "", slots: map[string]*Slot{}}
	s.sessions[id] = se
	s.touchLocked(se, s.opts.Now())
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
	s.newest, s.oldest = nil, nil
}

// ResetSession returns one session to its scenario as loaded; it reports
// whether the session existed.
func (s *Store) ResetSession(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.sessions[id]
	if ok {
		se.slots = map[string]*Slot{}
	}
	return ok || id == ""
}

// DropSession forgets a named session; it reports whether it existed.
func (s *Store) DropSession(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	se, ok := s.sessions[id]
	if ok {
		s.removeLocked(se)
	}
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
