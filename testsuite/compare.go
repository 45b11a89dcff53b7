package testsuite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/beevik/etree"
)

// check compares a response with what a step expects and says what
// differs, bodies shown pretty (JSON indented, XML indented) and diffed.
func check(want Expect, vars map[string]string, resp *http.Response, got []byte) error {
	var problems []string
	if d := jsonDepth(got); d > maxDepth && (want.Body != nil || want.JSON != nil || len(want.Contains) > 0) {
		// No documented answer nests so deep; diffing it would cost more
		// than the answer is worth.
		return fmt.Errorf("the answer nests %d levels deep (no documented answer passes %d): not compared", d, maxDepth)
	}
	if resp.StatusCode != want.Status {
		problems = append(problems, fmt.Sprintf("status: got %d, want %d", resp.StatusCode, want.Status))
	}
	for _, k := range sortedKeys(want.Headers) {
		w := expand(want.Headers[k], vars)
		g := resp.Header.Get(k)
		if len(w) > 1 && strings.HasPrefix(w, "/") && strings.HasSuffix(w, "/") {
			re, err := regexp.Compile(w[1 : len(w)-1])
			if err != nil {
				problems = append(problems, fmt.Sprintf("header %s: bad pattern %s: %v", k, w, err))
			} else if !re.MatchString(g) {
				problems = append(problems, fmt.Sprintf("header %s: got %q, want a match of %s", k, g, w))
			}
			continue
		}
		if g != w {
			problems = append(problems, fmt.Sprintf("header %s: got %q, want %q", k, g, w))
		}
	}
	for _, c := range want.Contains {
		if w := expand(c, vars); !strings.Contains(string(got), w) {
			problems = append(problems, fmt.Sprintf("body does not contain %q:\n%s", w, indentJSON(string(got))))
		}
	}
	switch {
	case want.Body != nil:
		if w := expand(*want.Body, vars); string(got) != w {
			problems = append(problems, "body differs (-want +got; JSON shown indented):\n"+lineDiff(indentJSON(w), indentJSON(string(got))))
		}
	case want.JSON != nil:
		if p := compareJSON(expandAny(want.JSON, vars), want.Ignore, want.Subset, got); p != "" {
			problems = append(problems, p)
		}
	case want.XML != "":
		if p := compareXML(expand(want.XML, vars), got); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		if detail := resp.Header.Get("X-Offboard-Detail"); detail != "" {
			problems = append(problems, "emulator detail: "+detail)
		}
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// indentJSON lays out a JSON text over lines, keys in their order, so a
// compact body diffs line by line; anything else is returned as is.
func indentJSON(s string) string {
	var b bytes.Buffer
	if jsonDepth([]byte(s)) > maxDepth {
		return s
	}
	if json.Indent(&b, []byte(s), "", "  ") != nil {
		return s
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// expandAny expands ${var} in every string of a decoded YAML value.
func expandAny(v any, vars map[string]string) any {
	switch x := v.(type) {
	case string:
		return expand(x, vars)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = expandAny(e, vars)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = expandAny(e, vars)
		}
		return out
	}
	return v
}

// compareJSON compares structure and values; numbers compare as numbers,
// key order does not matter, pointers in ignore only need to exist.
func compareJSON(want any, ignore []string, subset bool, got []byte) string {
	var g any
	if err := json.Unmarshal(got, &g); err != nil {
		return fmt.Sprintf("body is not JSON (%v):\n%s", err, got)
	}
	w := normalize(want)
	if subset {
		g = prune(g, w)
	}
	for _, ptr := range ignore {
		if !blank(g, ptr) {
			return fmt.Sprintf("body: %s is missing:\n%s", ptr, pretty(g))
		}
		blank(w, ptr)
	}
	if !reflect.DeepEqual(w, g) {
		return "JSON body differs (-want +got):\n" + lineDiff(pretty(w), pretty(g))
	}
	return ""
}

// prune keeps of got only the object keys want has, recursively, so a
// subset comparison ignores what a case does not name.
func prune(got, want any) any {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return got
		}
		out := make(map[string]any, len(w))
		for k, wv := range w {
			if gv, ok := g[k]; ok {
				out[k] = prune(gv, wv)
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return got
		}
		out := make([]any, len(g))
		for i := range g {
			out[i] = prune(g[i], w[i])
		}
		return out
	}
	return got
}

// normalize turns YAML-decoded numbers into JSON's float64.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// blank sets the value at a JSON pointer to a marker; false when absent.
func blank(v any, ptr string) bool {
	parts := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	cur := v
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if _, ok := c[p]; !ok {
				return false
			}
			if last {
				c[p] = "<ignored>"
				return true
			}
			cur = c[p]
		case []any:
			var idx int
			if _, err := fmt.Sscanf(p, "%d", &idx); err != nil || idx < 0 || idx >= len(c) {
				return false
			}
			if last {
				c[idx] = "<ignored>"
				return true
			}
			cur = c[idx]
		default:
			return false
		}
	}
	return false
}

