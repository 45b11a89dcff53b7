package engine

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/offboard/offboard/emulator/faults"
	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/store"
)

// serveRoute runs one request of a known operation (ex holds the path's
// variables) through the pipeline, top-down: read -> session -> fault decision -> (the fault's latency or
// drop) -> authenticate (for vendors that check credentials first) ->
// validate against the spec -> the handler under the session's slot lock
// -> render an error in the vendor's shape -> write and journal.
func (e *Engine) serveRoute(w http.ResponseWriter, r *http.Request, rt *route, ex *exchange) {
	readErr := e.fill(ex, r, rt.op)
	kr := &ex.kr
	if ex.sessionErr != nil {
		// Refused before the store sees it: a session id is a map key, a
		// header and a log field.
		cause := &kit.Error{Kind: kit.BadRequest, In: "header", Param: HeaderSession, Detail: ex.sessionErr.Error()}
		e.write(w, r, ex, rt.vendor, rt.op, e.renderError(rt.vendor, kr, cause), cause)
		return
	}
	// The session's slots, with the one clock reading of the request: the
	// faults' only once a rule exists anywhere.
	other := ""
	if e.faultsSeen.Load() {
		other = faultSlot
	}
	slot, faultsOf, snap := e.store.SlotsAt(kr.Now, kr.Session, rt.vendor.Name(), other)
	ex.scenario = nameOf(snap)
	d := decideFaults(faultsOf, kr, rt, r)
	if !e.wait(r, d.Delay) {
		return // the client went away
	}
	if d.Drop {
		ex.people = peopleOf(snap, rt.vendor, kr)
		e.dropConnection(w, r, ex, rt, d.Rule)
		return
	}
	var resp kit.Response
	var cause error
	if d.Status != 0 {
		cause = &kit.Error{Kind: kit.Fault, Status: d.Status, Detail: fmt.Sprintf("injected by fault rule %d", d.Rule)}
	} else {
		resp, cause = e.run(r, ex, rt, slot, readErr)
	}
	if cause != nil {
		resp = e.renderError(rt.vendor, kr, cause)
	}
	ownBody := applyFault(&resp, d)
	if e.cfg.ValidateOutput != nil && !ownBody { // a custom fault body is the user's
		// An injected fault may answer a status the vendor never documents;
		// its body must still have the vendor's shape.
		e.checkResponse(r, kr, rt, resp, d.Status == 0)
	}
	ex.people = peopleOf(snap, rt.vendor, kr)
	e.write(w, r, ex, rt.vendor, rt.op, resp, cause)
}

// decideFaults counts the request against its session's fault rules; a
// nil slot (no rule was ever made) decides nothing without a lock.
func decideFaults(slot *store.Slot, kr *kit.Request, rt *route, r *http.Request) faults.Decision {
	if slot == nil {
		return faults.Decision{Rule: -1}
	}
	var d faults.Decision
	_ = slot.Do(func(s kit.State) error {
		d = s.(*faultState).Decide(rt.vendor.Name(), rt.op, r.Method, r.URL.Path, kr.Now)
		return nil
	})
	return d
}

// wait holds a request for a fault's latency; false when the client gave
// up meanwhile. A shutdown answers at once rather than never.
func (e *Engine) wait(r *http.Request, delay time.Duration) bool {
	if delay <= 0 {
		return true
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-e.closing:
	case <-r.Context().Done():
		return false
	}
	return true
}

// applyFault puts a fault's own body, content type and Retry-After on the
// answer; it tells whether the body is the fault's rather than the vendor's.
func applyFault(resp *kit.Response, d faults.Decision) bool {
	own := d.Status != 0 && (d.Body != "" || d.ContentType != "")
	if own {
		resp.Body = []byte(d.Body)
		resp.Outcome, _ = d.Verdict.(kit.Outcome) // judged when the rule was made
		if d.ContentType != "" {
			resp.ContentType = d.ContentType
		}
	}
	if d.RetryAfter > 0 {
		// The rule's own figure wins over a vendor's default.
		resp.SetHeader("Retry-After", strconv.Itoa(d.RetryAfter))
	}
	return own
}

