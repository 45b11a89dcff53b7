package control

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/mux"
	"github.com/offboard/offboard/emulator/journal"
)

// filterFromQuery reads a journal filter from ?vendor=&operation=&method=
// &path=&status=&session=&decidedBy=&outcome=&vendorError=&q=&since=(RFC
// 3339 or a seq number).
func filterFromQuery(q url.Values) (journal.Filter, error) {
	f := journal.Filter{Vendor: q.Get("vendor"), Operation: q.Get("operation"), Method: q.Get("method"),
		Path: q.Get("path"), DecidedBy: q.Get("decidedBy"), Outcome: q.Get("outcome"), VendorError: q.Get("vendorError"),
		Text: q.Get("q"), Person: q.Get("person")}
	if q.Has("session") {
		f.Session = journal.InSession(q.Get("session"))
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
	return f, f.Check()
}

func (a *API) requests(w http.ResponseWriter, r *http.Request) {
	f, err := filterFromQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "limit must be a non-negative number")
			return
		}
		if limit = n; n == 0 {
			streamList(w, "count", 0, "requests", nil)
			return
		}
	}
	entries, err := a.eng.Requests(f, limit)
	if err != nil {
		fail(w, err)
		return
	}
	switch r.URL.Query().Get("format") {
	case "", "json":
		streamList(w, "count", len(entries), "requests", func(i int) any { return entries[i] })
	case "har":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", `attachment; filename="offboard.har"`)
		_ = WriteHAR(w, entries) // the status is sent: a broken archive is all a late error can give
	default:
		writeError(w, http.StatusBadRequest, "format: say json or har")
	}
}

func (a *API) clearRequests(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "cleared", "dropped": a.eng.ClearRequests()})
}

// countRequests counts with a JSON filter, so a test asserts "exactly one
// delete of user X": {"vendor":"onedata","method":"DELETE","path":"/api/v3/onezone/users/X"}.
func (a *API) countRequests(w http.ResponseWriter, r *http.Request) {
	var f journal.Filter
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		writeError(w, http.StatusBadRequest, "the body must be a JSON filter (vendor, operation, method, path, status, session, decidedBy, since, afterSeq): "+err.Error())
		return
	}
	n, err := a.eng.CountRequests(f)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": n})
}

// changes answers how a session's state differs from its scenario.
func (a *API) changes(w http.ResponseWriter, r *http.Request) {
	session := r.URL.Query().Get("session")
	c, err := a.eng.Changes(session)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"session": session, "vendors": c})
}

// curl answers a journaled request as a curl command, as text.
func (a *API) curl(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseUint(mux.Vars(r)["seq"], 10, 64)
	if err != nil || seq == 0 {
		writeError(w, http.StatusBadRequest, "seq: an entry's number, from 1")
		return
	}
	cmd, err := a.eng.RequestCurl(seq)
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, cmd+"\n") // a client gone is nothing to answer
}

// replay sends a journaled request again, into ?session= (its own when
// absent), and answers the new entry.
func (a *API) replay(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseUint(mux.Vars(r)["seq"], 10, 64)
	if err != nil || seq == 0 {
		writeError(w, http.StatusBadRequest, "seq: an entry's number, from 1")
		return
	}
	var into *string
	if q := r.URL.Query(); q.Has("session") {
		into = journal.InSession(q.Get("session"))
	}
	entry, err := a.eng.Replay(seq, into)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, entry)
}
