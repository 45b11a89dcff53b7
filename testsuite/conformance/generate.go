package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/offboard/offboard/emulator/xmlschema"
)

// operation is one operation of a spec, with where it is served.
type operation struct {
	id       string
	method   string
	template string   // the path template under a server
	prefixes []string // the servers' paths
	op       *openapi3.Operation
	item     *openapi3.PathItem
	params   []*openapi3.Parameter // the path item's and the operation's
	secured  bool                  // some security requirement names a scheme
}

// operations lists a spec's operations in a stable order.
func operations(vendor string, doc *openapi3.T) []*operation {
	var out []*operation
	for _, template := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Find(template)
		methods := item.Operations()
		names := slices.Sorted(maps.Keys(methods))
		for _, m := range names {
			op := methods[m]
			o := &operation{id: op.OperationID, method: m, template: template, op: op, item: item}
			servers := doc.Servers
			if len(item.Servers) > 0 {
				servers = item.Servers
			}
			if op.Servers != nil && len(*op.Servers) > 0 {
				servers = *op.Servers
			}
			for _, s := range servers {
				o.prefixes = append(o.prefixes, serverPath(s))
			}
			if len(o.prefixes) == 0 {
				o.prefixes = []string{""}
			}
			seen := map[string]bool{}
			for _, list := range []openapi3.Parameters{op.Parameters, item.Parameters} {
				for _, p := range list {
					if p == nil || p.Value == nil || seen[p.Value.In+" "+p.Value.Name] {
						continue
					}
					seen[p.Value.In+" "+p.Value.Name] = true
					o.params = append(o.params, p.Value)
				}
			}
			security := doc.Security
			if op.Security != nil {
				security = *op.Security
			}
			for _, req := range security {
				if len(req) > 0 {
					o.secured = true
				}
			}
			out = append(out, o)
		}
	}
	return out
}

// serverPath is a server URL's path, its variables at their defaults.
func serverPath(s *openapi3.Server) string {
	u := s.URL
	for name, v := range s.Variables {
		u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
	}
	if parsed, err := url.Parse(u); err == nil {
		u = parsed.Path
	}
	return strings.TrimSuffix(u, "/")
}

// request is one generated request.
type request struct {
	name   string // "valid" or the mutation
	route  bool   // true when no operation takes it
	method string
	path   string // escaped
	query  url.Values
	header http.Header
	body   []byte
	// What the body was made from, for mutations that change it.
	bodyValue  any
	bodyMedia  string
	bodySchema *openapi3.Schema
	pathValues map[string]string
	op         *operation
	prefix     string
}

func (r *request) target() string {
	if len(r.query) == 0 {
		return r.path
	}
	return r.path + "?" + r.query.Encode()
}

// gen makes requests and values.
type gen struct {
	rnd *rand.Rand
	ids *idPool
}

func (g *gen) pick(n int) int { return g.rnd.IntN(n) }

// valid makes a request the operation takes, as a client that read the
// spec would send it: its values come from the spec's examples and the
// scenario's ids, so some name things that exist and some do not.
func (g *gen) valid(w *world, op *operation) *request {
	r := &request{name: "valid", op: op, method: op.method, query: url.Values{}, header: http.Header{},
		pathValues: map[string]string{}, prefix: op.prefixes[g.pick(len(op.prefixes))]}
	for _, p := range op.params {
		switch p.In {
		case openapi3.ParameterInPath:
			r.pathValues[p.Name] = g.paramValue(op, p)
		case openapi3.ParameterInQuery:
			if p.Required || g.pick(2) == 0 {
				r.query.Set(p.Name, g.paramValue(op, p))
			}
		case openapi3.ParameterInHeader:
			if p.Required || g.pick(3) > 0 {
				r.header.Set(p.Name, g.paramValue(op, p))
			}
		}
	}
	r.path = r.prefix + fillPath(op.template, r.pathValues)
	if op.secured && w.credHeader != "" {
		r.header.Set(w.credHeader, w.credValue)
	}
	if rb := op.op.RequestBody; rb != nil && rb.Value != nil && len(rb.Value.Content) > 0 {
		g.body(r, rb.Value)
	}
	return r
}

