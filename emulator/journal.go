package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/offboard/offboard/emulator/kit"
)

// DefaultJournalSize is how many requests the journal keeps by default.
const DefaultJournalSize = 1000

// journalBodyBytes is how much of each body an entry keeps.
const journalBodyBytes = 4096

// journalHeaderBytes bounds the header bytes an entry keeps: a client may
// send far more (up to the server's limit) on every request.
const journalHeaderBytes = 8192

// Entry is one request the emulator answered, as the journal keeps it.
type Entry struct {
	Seq       uint64      `json:"seq"`
	Time      time.Time   `json:"time"`
	Session   string      `json:"session"`
	Vendor    string      `json:"vendor"`
	Operation string      `json:"operation,omitempty"`
	Method    string      `json:"method"`
	Path      string      `json:"path"`
	Query     string      `json:"query,omitempty"`
	Header    http.Header `json:"header"`
	Body      string      `json:"body,omitempty"`
	Truncated bool        `json:"bodyTruncated,omitempty"`
	// HeaderTruncated says values were cut to keep the entry within
	// journalHeaderBytes.
	HeaderTruncated bool `json:"headerTruncated,omitempty"`
	Status          int  `json:"status"` // 0: the connection was dropped
	// DecidedBy says what chose the answer: "handler" (the vendor's rules
	// let it through), "rule" (a vendor rule refused it), "validation" (the
	// spec), "fault" (an injected fault), "route" (no such operation),
	// "limit" (the body was too large) or "internal".
	DecidedBy string `json:"decidedBy"`
	Detail    string `json:"detail,omitempty"`
	// Response is what the client got; zero (and left out of the JSON)
	// when the connection was dropped. A value, not a pointer: one
	// allocation less on every request.
	Response EntryResponse `json:"response,omitzero"`
}

// EntryResponse is the answer a journal entry keeps: status, headers and
// the first journalBodyBytes of the body.
type EntryResponse struct {
	Status    int         `json:"status"`
	Header    http.Header `json:"header"`
	Body      string      `json:"body,omitempty"`
	Truncated bool        `json:"bodyTruncated,omitempty"`
}

// journal is a bounded ring of entries, oldest dropped first.
type journal struct {
	size    int // fixed at creation
	mu      sync.Mutex
	entries []Entry
	next    int // where the next entry goes once full
	full    bool
	seq     uint64
	// subs are the live streams (GET /__admin/requests/stream); a slow
	// one misses entries rather than slowing requests down.
	subs map[chan Entry]struct{}
}

// maxJournalStreams bounds the live streams one emulator feeds.
const maxJournalStreams = 32

// subscribe opens a live feed of new entries; ok is false when too many
// are open. cancel closes it.
func (j *journal) subscribe() (ch chan Entry, cancel func(), ok bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.subs) >= maxJournalStreams {
		return nil, nil, false
	}
	if j.subs == nil {
		j.subs = map[chan Entry]struct{}{}
	}
	ch = make(chan Entry, 256)
	j.subs[ch] = struct{}{}
	return ch, func() {
		j.mu.Lock()
		defer j.mu.Unlock()
		delete(j.subs, ch)
	}, true
}

func newJournal(size int) *journal {
	return &journal{size: size, entries: make([]Entry, 0, size)}
}

func (j *journal) add(e Entry) {
	if j.size == 0 {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	e.Seq = j.seq
	for ch := range j.subs {
		select {
		case ch <- e:
		default: // this stream is behind; it can catch up from the journal
		}
	}
	if !j.full {
		j.entries = append(j.entries, e)
		if len(j.entries) == j.size {
			j.full = true
		}
		return
	}
	j.entries[j.next] = e
	j.next = (j.next + 1) % len(j.entries)
}

// list returns the entries matching f, oldest first.
func (j *journal) list(f journalFilter) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := []Entry{}
	n := len(j.entries)
	for i := range n {
		e := j.entries[(j.next+i)%n]
		if f.match(e) {
			out = append(out, e)
		}
	}
	return out
}

func (j *journal) clear() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := len(j.entries)
	j.entries, j.next, j.full = j.entries[:0], 0, false
	return n
}

// journalFilter selects entries; zero fields match everything.
type journalFilter struct {
	Vendor    string    `json:"vendor"`
	Operation string    `json:"operation"`
	Method    string    `json:"method"`
	Path      string    `json:"path"` // a path.Match glob, or an exact path
	Status    int       `json:"status"`
	Session   *string   `json:"session"` // nil: any session; "": the shared one
	DecidedBy string    `json:"decidedBy"`
	Since     time.Time `json:"since"`
	AfterSeq  uint64    `json:"afterSeq"`
}

func (f journalFilter) match(e Entry) bool {
	switch {
	case f.Vendor != "" && f.Vendor != e.Vendor,
		f.Operation != "" && f.Operation != e.Operation,
		f.Method != "" && !strings.EqualFold(f.Method, e.Method),
		f.Status != 0 && f.Status != e.Status,
		f.Session != nil && *f.Session != e.Session,
		f.DecidedBy != "" && f.DecidedBy != e.DecidedBy,
		!f.Since.IsZero() && e.Time.Before(f.Since),
		f.AfterSeq != 0 && e.Seq <= f.AfterSeq:
		return false
	}
	if f.Path != "" && f.Path != e.Path {
		ok, _ := path.Match(f.Path, e.Path)
		return ok
	}
	return true
}

