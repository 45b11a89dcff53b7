package conformance

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxDepth bounds how deep a made value nests.
const maxDepth = 6

// value makes a value a schema takes: its example, an enum value, or one
// built from its type, with the scenario's ids where a property's name
// says it holds one.
func (g *gen) value(sc *openapi3.Schema, name string, depth int) any {
	if sc.Example != nil && g.pick(2) == 0 {
		return sc.Example
	}
	if len(sc.Enum) > 0 {
		return sc.Enum[g.pick(len(sc.Enum))]
	}
	if alts := append(append([]*openapi3.SchemaRef{}, sc.OneOf...), sc.AnyOf...); len(alts) > 0 {
		if alt := alts[g.pick(len(alts))]; alt != nil && alt.Value != nil {
			return g.value(alt.Value, name, depth)
		}
	}
	if len(sc.AllOf) > 0 && sc.AllOf[0] != nil && sc.AllOf[0].Value != nil {
		return g.value(sc.AllOf[0].Value, name, depth)
	}
	switch {
	case sc.Type.Is("object") || sc.Type == nil && len(sc.Properties) > 0:
		obj := map[string]any{}
		if depth >= maxDepth {
			return obj
		}
		names := slices.Sorted(maps.Keys(sc.Properties))
		for _, n := range names {
			p := sc.Properties[n]
			if p == nil || p.Value == nil || p.Value.ReadOnly {
				continue
			}
			if contains(sc.Required, n) || g.pick(5) < 3 {
				obj[n] = g.value(p.Value, n, depth+1)
			}
		}
		return obj
	case sc.Type.Is("array"):
		n := 1 + g.pick(2)
		if sc.MinItems > uint64(n) {
			n = int(min(sc.MinItems, 8))
		}
		if sc.MaxItems != nil && uint64(n) > *sc.MaxItems {
			n = int(*sc.MaxItems)
		}
		list := make([]any, 0, n)
		if sc.Items == nil || sc.Items.Value == nil || depth >= maxDepth {
			return list
		}
		for range n {
			list = append(list, g.value(sc.Items.Value, singular(name), depth+1))
		}
		return list
	case sc.Type.Is("integer"):
		for _, id := range g.ids.candidates(name, "") {
			if n, err := strconv.Atoi(id); err == nil && g.pick(2) == 0 && inRange(sc, float64(n)) {
				return float64(n)
			}
		}
		return float64(g.intIn(sc))
	case sc.Type.Is("number"):
		return float64(g.intIn(sc)) + 0.5
	case sc.Type.Is("boolean"):
		return g.pick(2) == 0
	default:
		return g.str(sc, name)
	}
}

func (g *gen) intIn(sc *openapi3.Schema) int64 {
	lo, hi := 0.0, 20.0
	if sc.Min != nil {
		lo = *sc.Min
		if sc.ExclusiveMin.IsTrue() {
			lo++
		}
	}
	if sc.Max != nil {
		hi = *sc.Max
		if sc.ExclusiveMax.IsTrue() {
			hi--
		}
	}
	if hi < lo {
		hi = lo + 20
	}
	span := math.Min(hi-lo, 1000)
	return int64(lo) + int64(g.pick(int(span)+1))
}

func inRange(sc *openapi3.Schema, v float64) bool {
	return (sc.Min == nil || v >= *sc.Min) && (sc.Max == nil || v <= *sc.Max)
}

