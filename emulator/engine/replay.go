package engine

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"

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
	target, viaPrefix := replayTarget(old, session)
	req, err := http.NewRequestWithContext(ctx, old.Method, target, bytes.NewReader([]byte(old.Body)))
	if err != nil {
		return journal.Entry{}, invalid(err)
	}
	req.RequestURI = target
	req.Header = http.Header(old.Header).Clone()
	req.Header.Del(HeaderSession)
	if session != "" && !viaPrefix {
		req.Header.Set(HeaderSession, SessionWire(session))
	}
	// The URLs the answer carries name the host the client used, so they
	// lead where the original's did.
	req.Host = old.Host
	if req.Host == "" {
		req.Host = "localhost"
	}
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

// RequestCurl is a journaled request as a curl command that sends it again
// exactly as it came (its session prefix or header included), safe to
// paste into bash, zsh or fish whatever the request held.
func (e *Engine) RequestCurl(seq uint64) (string, error) {
	en, ok := e.entry(seq)
	if !ok {
		return "", errorf(ErrNotFound, "no entry #%d in the journal (it keeps the last %d)", seq, e.journal.Size())
	}
	return en.Curl(), nil
}

// replayTarget is the request target a replay into session sends: the
// original's as it was sent (its escaping kept), its session named the
// way the original named its own (the /__session/ prefix or the header);
// viaPrefix tells which.
func replayTarget(old journal.Entry, session string) (target string, viaPrefix bool) {
	target = old.Target
	if target == "" { // an entry made before targets were kept
		target = (&url.URL{Path: old.Path, RawQuery: old.Query}).RequestURI()
	}
	rest, ok := strings.CutPrefix(target, SessionPrefix)
	if !ok {
		return target, false
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[i:]
	} else {
		rest = "/"
	}
	if session == "" {
		return rest, false
	}
	return SessionPrefix + SessionWire(session) + rest, true
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
