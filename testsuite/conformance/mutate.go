package conformance

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// mutation turns a valid request into one a careless or hostile client
// sends; it reports false when it does not apply to this request.
type mutation struct {
	name  string
	apply func(g *gen, w *world, r *request) bool
}

// mutations are tried in a random order until one applies.
func mutations() []mutation {
	return []mutation{
		{"no-credential", noCredential},
		{"bad-credential", badCredential},
		{"missing-param", missingParam},
		{"wrong-param", wrongParam},
		{"unknown-id", unknownID},
		{"broken-body", brokenBody},
		{"wrong-body", wrongBody},
		{"no-body", noBody},
		{"wrong-content-type", wrongContentType},
		{"huge-body", hugeBody},
		{"unknown-path", unknownPath},
		{"wrong-method", wrongMethod},
	}
}

// noCredential is the "no-credential" mutation.
func noCredential(g *gen, w *world, r *request) bool {
	if !r.op.secured || r.header.Get(w.credHeader) == "" {
		return false
	}
	r.header.Del(w.credHeader)
	return true
}

// badCredential is the "bad-credential" mutation.
func badCredential(g *gen, w *world, r *request) bool {
	if !r.op.secured || w.credHeader == "" {
		return false
	}
	bad := [...]string{"not-a-token", "Bearer ", "Basic !!!", strings.Repeat("A", 5000), "QSDK 00", "eyJhbGciOiJub25lIn0.e30."}
	r.header.Set(w.credHeader, bad[g.pick(len(bad))])
	return true
}

// missingParam is the "missing-param" mutation.
func missingParam(g *gen, w *world, r *request) bool {
	var required []*openapi3.Parameter
	for _, p := range r.op.params {
		if p.Required && (p.In == openapi3.ParameterInQuery || p.In == openapi3.ParameterInHeader) {
			required = append(required, p)
		}
	}
	if len(required) == 0 {
		return false
	}
	p := required[g.pick(len(required))]
	if p.In == openapi3.ParameterInQuery {
		r.query.Del(p.Name)
	} else {
		r.header.Del(p.Name)
	}
	return true
}

// wrongParam is the "wrong-param" mutation.
func wrongParam(g *gen, w *world, r *request) bool {
	if len(r.op.params) == 0 {
		return false
	}
	p := r.op.params[g.pick(len(r.op.params))]
	odd := [...]string{"not-a-number", "-1", "99999999999999999999", "", "..", "%", "ü∆\u202e", strings.Repeat("z", 3000), "a/b", "'; DROP TABLE users;--", "\t"}
	v := odd[g.pick(len(odd))]
	switch p.In {
	case openapi3.ParameterInPath:
		switch v {
		case "":
			v = "x "
		case "..", "a/b":
			v = "x%y" // a segment of its own, escaped
		}
		r.pathValues[p.Name] = v
		r.path = r.prefix + fillPath(r.op.template, r.pathValues)
	case openapi3.ParameterInQuery:
		r.query.Set(p.Name, v)
	case openapi3.ParameterInHeader:
		if strings.ContainsAny(v, "\t\u202e") || strings.ContainsFunc(v, func(c rune) bool { return c > 126 }) {
			v = "not-a-number" // header values are ASCII on the wire
		}
		r.header.Set(p.Name, v)
	default:
		return false
	}
	return true
}

// unknownID is the "unknown-id" mutation.
func unknownID(g *gen, w *world, r *request) bool {
	names := slices.Sorted(maps.Keys(r.pathValues))
	if len(names) == 0 {
		return false
	}
	unknown := [...]string{"0", "999999", "nobody", "ffffffffffffffffffffffffffffffff", "00000000-0000-4000-8000-000000000000"}
	r.pathValues[names[g.pick(len(names))]] = unknown[g.pick(len(unknown))]
	r.path = r.prefix + fillPath(r.op.template, r.pathValues)
	return true
}

// brokenBody is the "broken-body" mutation.
func brokenBody(g *gen, w *world, r *request) bool {
	if r.body == nil {
		return false
	}
	switch g.pick(4) {
	case 0:
		if len(r.body) < 2 {
			return false
		}
		r.body = r.body[:1+g.pick(len(r.body)-1)]
	case 1:
		r.body = append([]byte{0xff, 0xfe}, r.body...) // not UTF-8
	case 2:
		r.body = []byte("{\"a\":")
	default:
		r.body = []byte{}
	}
	return true
}