// filterFromQuery reads a filter from ?vendor=&operation=&method=&path=
// &status=&session=&decidedBy=&since=(RFC 3339 or a seq number).
func filterFromQuery(q url.Values) (journalFilter, error) {
	f := journalFilter{Vendor: q.Get("vendor"), Operation: q.Get("operation"), Method: q.Get("method"),
		Path: q.Get("path"), DecidedBy: q.Get("decidedBy")}
	if q.Has("session") {
		s := q.Get("session")
		f.Session = &s
	}
	if v := q.Get("status"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return f, fmt.Errorf("status %q is not a number", v)
		}
		f.Status = n
	}
	if v := q.Get("since"); v != "" {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			f.AfterSeq = n
		} else if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			f.Since = t
		} else {
			return f, fmt.Errorf("since %q is neither RFC 3339 nor a sequence number", v)
		}
	}
	if f.Path != "" {
		if _, err := path.Match(f.Path, ""); err != nil {
			return f, fmt.Errorf("path %q is not a valid glob", f.Path)
		}
	}
	return f, nil
}

// record adds an answered request to the journal.
func (e *Emulator) record(r *http.Request, kr *kit.Request, vendor, op string, status int, cause error, detail string, respHeader http.Header, respBody []byte) {
	if e.journal == nil {
		return
	}
	entry := Entry{Time: kr.Now, Session: kr.Session, Vendor: vendor, Operation: op, Method: r.Method,
		Path: kr.Path, Query: truncate(r.URL.RawQuery, journalHeaderBytes), Status: status, DecidedBy: decidedBy(cause)}
	// net/http gives every request a header map of its own and nothing
	// here changes it after the answer, so the journal keeps it as is,
	// unless it is too large to keep whole.
	entry.Header, entry.HeaderTruncated = boundHeader(r.Header, journalHeaderBytes)
	body := kr.Body
	if len(body) > journalBodyBytes {
		body, entry.Truncated = body[:journalBodyBytes], true
	}
	entry.Body = string(body)
	entry.Detail = detail
	if status != 0 {
		out := &entry.Response
		out.Status = status
		// The writer's header map: net/http copies it at WriteHeader and
		// nothing writes to it after the answer, so it is kept as is. It
		// needs no bound: its values are the vendor's and a detail cut to
		// 512 bytes, never what a client sent.
		out.Header = respHeader
		if len(respBody) > journalBodyBytes {
			respBody, out.Truncated = respBody[:journalBodyBytes], true
		}
		out.Body = string(respBody)
	}
	e.journal.add(entry)
}

// boundHeader returns h when its names and values fit in limit bytes, else
// a copy whose values are cut to fit, and true.
func boundHeader(h http.Header, limit int) (http.Header, bool) {
	size := 0
	for k, vs := range h {
		for _, v := range vs {
			size += len(k) + len(v)
		}
	}
	if size <= limit {
		return h, false
	}
	out := make(http.Header, len(h))
	left := limit
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			if left <= len(k) {
				return out, true
			}
			left -= len(k)
			if len(v) > left {
				v = v[:left] + "..."
			}
			left -= min(len(v), left)
			out[k] = append(out[k], v)
		}
	}
	return out, true
}

func decidedBy(cause error) string {
	if cause == nil {
		return "handler"
	}
	ke, ok := cause.(*kit.Error) // the usual case, without errors.As's reflection
	if !ok {
		switch cause.(type) {
		case interface{ Unwrap() error }, interface{ Unwrap() []error }, interface{ As(any) bool }:
			var wrapped *kit.Error
			if !errors.As(cause, &wrapped) {
				return "rule"
			}
			ke = wrapped
		default:
			return "rule" // a vendor's own error, wrapping nothing
		}
	}
	switch ke.Kind {
	case kit.BadRequest:
		return "validation"
	case kit.Fault:
		return "fault"
	case kit.NoRoute, kit.MethodNotAllowed:
		return "route"
	case kit.TooLarge:
		return "limit"
	}
	return "internal"
}

func (e *Emulator) adminRequests(w http.ResponseWriter, r *http.Request) {
	f, err := filterFromQuery(r.URL.Query())
	if err != nil {
		writeAdminError(w, http.StatusBadRequest, err.Error())
		return
	}
	entries := e.journal.list(f)
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeAdminError(w, http.StatusBadRequest, "limit must be a non-negative number")
			return
		}
		if n < len(entries) {
			entries = entries[len(entries)-n:] // the most recent n
		}
	}
	streamList(w, "count", len(entries), "requests", func(i int) any { return entries[i] })
}

func (e *Emulator) adminClearRequests(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "cleared", "dropped": e.journal.clear()})
}

// adminCountRequests counts with a JSON filter, so a test asserts
// "exactly one delete of user X": {"vendor":"onedata","method":"DELETE","path":"/api/v3/onezone/users/X"}.
func (e *Emulator) adminCountRequests(w http.ResponseWriter, r *http.Request) {
	var f journalFilter
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		writeAdminError(w, http.StatusBadRequest, "the body must be a JSON filter (vendor, operation, method, path, status, session, decidedBy, since, afterSeq): "+err.Error())
		return
	}
	if f.Path != "" {
		if _, err := path.Match(f.Path, ""); err != nil {
			writeAdminError(w, http.StatusBadRequest, "path is not a valid glob")
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(e.journal.list(f))})
}
