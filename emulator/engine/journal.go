package engine

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"unsafe"

	"github.com/offboard/offboard/emulator/journal"
	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// What one journal entry keeps at most.
const (
	journalBodyBytes   = 4096 // of each body
	journalHeaderBytes = 8192 // of the request's header names and values, and of its query
)

// Requests lists the journal's entries that f matches, oldest first; with
// limit > 0, only the most recent limit of them.
func (e *Engine) Requests(f journal.Filter, limit int) ([]journal.Entry, error) {
	if err := f.Check(); err != nil {
		return nil, invalid(err)
	}
	defer e.scanSlot()()
	out := e.journal.List(f)
	if limit > 0 && limit < len(out) {
		out = out[len(out)-limit:]
	}
	return out, nil
}

// CountRequests counts the journal's entries that f matches: a test
// asserts "exactly one delete of user X" with it.
func (e *Engine) CountRequests(f journal.Filter) (int, error) {
	if err := f.Check(); err != nil {
		return 0, invalid(err)
	}
	defer e.scanSlot()()
	return e.journal.Count(f), nil
}

// maxScans is how many journal-wide walks (lists, counts, searches) run at
// once; more wait their turn, so however many a client starts, vendor
// requests keep most of the machine.
const maxScans = 2

// scanSlot waits for a turn to walk the journal; call what it returns to
// give the turn back.
func (e *Engine) scanSlot() func() {
	e.scans <- struct{}{}
	return func() { <-e.scans }
}

// ClearRequests forgets the journal and says how many entries it held.
func (e *Engine) ClearRequests() int { return e.journal.Clear() }

// JournalSeq is the number of the newest journal entry (0 before the
// first): a client that reads the state and then follows the journal
// applies the entries after it.
func (e *Engine) JournalSeq() uint64 { return e.journal.Last() }

// JournalSize is how many requests the journal keeps; 0 when it is off.
func (e *Engine) JournalSize() int { return e.journal.Size() }

// SubscribeRequests opens a live feed of the journal's new entries; close
// it when done. At most journal.MaxSubscriptions are open at once.
func (e *Engine) SubscribeRequests() (*journal.Subscription, error) {
	if e.journal.Size() == 0 {
		return nil, errorf(ErrConflict, "the journal is off (journal size 0)")
	}
	s, ok := e.journal.Subscribe()
	if !ok {
		return nil, errorf(ErrConflict, "%d journal subscriptions are open already", journal.MaxSubscriptions)
	}
	return s, nil
}

// record adds an answered request to the journal.
func (e *Engine) record(r *http.Request, ex *exchange, vendor, op string, status int, cause error, detail string, out kit.Outcome, respHeader http.Header, respBody []byte) {
	kr := &ex.kr
	if e.journal.Size() == 0 {
		return
	}
	entry := journal.Entry{Time: kr.Now, Session: kr.Session, Vendor: vendor, Operation: op, Method: r.Method,
		Path: kr.Path, Query: truncate(r.URL.RawQuery, journalHeaderBytes), Status: status, DecidedBy: decidedBy(cause)}
	// net/http gives every request a header map of its own and nothing
	// here changes it after the answer, so the journal keeps it as is,
	// unless it is too large to keep whole.
	h, cut := boundHeader(r.Header, journalHeaderBytes)
	entry.Header, entry.HeaderTruncated = journal.Header(h), cut
	entry.Host = truncate(r.Host, journalHeaderBytes)
	entry.Target = r.RequestURI
	if len(entry.Target) > journalHeaderBytes {
		entry.Target, entry.HeaderTruncated = "", true
	}
	body := kr.Body
	if len(body) > journalBodyBytes {
		body, entry.Truncated = body[:journalBodyBytes], true
	}
	entry.Body = shared(body)
	entry.Detail = detail
	entry.Changes = journalChanges(ex.changes)
	entry.People = ex.people
	entry.Scenario = ex.scenario
	entry.Outcome, entry.VendorError = journal.OutcomeOK, ""
	if out.Error {
		entry.Outcome, entry.VendorError = journal.OutcomeError, out.Code
	}
	if status != 0 {
		out := &entry.Response
		out.Status = status
		// The writer's header map: net/http copies it at WriteHeader and
		// nothing writes to it after the answer, so it is kept as is. It
		// needs no bound: its values are the vendor's and a detail cut to
		// 512 bytes, never what a client sent.
		out.Header = journal.Header(respHeader)
		if len(respBody) > journalBodyBytes {
			respBody, out.Truncated = respBody[:journalBodyBytes], true
		}
		out.Body = shared(respBody)
	}
	seq := e.journal.Add(entry)
	if probe, ok := r.Context().Value(replayKey).(*uint64); ok {
		*probe = seq
	}
}

// shared is b as a string without a copy. Only bytes that nothing writes
// to again may be shared: a request body is read into a buffer of its own
// per request, and an answer's body is the vendor's, sent and then only
// read; neither is reused or changed after the answer.
func shared(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
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

// decidedBy names what chose an answer, from the error that decided it.
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

// journalChanges converts the handler's changes for the journal.
func journalChanges(cs []table.Change) []journal.Change {
	if len(cs) == 0 {
		return nil
	}
	out := make([]journal.Change, len(cs))
	for i, c := range cs {
		out[i] = journal.Change{Path: c.Path, Kind: c.Kind, Before: c.Before, After: c.After}
	}
	return out
}