// wrongBody is the "wrong-body" mutation.
func wrongBody(g *gen, w *world, r *request) bool {
	obj, ok := r.bodyValue.(map[string]any)
	if !ok || r.bodySchema == nil || len(r.bodySchema.Properties) == 0 {
		return false
	}
	names := slices.Sorted(maps.Keys(r.bodySchema.Properties))
	changed := map[string]any{}
	for k, v := range obj {
		changed[k] = v
	}
	n := names[g.pick(len(names))]
	if contains(r.bodySchema.Required, n) && g.pick(2) == 0 {
		delete(changed, n)
	} else if p := r.bodySchema.Properties[n].Value; p != nil && p.Type.Is("string") {
		changed[n] = 12345.0
	} else {
		changed[n] = "not the type"
	}
	r.bodyValue = changed
	r.body = encode(changed, r.bodySchema, r.bodyMedia)
	return true
}

// noBody is the "no-body" mutation.
func noBody(g *gen, w *world, r *request) bool {
	if r.body == nil {
		return false
	}
	r.body = nil
	r.header.Del("Content-Type")
	return true
}

// wrongContentType is the "wrong-content-type" mutation.
func wrongContentType(g *gen, w *world, r *request) bool {
	if r.body == nil {
		return false
	}
	types := [...]string{"text/plain", "application/json", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "nonsense"}
	ct := types[g.pick(len(types))]
	if ct == r.header.Get("Content-Type") {
		return false
	}
	r.header.Set("Content-Type", ct)
	return true
}

// hugeBody is the "huge-body" mutation.
func hugeBody(g *gen, w *world, r *request) bool {
	if r.body == nil || g.pick(4) > 0 {
		return false // rare: each costs a megabyte
	}
	r.body = append([]byte(`{"pad":"`), make([]byte, 1<<20+64)...)
	for i := 8; i < len(r.body); i++ {
		r.body[i] = 'a'
	}
	return true
}

// unknownPath is the "unknown-path" mutation.
func unknownPath(g *gen, w *world, r *request) bool {
	// Under the vendor's prefix: a segment added, or the last one
	// changed. A path some operation's template still takes (an
	// id, "/users/offboard-nope") is that operation's.
	if i := strings.LastIndexByte(r.path, '/'); g.pick(2) == 0 && i > len(r.prefix) && strings.Count(r.path[len(r.prefix):], "/") > 1 {
		r.path = r.path[:i] + "/offboard-nope"
	} else {
		r.path += "/offboard-nope"
	}
	r.reroute(w)
	return true
}

// wrongMethod is the "wrong-method" mutation.
func wrongMethod(g *gen, w *world, r *request) bool {
	taken := r.op.item.Operations()
	var free []string
	for _, m := range [...]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if taken[m] == nil {
			free = append(free, m)
		}
	}
	if len(free) == 0 {
		return false
	}
	r.method = free[g.pick(len(free))]
	r.reroute(w)
	return true
}

// mutate applies one mutation that fits the request.
func (g *gen) mutate(w *world, r *request) {
	all := mutations()
	for _, i := range g.rnd.Perm(len(all)) {
		if all[i].apply(g, w, r) {
			r.name = all[i].name
			return
		}
	}
}

// reroute finds the operation a changed method and path now reach, as the
// emulator's router would: the path belongs to the templates with the most
// literal segments that take it (a concrete path wins over a variable
// one: POST User/Unlock over User/{userId}), and to their operation for
// the method. With none, no operation takes the request.
func (r *request) reroute(w *world) {
	var best []*operation
	bestLiterals := -1
	for _, op := range w.ops {
		for _, prefix := range op.prefixes {
			n, ok := matches(prefix+op.template, r.path)
			switch {
			case !ok || n < bestLiterals:
			case n > bestLiterals:
				best, bestLiterals = []*operation{op}, n
			default:
				best = append(best, op)
			}
		}
	}
	for _, op := range best {
		if op.method == r.method {
			r.op, r.route = op, false
			return
		}
	}
	r.route = true
}

// matches tells whether an escaped path fills a template, each variable a
// whole non-empty segment, and how many literal segments the template has.
func matches(template, path string) (int, bool) {
	ts, ps := strings.Split(template, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return 0, false
	}
	literals := 0
	for i, t := range ts {
		if strings.HasPrefix(t, "{") {
			if ps[i] == "" {
				return 0, false
			}
			continue
		}
		seg, err := url.PathUnescape(ps[i])
		if err != nil || seg != t {
			return 0, false
		}
		literals++
	}
	return literals, true
}
