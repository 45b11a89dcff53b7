package engine

import (
	"bytes"
	"context"
	"net/http"
	"net/url"

	"github.com/offboard/offboard/emulator/journal"
)

// replayKey marks a replayed request's context: record stores the
// number it gave the new entry there.
const replayKey ctxKey = 3

// Replay sends a journaled request again, as it was sent (method, path,
// query, headers, body), into its own session (into nil) or another
// (*into; "" the shared one), and returns the new entry with its answer.
// A request the journal kept only in part (a body over 4 KB, headers over
// their budget) cannot be sent as it was: ErrConflict.
func (e *Engine) Replay(seq uint64, into *string) (journal.Entry, error) {
	old, ok := e.entry(seq)
	if !ok {
		return journal.Entry{}, errorf(ErrNotFound, "no entry #%d in the journal (it keeps the last %d)", seq, e.journal.Size())
	}
	if old.Truncated || old.HeaderTruncated {
		return journal.Entry{}, errorf(ErrConflict, "entry #%d was kept only in part (its body or headers were cut); it cannot be sent again as it was", seq)
	}
	session := old.Session
	if into != nil {
		session = *into
	}
	if err := CheckSession(session); err != nil {
		return journal.Entry{}, err
	}
	var got uint64
	ctx := context.WithValue(context.Background(), replayKey, &got)
	u := &url.URL{Path: old.Path, RawQuery: old.Query}
	req, err := http.NewRequestWithContext(ctx, old.Method, u.RequestURI(), bytes.NewReader([]byte(old.Body)))
	if err != nil {
		return journal.Entry{}, invalid(err)
	}
	req.Header = http.Header(old.Header).Clone()
	req.Header.Del(HeaderSession)
	if session != "" {
		req.Header.Set(HeaderSession, SessionWire(session))
	}
	req.Host = "offboard.replay"
	req.RemoteAddr = "127.0.0.1:0"
	e.serveQuietly(&discard{h: http.Header{}}, req)
	if got == 0 {
		return journal.Entry{}, errorf(ErrConflict, "the replay of #%d left no journal entry", seq)
	}
	entry, ok := e.entry(got)
	if !ok {
		return journal.Entry{}, errorf(ErrConflict, "the replay's entry #%d has already left the journal", got)
	}
	return entry, nil
}

// serveQuietly serves an in-process request; a fault that drops the
// connection aborts the handler with http.ErrAbortHandler, which here
// only means there was no answer.
func (e *Engine) serveQuietly(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil && p != http.ErrAbortHandler {
			panic(p)
		}
	}()
	e.ServeHTTP(w, r)
}

// entry finds one journal entry by its number.
func (e *Engine) entry(seq uint64) (journal.Entry, bool) {
	return e.journal.Get(seq)
}

// discard is a response writer that keeps nothing: the journal has it.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
