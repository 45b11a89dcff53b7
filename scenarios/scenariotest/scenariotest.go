// Package scenariotest builds hostile scenario YAML for the tests of the
// loader and of the control API that takes it.
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
