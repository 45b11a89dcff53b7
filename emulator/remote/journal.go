package remote

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/offboard/offboard/emulator/engine"
	"github.com/offboard/offboard/emulator/faults"
	"github.com/offboard/offboard/emulator/journal"
)

// AddFaults adds fault rules to the shared world or a session; it returns
// how many rules that world now has.
func (c *Client) AddFaults(session string, fs ...faults.Fault) (int, error) {
	body, err := json.Marshal(fs)
	if err != nil {
		return 0, err
	}
	var doc struct {
		Rules int `json:"rules"`
	}
	return doc.Rules, c.call(http.MethodPost, "/faults", inSession(session), body, "application/json", &doc)
}

// Faults lists a world's fault rules, with what each has seen and fired.
func (c *Client) Faults(session string) ([]faults.Rule, error) {
	var doc struct {
		Rules []faults.Rule `json:"rules"`
	}
	return doc.Rules, c.call(http.MethodGet, "/faults", inSession(session), nil, "", &doc)
}

// RemoveFault drops one rule by its place in Faults.
func (c *Client) RemoveFault(session string, i int) error {
	return c.call(http.MethodDelete, "/faults/"+strconv.Itoa(i), inSession(session), nil, "", nil)
}

// ClearFaults drops every rule of a world.
func (c *Client) ClearFaults(session string) error {
	return c.call(http.MethodDelete, "/faults", inSession(session), nil, "", nil)
}

// Requests lists the journal's entries f matches, oldest first; limit > 0
// keeps the most recent limit of them.
func (c *Client) Requests(f journal.Filter, limit int) ([]journal.Entry, error) {
	q, err := filterQuery(f)
	if err != nil {
		return nil, err
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var doc struct {
		Requests []journal.Entry `json:"requests"`
	}
	return doc.Requests, c.call(http.MethodGet, "/requests", q, nil, "", &doc)
}

// filterQuery is a filter as GET /__admin/requests reads it.
func filterQuery(f journal.Filter) (url.Values, error) {
	q := url.Values{}
	for k, v := range map[string]string{"vendor": f.Vendor, "operation": f.Operation, "method": f.Method,
		"path": f.Path, "decidedBy": f.DecidedBy, "outcome": f.Outcome, "vendorError": f.VendorError, "q": f.Text, "person": f.Person} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Status != 0 {
		q.Set("status", strconv.Itoa(f.Status))
	}
	if f.Session != nil {
		q.Set("session", *f.Session)
	}
	switch {
	case f.AfterSeq != 0 && !f.Since.IsZero():
		return nil, fmt.Errorf("%w: a filter over HTTP takes Since or AfterSeq, not both", engine.ErrInvalid)
	case f.AfterSeq != 0:
		q.Set("since", strconv.FormatUint(f.AfterSeq, 10))
	case !f.Since.IsZero():
		q.Set("since", f.Since.UTC().Format(time.RFC3339Nano))
	}
	return q, nil
}

// CountRequests counts the journal's entries f matches.
func (c *Client) CountRequests(f journal.Filter) (int, error) {
	body, err := json.Marshal(f)
	if err != nil {
		return 0, err
	}
	var doc struct {
		Count int `json:"count"`
	}
	return doc.Count, c.call(http.MethodPost, "/requests/count", nil, body, "application/json", &doc)
}

// ClearRequests forgets the journal; it returns how many entries went.
func (c *Client) ClearRequests() (int, error) {
	var doc struct {
		Dropped int `json:"dropped"`
	}
	return doc.Dropped, c.call(http.MethodDelete, "/requests", nil, nil, "", &doc)
}

// Changes tells, for each vendor, how a session's state ("" the shared
// one) differs from the scenario it was loaded from.
func (c *Client) Changes(session string) (map[string][]journal.Change, error) {
	var doc struct {
		Vendors map[string][]journal.Change `json:"vendors"`
	}
	return doc.Vendors, c.call(http.MethodGet, "/changes", inSession(session), nil, "", &doc)
}

// Replay sends a journaled request again into its own session (into nil)
// or another, and returns the new entry.
func (c *Client) Replay(seq uint64, into *string) (journal.Entry, error) {
	var q url.Values
	if into != nil {
		q = url.Values{"session": {*into}}
	}
	var e journal.Entry
	return e, c.call(http.MethodPost, "/requests/"+strconv.FormatUint(seq, 10)+"/replay", q, nil, "", &e)
}

// RequestCurl is a journaled request as a curl command that sends it again
// exactly as it came, safe to paste into bash, zsh or fish.
func (c *Client) RequestCurl(seq uint64) (string, error) {
	var out []byte
	err := c.call(http.MethodGet, "/requests/"+strconv.FormatUint(seq, 10)+"/curl", nil, nil, "", &out)
	return strings.TrimSuffix(string(out), "\n"), err
}