func (g *gen) str(sc *openapi3.Schema, name string) string {
	var s string
	switch sc.Format {
	case "email":
		s = g.word() + "@example.com"
	case "uuid":
		s = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", g.rnd.Uint32(), g.rnd.IntN(1<<16), g.rnd.IntN(1<<12), g.rnd.IntN(1<<12), g.rnd.Uint64()&(1<<48-1))
	case "date-time":
		s = time.Date(2026, 1, 1+g.pick(300), g.pick(24), 0, 0, 0, time.UTC).Format(time.RFC3339)
	case "date":
		s = time.Date(2026, 1, 1+g.pick(300), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	default:
		if ids := g.ids.candidates(name, ""); len(ids) > 0 && g.pick(3) > 0 {
			s = ids[g.pick(len(ids))]
		} else {
			s = g.word()
		}
	}
	for uint64(len(s)) < sc.MinLength {
		s += "x"
	}
	if sc.MaxLength != nil && uint64(len(s)) > *sc.MaxLength {
		s = s[:*sc.MaxLength]
	}
	return s
}

// words are the made-up strings a run draws from.
func (g *gen) word() string {
	words := [...]string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"}
	return words[g.pick(len(words))] + strconv.Itoa(g.pick(100))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func singular(s string) string {
	if strings.HasSuffix(s, "ies") {
		return s[:len(s)-3] + "y"
	}
	return strings.TrimSuffix(s, "s")
}

// idPool holds the ids a scenario's state names, under the field that
// holds them: the keys of a map ("users": its user ids), the strings of a
// list ("containers") and, with ":name", the names of a map's entries.
type idPool struct {
	byField map[string][]string
}

// collectIDs reads a vendor's state (as the control API gives it) for ids.
func collectIDs(state any) *idPool {
	p := &idPool{byField: map[string][]string{}}
	p.walk("", state, 0)
	for f, ids := range p.byField {
		sort.Strings(ids)
		p.byField[f] = compact(ids)
	}
	return p
}

func (p *idPool) walk(field string, v any, depth int) {
	if depth > 12 {
		return
	}
	field = strings.ToLower(field)
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if field != "" {
				p.byField[field] = append(p.byField[field], k)
				if m, ok := x.(map[string]any); ok {
					for _, nf := range [...]string{"name", "username", "userName"} {
						if s, ok := m[nf].(string); ok {
							p.byField[field+":name"] = append(p.byField[field+":name"], s)
						}
					}
				}
			}
			p.walk(k, x, depth+1)
		}
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok && field != "" {
				p.byField[field] = append(p.byField[field], s)
			}
			p.walk(field, x, depth+1)
		}
	}
}

// candidates are the ids a parameter or property of this name likely
// takes: "project_id" the keys under "projects", "userGroupId" those under
// "usergroups" or else "groups", "username" the users' names; a bare "id"
// those of the collection the path names before it ("/users/{id}").
func (p *idPool) candidates(name, template string) []string {
	if p == nil {
		return nil
	}
	words := splitWords(name)
	wantName := len(words) > 0 && words[len(words)-1] == "name"
	for len(words) > 0 && (words[len(words)-1] == "id" || words[len(words)-1] == "name") {
		words = words[:len(words)-1]
	}
	if len(words) == 0 && template != "" {
		if i := strings.Index(template, "{"+name+"}"); i > 1 {
			before := strings.Trim(template[:i], "/")
			words = splitWords(singular(before[strings.LastIndexByte(before, '/')+1:]))
		}
	}
	if len(words) == 0 {
		return nil
	}
	stems := []string{strings.Join(words, ""), words[len(words)-1], words[0]}
	for _, stem := range stems {
		var out []string
		fields := slices.Sorted(maps.Keys(p.byField))
		for _, f := range fields {
			base, isName := strings.CutSuffix(f, ":name")
			if !strings.HasPrefix(base, stem) || len(base) > len(stem)+1 {
				continue
			}
			if !isName || wantName {
				out = append(out, p.byField[f]...)
			}
		}
		if len(out) > 0 {
			sort.Strings(out)
			return compact(out)
		}
	}
	return nil
}

// splitWords splits "userGroupId", "project_id" and "userID" into lower
// case words.
func splitWords(s string) []string {
	var words []string
	var cur []rune
	runes := []rune(s)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range runes {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(runes[i-1]) || i+1 < len(runes) && unicode.IsLower(runes[i+1])):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return words
}
