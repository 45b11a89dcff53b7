package journal

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// Filter selects entries; zero fields match everything. Its JSON form is
// the body of POST /__admin/requests/count.
type Filter struct {
	Vendor    string `json:"vendor"`
	Operation string `json:"operation"`
	Method    string `json:"method"` // any case
	Path      string `json:"path"`   // a path.Match glob, or an exact path
	Status    int    `json:"status"`
	// Session: nil matches any session; a pointer to "" the shared one.
	Session   *string   `json:"session"`
	DecidedBy string    `json:"decidedBy"`
	Since     time.Time `json:"since"`    // entries at or after this time
	AfterSeq  uint64    `json:"afterSeq"` // entries after this sequence number
}

// InSession is a filter's Session for one session ("" the shared one).
func InSession(id string) *string { return &id }

// Check reports a filter no entry could be matched against.
func (f Filter) Check() error {
	if f.Path != "" {
		if _, err := path.Match(f.Path, ""); err != nil {
			return fmt.Errorf("path %q is not a valid glob", f.Path)
		}
	}
	return nil
}

// Match tells whether the filter selects e.
func (f Filter) Match(e *Entry) bool {
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