func fillPath(template string, values map[string]string) string {
	for name, v := range values {
		template = strings.ReplaceAll(template, "{"+name+"}", url.PathEscape(v))
	}
	return template
}

// body picks one of the declared media types and a value for it.
func (g *gen) body(r *request, rb *openapi3.RequestBody) {
	media := slices.Sorted(maps.Keys(rb.Content))
	mt := media[g.pick(len(media))]
	m := rb.Content[mt]
	var sc *openapi3.Schema
	if m.Schema != nil {
		sc = m.Schema.Value
	}
	value := exampleOf(m)
	if value == nil || g.pick(4) == 0 {
		// Another media type's example, when this schema takes it
		// (Commvault's Login documents JSON; its XML form has the same
		// fields), else a value made from the schema.
		value = nil
		for _, other := range media {
			if ex := exampleOf(rb.Content[other]); ex != nil && sc != nil && fits(ex, sc, mt) {
				value = ex
				break
			}
		}
		if value == nil && sc != nil {
			value = g.value(sc, "", 0)
		}
	}
	r.bodyValue, r.bodyMedia, r.bodySchema = value, mt, sc
	r.body = encode(value, sc, mt)
	r.header.Set("Content-Type", mt)
}

func exampleOf(m *openapi3.MediaType) any {
	if m.Example != nil {
		return m.Example
	}
	names := slices.Sorted(maps.Keys(m.Examples))
	for _, name := range names {
		if ex := m.Examples[name]; ex != nil && ex.Value != nil && ex.Value.Value != nil {
			return ex.Value.Value
		}
	}
	return nil
}

// fits tells whether a value encodes to a body of the media type that its
// schema takes.
func fits(v any, sc *openapi3.Schema, mt string) bool {
	if strings.HasSuffix(mt, "xml") {
		return xmlschema.Check(encode(v, sc, mt), sc) == nil
	}
	return sc.VisitJSON(v, openapi3.VisitAsRequest()) == nil
}

// encode writes a value as a body of the media type.
func encode(v any, sc *openapi3.Schema, mt string) []byte {
	switch {
	case strings.HasSuffix(mt, "xml"):
		b, err := xmlschema.Encode(v, sc)
		if err != nil {
			return []byte(fmt.Sprint(v))
		}
		return b
	case mt == "application/x-www-form-urlencoded":
		form := url.Values{}
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				form.Set(k, scalarText(x))
			}
		}
		return []byte(form.Encode())
	case strings.HasPrefix(mt, "text/"):
		return []byte(scalarText(v))
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	}
}

// scalarText is a value as a form field or text body carries it: strings
// as they are, anything else as JSON.
func scalarText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// paramValue picks a parameter's value: an example, an enum value, an id
// from the scenario or a value made from its schema.
func (g *gen) paramValue(op *operation, p *openapi3.Parameter) string {
	var choices []string
	if p.Example != nil {
		choices = append(choices, scalarText(p.Example))
	}
	for _, ex := range p.Examples {
		if ex != nil && ex.Value != nil && ex.Value.Value != nil {
			choices = append(choices, scalarText(ex.Value.Value))
		}
	}
	var sc *openapi3.Schema
	if p.Schema != nil {
		sc = p.Schema.Value
	}
	if sc != nil {
		for _, e := range sc.Enum {
			choices = append(choices, scalarText(e))
		}
	}
	if strings.EqualFold(p.Name, "Accept") {
		choices = append(choices, acceptable(op)...)
	}
	if sc == nil || len(sc.Enum) == 0 && (sc.Type == nil || sc.Type.Is("string") || sc.Type.Is("integer")) {
		choices = append(choices, g.ids.candidates(p.Name, op.template)...)
	}
	sort.Strings(choices)
	choices = compact(choices)
	if len(choices) > 0 && g.pick(8) > 0 {
		return choices[g.pick(len(choices))]
	}
	if sc == nil {
		return g.word()
	}
	return scalarText(g.value(sc, p.Name, 0))
}

// acceptable lists the media types an operation answers in.
func acceptable(op *operation) []string {
	set := map[string]bool{"*/*": true}
	for _, ref := range op.op.Responses.Map() {
		if ref != nil && ref.Value != nil {
			for mt := range ref.Value.Content {
				set[mt] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for mt := range set {
		out = append(out, mt)
	}
	return out
}

func compact(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}