func pretty(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// compareXML compares element names, attributes (in any order) and
// trimmed text; the declaration and layout do not matter.
func compareXML(want string, got []byte) string {
	w, g := etree.NewDocument(), etree.NewDocument()
	if err := w.ReadFromString(want); err != nil {
		return "expected XML does not parse: " + err.Error()
	}
	if err := g.ReadFromBytes(got); err != nil {
		return fmt.Sprintf("body is not XML (%v):\n%s", err, got)
	}
	ws, gs := canonicalXML(w.Root()), canonicalXML(g.Root())
	if ws != gs {
		return "XML body differs (-want +got):\n" + lineDiff(ws, gs)
	}
	return ""
}

// canonicalXML is an indented rendering with attributes sorted.
func canonicalXML(el *etree.Element) string {
	if el == nil {
		return "(no root element)"
	}
	var b bytes.Buffer
	var walk func(e *etree.Element, depth int)
	walk = func(e *etree.Element, depth int) {
		attrs := make([]string, 0, len(e.Attr))
		for _, a := range e.Attr {
			attrs = append(attrs, fmt.Sprintf("%s=%q", a.FullKey(), a.Value))
		}
		sort.Strings(attrs)
		fmt.Fprintf(&b, "%s<%s", strings.Repeat("  ", depth), e.FullTag())
		for _, a := range attrs {
			b.WriteString(" " + a)
		}
		b.WriteString(">")
		if text := strings.TrimSpace(e.Text()); text != "" {
			b.WriteString(" " + text)
		}
		b.WriteString("\n")
		for _, c := range e.ChildElements() {
			walk(c, depth+1)
		}
	}
	walk(el, 0)
	return b.String()
}

// lineDiff is a line-by-line diff a person reads at a glance: "- " for
// lines only expected, "+ " for lines only received, "  " for common ones.
func lineDiff(want, got string) string {
	a, b := diffLines(want), diffLines(got)
	// lcs[i][j] is the length of the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out.WriteString("    " + a[i] + "\n")
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			out.WriteString("  - " + a[i] + "\n")
			i++
		default:
			out.WriteString("  + " + b[j] + "\n")
			j++
		}
	}
	return out.String()
}

// diffLines splits a side of a diff into at most maxDiffLines lines of at
// most maxLineBytes each, so that a diff costs at most their product.
func diffLines(s string) []string {
	lines := strings.SplitN(s, "\n", maxDiffLines+1)
	if len(lines) > maxDiffLines {
		lines[maxDiffLines] = fmt.Sprintf("... (%d more lines not compared)", strings.Count(lines[maxDiffLines], "\n")+1)
	}
	for i, l := range lines {
		if len(l) > maxLineBytes {
			lines[i] = l[:maxLineBytes] + "..."
		}
	}
	return lines
}
