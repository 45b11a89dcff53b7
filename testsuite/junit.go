package testsuite

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"strings"
)

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Name    string       `xml:"name,attr"`
	Tests   int          `xml:"tests,attr"`
	Fails   int          `xml:"failures,attr"`
	Skips   int          `xml:"skipped,attr"`
	Time    string       `xml:"time,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Hostname string      `xml:"hostname,attr,omitempty"`
	Props    []junitProp `xml:"properties>property"`
	Tests    int         `xml:"tests,attr"`
	Fails    int         `xml:"failures,attr"`
	Skips    int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	// SystemOut is what the case checks, for a passing case too (a CI
	// page shows it beside the name).
	SystemOut string `xml:"system-out,omitempty"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes results as a JUnit XML report, one testsuite per
// vendor, each naming the target (its host, and the base URL as a
// property); a skipped case carries its reason.
func WriteJUnit(w io.Writer, target string, results []Result) error {
	out := junitSuites{Name: "offboard verify " + target}
	host := target
	if u, err := url.Parse(target); err == nil && u.Host != "" {
		host = u.Host
	}
	index := map[string]int{}
	var secs = map[string]float64{}
	for _, r := range results {
		i, ok := index[r.Vendor]
		if !ok {
			i = len(out.Suites)
			index[r.Vendor] = i
			out.Suites = append(out.Suites, junitSuite{Name: r.Vendor, Hostname: host, Props: []junitProp{{"target", target}}})
		}
		s := &out.Suites[i]
		c := junitCase{Name: r.Case, ClassName: "offboard." + r.Vendor, Time: fmt.Sprintf("%.3f", r.Duration.Seconds()), SystemOut: r.Doc}
		switch {
		case r.Skipped != "":
			c.Skipped = &junitMessage{Message: r.Skipped, Text: r.Doc}
			s.Skips++
			out.Skips++
		case r.Failure != "":
			first, _, _ := strings.Cut(r.Failure, "\n")
			c.Failure = &junitMessage{Message: first, Text: r.Doc + "\n" + r.Failure}
			s.Fails++
			out.Fails++
		}
		s.Tests++
		out.Tests++
		secs[r.Vendor] += r.Duration.Seconds()
		s.Cases = append(s.Cases, c)
	}
	total := 0.0
	for i := range out.Suites {
		out.Suites[i].Time = fmt.Sprintf("%.3f", secs[out.Suites[i].Name])
		total += secs[out.Suites[i].Name]
	}
	out.Time = fmt.Sprintf("%.3f", total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
