package testsuite

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Totals counts a run's outcomes.
type Totals struct{ Passed, Failed, Skipped int }

// Report prints a line per case, with a diff under each failure, and the
// closing "N passed, N failed, N skipped" line.
func Report(w io.Writer, results []Result) Totals {
	var t Totals
	for i, r := range results {
		name := r.Vendor + "/" + r.Case
		switch {
		case r.SuiteSkipped:
			// One line for a vendor skipped as a whole.
			t.Skipped++
			if i == 0 || results[i-1].Vendor != r.Vendor || !results[i-1].SuiteSkipped {
				n := 0
				for _, o := range results[i:] {
					if o.Vendor == r.Vendor && o.SuiteSkipped {
						n++
					}
				}
				fmt.Fprintf(w, "SKIP  %s/* (%d cases): %s\n", r.Vendor, n, r.Skipped)
			}
		case r.Skipped != "":
			t.Skipped++
			fmt.Fprintf(w, "SKIP  %s (%s)\n", name, r.Skipped)
		case r.Failure != "":
			t.Failed++
			fmt.Fprintf(w, "FAIL  %s (%s)\n      %s\n", name, r.Duration.Round(time.Microsecond), r.Doc)
			for _, line := range strings.Split(strings.TrimRight(r.Failure, "\n"), "\n") {
				fmt.Fprintf(w, "      %s\n", line)
			}
		default:
			t.Passed++
			fmt.Fprintf(w, "PASS  %s (%s)\n", name, r.Duration.Round(time.Microsecond))
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", t.Passed, t.Failed, t.Skipped)
	return t
}
