// Package journal keeps the requests an emulator answered: a bounded ring
// of entries, oldest dropped first, filters over it, and live
// subscriptions. It knows nothing of HTTP: the engine fills entries in and
// the control API serves them.
package journal

import (
	"encoding/json"
	"net/textproto"
	"sync"
	"time"
)

// DefaultSize is how many entries a journal keeps by default.
const DefaultSize = 1000

// MaxSubscriptions bounds the live subscriptions one journal feeds.
const MaxSubscriptions = 32

// subscriptionBuffer is how many entries a subscriber may lag behind
// before it misses some (it can catch up from List).
const subscriptionBuffer = 256

// Header is a request's or an answer's header fields, as net/http keeps
// them (canonical names).
type Header map[string][]string

// Get is the first value of a field, the name in any case.
func (h Header) Get(name string) string {
	if v := h[textproto.CanonicalMIMEHeaderKey(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Entry is one request the emulator answered, as the journal keeps it.
type Entry struct {
	Seq     uint64    `json:"seq"`
	Time    time.Time `json:"time"`
	Session string    `json:"session"`
	// Scenario is the name of the scenario the request's session had
	// loaded when it was answered.
	Scenario  string `json:"scenario,omitempty"`
	Vendor    string `json:"vendor"`
	Operation string `json:"operation,omitempty"`
	Method    string `json:"method"`
	Path      string `json:"path"`
	Query     string `json:"query,omitempty"`
	// Host is the Host the client sent; Target the request target exactly
	// as sent (escaped, with the /__session/ prefix when the session came
	// that way, and the query), so the request can be sent again as it was.
	Host      string `json:"host,omitempty"`
	Target    string `json:"target,omitempty"`
	Header    Header `json:"header"`
	Body      string `json:"body,omitempty"`
	Truncated bool   `json:"bodyTruncated,omitempty"`
	// HeaderTruncated says values were cut to keep the entry within the
	// engine's header budget.
	HeaderTruncated bool `json:"headerTruncated,omitempty"`
	Status          int  `json:"status"` // 0: the connection was dropped
	// DecidedBy says what chose the answer: "handler" (the vendor's rules
	// let it through), "rule" (a vendor rule refused it), "validation" (the
	// spec), "fault" (an injected fault), "route" (no such operation),
	// "limit" (the body was too large) or "internal".
	DecidedBy string `json:"decidedBy"`
	// Outcome is the answer as its vendor means it, whatever the status:
	// OutcomeError for a Commvault errorCode 2 in a 200 as for a 404.
	Outcome string `json:"outcome"`
	// VendorError is the vendor's name for the error ("errorCode 2",
	// "DAYU.4402", "notFound", "498"); empty for a success.
	VendorError string `json:"vendorError,omitempty"`
	Detail      string `json:"detail,omitempty"`
	// Changes is what the request changed in the vendor's state, row by
	// row and field by field (at most 100); reads record none.
	Changes []Change `json:"changes,omitempty"`
	// People are the ids of the scenario's people whose accounts the
	// request named (the user it deleted, the one ownership went to).
	People []string `json:"people,omitempty"`
	// Response is what the client got; zero (and left out of the JSON)
	// when the connection was dropped. A value, not a pointer: one
	// allocation less on every request.
	Response Response `json:"response,omitzero"`
}

// Change is one difference a request made in its vendor's state: the
// path starts with the table and the row's key ("users", "6"), then the
// fields below it.
type Change struct {
	Path   []string        `json:"path"`
	Kind   string          `json:"kind"` // added, removed or changed
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// The outcomes of an entry.
const (
	OutcomeOK    = "ok"
	OutcomeError = "error"
)

// Response is the answer an entry keeps: status, headers and the first
// bytes of the body.
type Response struct {
	Status    int    `json:"status"`
	Header    Header `json:"header"`
	Body      string `json:"body,omitempty"`
	Truncated bool   `json:"bodyTruncated,omitempty"`
}

// Journal is a bounded ring of entries. It is safe for concurrent use.
type Journal struct {
	size    int // fixed at creation
	mu      sync.Mutex
	entries []Entry
	next    int // where the next entry goes once full
	full    bool
	seq     uint64
	// subs are the live subscriptions; a slow one misses entries rather
	// than slowing requests down.
	subs map[*Subscription]struct{}
}

// New makes a journal of size entries; 0 keeps none.
func New(size int) *Journal {
	size = max(size, 0)
	return &Journal{size: size, entries: make([]Entry, 0, min(size, 4096))}
}

// Last is the newest entry's number, 0 before the first.
func (j *Journal) Last() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.seq
}

// Size is how many entries the journal keeps; 0 when it is off.
func (j *Journal) Size() int { return j.size }

// Add numbers an entry, keeps it and hands it to every subscription; it
// returns the entry's number (0 when the journal is off).
func (j *Journal) Add(e Entry) uint64 {
	if j.size == 0 {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.Seq = j.seq
	for s := range j.subs {
		select {
		case s.ch <- e:
		default: // behind; it can catch up from List
		}
	}
	if !j.full {
		j.entries = append(j.entries, e)
		if len(j.entries) == j.size {
			j.full = true
		}
		return e.Seq
	}
	j.entries[j.next] = e
	j.next = (j.next + 1) % len(j.entries)
	return e.Seq
}

// List returns the entries f matches, oldest first.
func (j *Journal) List(f Filter) []Entry {
	out := []Entry{}
	j.each(f, func(e *Entry) { out = append(out, *e) })
	return out
}

// Count is how many entries f matches.
func (j *Journal) Count(f Filter) int {
	n := 0
	j.each(f, func(*Entry) { n++ })
	return n
}

// scanChunk is how many entries a walk copies under the lock at a time:
// a search over 100,000 entries never holds the lock a request's Add
// needs for longer than copying this many.
const scanChunk = 256

// each calls fn with every entry f matches, oldest first, on copies: the
// lock is held only while a chunk is copied, never while entries are
// matched (a text search lowers every field it reads). Entries added after
// the walk began are not visited; entries dropped meanwhile are skipped.
func (j *Journal) each(f Filter, fn func(*Entry)) {
	j.mu.Lock()
	last := j.seq
	j.mu.Unlock()
	next := f.AfterSeq + 1
	buf := make([]Entry, 0, scanChunk)
	for next <= last {
		buf, next = j.copyFrom(buf[:0], next, last)
		for i := range buf {
			if f.Match(&buf[i]) {
				fn(&buf[i])
			}
		}
	}
}

// copyFrom appends the entries from seq next (or the oldest held, if
// later) up to last, at most a chunk, and says where to go on.
func (j *Journal) copyFrom(buf []Entry, next, last uint64) ([]Entry, uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	next = max(next, j.oldestLocked())
	for ; next <= last && len(buf) < scanChunk; next++ {
		if i, ok := j.indexLocked(next); ok {
			buf = append(buf, j.entries[i])
		}
	}
	return buf, next
}

// oldestLocked is the number of the oldest entry held (one past the
// newest when none is).
func (j *Journal) oldestLocked() uint64 { return j.seq - uint64(len(j.entries)) + 1 }

// indexLocked is where entry seq sits in the ring, when it is held.
func (j *Journal) indexLocked(seq uint64) (int, bool) {
	n := len(j.entries)
	if n == 0 || seq < j.oldestLocked() || seq > j.seq {
		return 0, false
	}
	return (j.next + int(seq-j.oldestLocked())) % n, true
}

// Get returns entry seq while the journal holds it, in constant time.
func (j *Journal) Get(seq uint64) (Entry, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	i, ok := j.indexLocked(seq)
	if !ok {
		return Entry{}, false
	}
	return j.entries[i], true
}

// Clear forgets every entry and says how many there were. Sequence
// numbers go on from where they were.
func (j *Journal) Clear() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := len(j.entries)
	clear(j.entries)
	j.entries, j.next, j.full = j.entries[:0], 0, false
	return n
}

// Subscription is a live feed of new entries.
type Subscription struct {
	ch   chan Entry
	j    *Journal
	once sync.Once
}

// C delivers each entry added after Subscribe; a reader that falls more
// than a few hundred entries behind misses some (List has them).
func (s *Subscription) C() <-chan Entry { return s.ch }

// Close ends the subscription and frees its place.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.j.mu.Lock()
		defer s.j.mu.Unlock()
		delete(s.j.subs, s)
	})
}

// Subscribe opens a live feed; ok is false when MaxSubscriptions are open.
func (j *Journal) Subscribe() (s *Subscription, ok bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.subs) >= MaxSubscriptions {
		return nil, false
	}
	if j.subs == nil {
		j.subs = map[*Subscription]struct{}{}
	}
	s = &Subscription{ch: make(chan Entry, subscriptionBuffer), j: j}
	j.subs[s] = struct{}{}
	return s, true
}
