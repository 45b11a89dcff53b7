// Package scenariotest builds scenario YAML for tests and load runs:
// hostile documents for the loader and the control API that takes them,
// and big worlds (BigWorld) for record and export.
package scenariotest

import (
	"fmt"
	"strings"
)

// AliasBomb is n anchors, each a list of n aliases to the one before: a
// few KB that expand to n^n nodes.
func AliasBomb(n int) string {
	var b strings.Builder
	b.WriteString("name: bomb\nonedata:\n  a0: &a0 [x]\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  a%d: &a%d [", i, i)
		for j := 0; j < n; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}