// dropConnection closes the connection without an answer, as a crashed
// server or a cut network would.
func (e *Engine) dropConnection(w http.ResponseWriter, r *http.Request, ex *exchange, rt *route, rule int) {
	cause := &kit.Error{Kind: kit.Fault, Detail: fmt.Sprintf("connection dropped by fault rule %d", rule)}
	e.log.Info("request", "vendor", rt.vendor.Name(), "operation", rt.op, "method", r.Method, "path", r.URL.Path,
		"cause", cause.Detail)
	e.record(r, ex, rt.vendor.Name(), rt.op, 0, cause, cause.Error(), kit.Outcome{Error: true, Code: "dropped"}, nil, nil)
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Without a hijackable connection (HTTP/2, some test recorders), abort
	// the response the way net/http documents.
	panic(http.ErrAbortHandler)
}

// run produces the response or the error that decides it: validation
// against the spec outside the lock, then, in one turn of the session's
// slot lock, the vendor's authentication (whose refusal comes first, as
// the real services check credentials before the request), the
// validation's verdict and the handler. A panic in a handler is recovered
// into the vendor's internal error.
func (e *Engine) run(r *http.Request, ex *exchange, rt *route, slot *store.Slot, readErr error) (resp kit.Response, cause error) {
	kr := &ex.kr
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("handler panic", "vendor", rt.vendor.Name(), "operation", rt.op,
				"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp, cause = kit.Response{}, &kit.Error{Kind: kit.Internal, Detail: fmt.Sprintf("recovered panic: %v", p)}
		}
	}()
	if readErr != nil {
		return kit.Response{}, readErr
	}
	invalid := e.check(r, ex, rt)
	// What a request changes is journaled: the handler's touches are
	// watched (reads are not, and nothing is when the journal is off).
	watch := e.journal.Size() > 0 && r.Method != http.MethodGet && r.Method != http.MethodHead
	err := slot.Do(func(s kit.State) error {
		if rt.vendor.auth != nil {
			if err := rt.vendor.auth.Authenticate(kr, s); err != nil {
				return err
			}
		}
		if invalid != nil {
			return invalid
		}
		if watch {
			ex.rec.Start(s)
			defer func() { ex.changes = ex.rec.Finish() }()
		}
		var herr error
		resp, herr = rt.handler(kr, s)
		return herr
	})
	return resp, err
}

// check is the spec's verdict on a request (nil when it conforms), once
// the vendor's spec has loaded.
func (e *Engine) check(r *http.Request, ex *exchange, rt *route) error {
	if err := rt.vendor.wait(); err != nil {
		return &kit.Error{Kind: kit.Internal, Detail: err.Error()}
	}
	if len(rt.params) > 0 || rt.body != nil {
		return validate(r, ex, rt)
	}
	return nil
}

// renderError has the vendor render an error in its own shape.
func (e *Engine) renderError(v *vendorEntry, kr *kit.Request, cause error) (resp kit.Response) {
	defer func() {
		// A vendor's renderer must never take the server down; answer with
		// a bare 500 as the last resort.
		if p := recover(); p != nil {
			e.log.Error("error renderer panic", "vendor", v.Name(), "panic", fmt.Sprint(p))
			resp = kit.Raw(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("internal error\n"))
		}
	}()
	return v.Error(kr, cause)
}

// serveError answers an engine error (no route, wrong method) in the shape
// of the vendor that owns the path.
func (e *Engine) serveError(w http.ResponseWriter, r *http.Request, v *vendorEntry, vars map[string]string, cause *kit.Error) {
	ex, _ := e.newExchange(r, "", vars)
	ex.scenario = nameOf(e.store.Loaded(ex.kr.Session))
	e.write(w, r, ex, v, "", e.renderError(v, &ex.kr, cause), cause)
}
