package drift

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/offboard/offboard/testsuite"
)

// Summary writes one line a difference, grouped by vendor and case, and
// the totals.
func (r *Report) Summary(w io.Writer) error {
	n, vendor := 0, ""
	for _, s := range r.Steps {
		for _, d := range s.Differences {
			if s.Vendor != vendor {
				vendor = s.Vendor
				if _, err := fmt.Fprintf(w, "%s\n", vendor); err != nil {
					return err
				}
			}
			n++
			if _, err := fmt.Fprintf(w, "  %s step %d %s: %s\n", s.Case, s.Index, stepName(s), testsuite.Sanitize(d.String())); err != nil {
				return err
			}
		}
	}
	_, err := fmt.Fprintf(w, "%d differences in %d steps of %d cases\n", n, len(r.Steps), len(r.Verdicts))
	return err
}

// stepName is the step's request, from whichever side sent it.
func stepName(s Step) string {
	ex := s.Target
	if ex == nil {
		ex = s.Emulator
	}
	if ex == nil {
		return "(both worlds read through the vendor's read calls)"
	}
	path := ex.URL
	if i := strings.Index(path, "://"); i >= 0 {
		if j := strings.IndexByte(path[i+3:], '/'); j >= 0 {
			path = path[i+3+j:]
		}
	}
	path, _, _ = strings.Cut(path, "?")
	return ex.Method + " " + path
}

// WriteJSON writes the whole report.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteJUnit writes one test case a step, its differences the failure.
func (r *Report) WriteJUnit(w io.Writer) error {
	type failure struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
	type tcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		Failure   *failure `xml:"failure,omitempty"`
	}
	type suite struct {
		XMLName  xml.Name `xml:"testsuite"`
		Name     string   `xml:"name,attr"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Cases    []tcase  `xml:"testcase"`
	}
	s := suite{Name: "offboard drift " + testsuite.Sanitize(r.Target), Tests: len(r.Steps)}
	for _, st := range r.Steps {
		c := tcase{Name: fmt.Sprintf("%s step %d %s", st.Case, st.Index, testsuite.Sanitize(stepName(st))), Classname: st.Vendor}
		if len(st.Differences) > 0 {
			var lines []string
			for _, d := range st.Differences {
				lines = append(lines, testsuite.Sanitize(d.String()))
			}
			c.Failure = &failure{Message: lines[0], Text: strings.Join(lines, "\n")}
			s.Failures++
		}
		s.Cases = append(s.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(s); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// vendorsOf lists the vendors of the steps, sorted.
func (r *Report) vendorsOf() []string {
	seen := map[string]bool{}
	for _, s := range r.Steps {
		seen[s.Vendor] = true
	}
	var out []string
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}
