package drift

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"

	"github.com/offboard/offboard/testsuite/record"
)

// stateTimes are the times a recording holds that the run itself set
// (a member's update, an account's creation): volatile in a read-back.
var stateTimes = regexp.MustCompile(`\b(updated|created|creationTime): ("[^"]*"|\d+)`)

// readBack records both worlds once the cases have run and reports, per
// vendor, the entities whose state differs: what the cases changed that
// no answer showed.
func readBack(ctx context.Context, o Options, base string, emuVars map[string]string, vendors []string) []Step {
	read := func(target string, vars map[string]string) map[string][]string {
		var out bytes.Buffer
		_, _, err := record.Record(ctx, record.Options{Target: target, Vars: vars, Vendors: vendors,
			Client: withSameOrigin(&http.Client{Transport: o.Transport})}, &out)
		if err != nil {
			return map[string][]string{"": {"the read-back failed: " + err.Error()}}
		}
		return sectionLines(out.String())
	}
	t, e := read(o.Target, o.Vars), read(base, emuVars)
	var steps []Step
	for _, v := range vendors {
		st := Step{Vendor: v, Case: "state read back", Index: 1, Differences: []Difference{}}
		tl, el := t[v], e[v]
		for _, line := range minus(tl, el) {
			st.Differences = append(st.Differences, Difference{Path: "state", Kind: "missing", Target: line})
		}
		for _, line := range minus(el, tl) {
			st.Differences = append(st.Differences, Difference{Path: "state", Kind: "added", Emul: line})
		}
		steps = append(steps, st)
	}
	return steps
}

// sectionLines splits a recording into its vendors' lines, the times the
// run set blanked.
func sectionLines(text string) map[string][]string {
	out := map[string][]string{}
	vendor := ""
	for _, line := range strings.Split(text, "\n") {
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case !strings.HasPrefix(line, " "):
			vendor = strings.TrimSuffix(line, ":")
		default:
			out[vendor] = append(out[vendor], stateTimes.ReplaceAllString(line, "$1: (time)"))
		}
	}
	return out
}

// minus is the lines of a that b lacks, in a's order.
func minus(a, b []string) []string {
	have := map[string]int{}
	for _, l := range b {
		have[l]++
	}
	var out []string
	for _, l := range a {
		if have[l] > 0 {
			have[l]--
			continue
		}
		out = append(out, strings.TrimSpace(l))
	}
	return out
}
