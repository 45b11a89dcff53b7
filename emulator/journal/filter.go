package journal

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
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
	// Outcome is OutcomeOK or OutcomeError: the answer as its vendor means it.
	Outcome string `json:"outcome"`
	// VendorError is the vendor's name for the error, exactly, or a
	// path.Match glob ("DAYU.*").
	VendorError string `json:"vendorError"`
	// Text is found, in any case, in the method, path, query, a header
	// name or value, either body or the detail.
	Text string `json:"text"`
	// Person is a person's id: the entries about that person's accounts.
	Person string `json:"person"`
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
	if f.VendorError != "" {
		if _, err := path.Match(f.VendorError, ""); err != nil {
			return fmt.Errorf("vendorError %q is not a valid glob", f.VendorError)
		}
	}
	if f.Outcome != "" && f.Outcome != OutcomeOK && f.Outcome != OutcomeError {
		return fmt.Errorf("outcome %q: %s or %s", f.Outcome, OutcomeOK, OutcomeError)
	}
	if len(f.Text) > 1024 {
		return fmt.Errorf("text: at most 1024 bytes")
	}
	if len(f.Person) > 64 {
		return fmt.Errorf("person: a person's id is at most 64 bytes")
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
		f.Outcome != "" && f.Outcome != e.Outcome,
		!f.Since.IsZero() && e.Time.Before(f.Since),
		f.AfterSeq != 0 && e.Seq <= f.AfterSeq,
		f.Person != "" && !slices.Contains(e.People, f.Person):
		return false
	}
	if f.Path != "" && f.Path != e.Path {
		if ok, _ := path.Match(f.Path, e.Path); !ok {
			return false
		}
	}
	if f.VendorError != "" && f.VendorError != e.VendorError {
		if ok, _ := path.Match(f.VendorError, e.VendorError); !ok || e.VendorError == "" {
			return false
		}
	}
	return f.Text == "" || e.contains(strings.ToLower(f.Text))
}

// contains tells whether lower (lower case) is in any of the entry's
// texts, in any case.
func (e *Entry) contains(lower string) bool {
	has := func(s string) bool { return len(s) >= len(lower) && containsFold(s, lower) }
	if has(e.Method) || has(e.Path) || has(e.Query) || has(e.Body) || has(e.Detail) || has(e.VendorError) || has(e.Response.Body) {
		return true
	}
	for _, h := range []Header{e.Header, e.Response.Header} {
		for k, vs := range h {
			if has(k) {
				return true
			}
			for _, v := range vs {
				if has(v) {
					return true
				}
			}
		}
	}
	return false
}

// containsFold tells whether lower (lower case) is in s in any case,
// without a lowered copy of s when lower is ASCII: a search over 100,000
// entries reads them, it does not copy them.
func containsFold(s, lower string) bool {
	for i := 0; i < len(lower); i++ {
		if lower[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(s), lower)
		}
	}
	if lower == "" {
		return true
	}
	first := lower[0]
	upper := first
	if 'a' <= first && first <= 'z' {
		upper -= 'a' - 'A'
	}
	for i := 0; i+len(lower) <= len(s); i++ {
		if c := s[i]; c != first && c != upper {
			continue
		}
		if asciiEqualFold(s[i:i+len(lower)], lower) {
			return true
		}
	}
	return false
}

// asciiEqualFold compares s with lower (ASCII, lower case) in any case.
func asciiEqualFold(s, lower string) bool {
	for j := 0; j < len(lower); j++ {
		c := s[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[j] {
			return false
		}
	}
	return true
}
