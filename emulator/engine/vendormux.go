package engine

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/gorilla/mux"

	"github.com/offboard/offboard/emulator/kit"
)

// vendorMux is one vendor's router and, for each of its mux routes that is
// an operation, the operation.
type vendorMux struct {
	*mux.Router
	e      *Engine
	routes map[*mux.Route]*route
	// byLast holds, per literal last segment of an operation's path, the
	// operations that could take a path ending in it: those with that last
	// segment and those whose last segment is a variable, in the full
	// router's order. tail holds the latter alone. mux tries routes one by
	// one with a regular expression each; these keep the tries to the few
	// that can match, the method compared first.
	byLast map[string][]candidate
	tail   []candidate
}

// candidate is an operation a bucket tries: its method, then its path,
// segment by segment, or by mux's template where segments cannot say.
type candidate struct {
	rt     *route
	method string
	path   func(path string, vars map[string]string) bool
	mr     *mux.Route // the template's route when path is nil
}

// serve answers a request under the vendor's prefixes. An operation is
// served with the variables mux matched, handed over as they are rather
// than through the two request copies mux.Router.ServeHTTP makes to put
// them in the context; anything else (a method or path no operation
// takes) goes through the router's own handlers.
func (vm *vendorMux) serve(w http.ResponseWriter, r *http.Request) {
	ex := vm.e.takeExchange()
	defer vm.e.releaseExchange(ex)
	if rt := vm.operation(r, ex.vars); rt != nil {
		vm.e.serveRoute(w, r, rt, ex)
		return
	}
	vm.ServeHTTP(w, r)
}

// operation finds the operation a request is for among the candidates
// its last path segment leaves, and puts its path's variables in vars;
// nil when there is none.
func (vm *vendorMux) operation(r *http.Request, vars map[string]string) *route {
	p := r.URL.Path
	candidates := vm.tail
	if b, ok := vm.byLast[p[strings.LastIndexByte(p, '/')+1:]]; ok {
		candidates = b
	}
	for _, c := range candidates {
		if c.method != r.Method {
			continue
		}
		if c.path != nil {
			if c.path(p, vars) {
				return c.rt
			}
			continue
		}
		var match mux.RouteMatch
		if c.mr.Match(r, &match) && match.MatchErr == nil {
			maps.Copy(vars, match.Vars)
			return c.rt
		}
	}
	return nil
}

// vendorRouter routes one vendor's operations; a known path with another
// method, and any other path under its prefixes, get the vendor's errors.
// Routes match segment by segment where their template allows it (each
// variable a whole segment, as in every spec here), without compiling a
// regular expression each; with byTemplate set, every route uses mux's own
// template instead, which is what TestLastSegmentBucketsAgree holds the
// faster routers to.
func (e *Engine) vendorRouter(v *vendorEntry, byTemplate bool) *vendorMux {
	vr := mux.NewRouter()
	vm := &vendorMux{Router: vr, e: e, routes: map[*mux.Route]*route{}, byLast: map[string][]candidate{}}
	// Route on the path as sent: a cleaned path would be answered with a
	// redirect no vendor sends.
	vr.SkipClean(true)
	routes := slices.Clone(v.routes)
	sort.SliceStable(routes, func(i, j int) bool {
		return literalLength(routes[i].template) > literalLength(routes[j].template)
	})
	allowed := map[string][]string{}
	var templates []string
	for _, rt := range routes {
		if _, seen := allowed[rt.template]; !seen {
			templates = append(templates, rt.template)
			allowed[rt.template] = nil
		}
	}
	taken := literalSiblings(templates)
	matchPath := func(r *mux.Route, template string, byTemplate bool) *mux.Route {
		return matchPath(r, template, byTemplate, taken[template])
	}
	for _, rt := range routes {
		mr := matchPath(vr.NewRoute(), rt.template, byTemplate).Methods(rt.method).Name(rt.vendor.Name() + " " + rt.op).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			e.serveRoute(w, r, rt, &exchange{vars: mux.Vars(r)})
		}))
		vm.routes[mr] = rt
		if last := rt.template[strings.LastIndexByte(rt.template, '/')+1:]; !strings.Contains(last, "{") {
			vm.byLast[last] = nil
		}
		allowed[rt.template] = append(allowed[rt.template], rt.method)
	}
	// The buckets, filled in the full router's order.
	for _, rt := range routes {
		c := candidate{rt: rt, method: strings.ToUpper(rt.method)}
		if c.path = segmentPath(rt.template, taken[rt.template]); c.path == nil || byTemplate {
			alone := mux.NewRouter().SkipClean(true)
			c.path, c.mr = nil, matchPath(alone.NewRoute(), rt.template, true).Methods(rt.method)
		}
		last := rt.template[strings.LastIndexByte(rt.template, '/')+1:]
		for seg := range vm.byLast {
			if seg == last || strings.Contains(last, "{") {
				vm.byLast[seg] = append(vm.byLast[seg], c)
			}
		}
		if strings.Contains(last, "{") {
			vm.tail = append(vm.tail, c)
		}
	}
	for _, t := range templates {
		methods := allowed[t]
		sort.Strings(methods)
		matchPath(vr.NewRoute(), t, byTemplate).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", strings.Join(methods, ", "))
			e.serveError(w, r, v, mux.Vars(r), &kit.Error{Kind: kit.MethodNotAllowed,
				Detail: fmt.Sprintf("%s is not allowed here; allowed: %s", r.Method, strings.Join(methods, ", "))})
		}))
	}
	vr.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.serveError(w, r, v, mux.Vars(r), &kit.Error{Kind: kit.NoRoute,
			Detail: "no " + v.Name() + " operation at " + r.Method + " " + r.URL.Path + "; see " + HeaderRoutes})
	})
	return vm
}

// matchPath makes r match a path template: segment by segment where it
// can, else (or with templates set) by mux's template. A variable segment
// never takes a value in taken for its position: that path belongs to a
// sibling template with a literal there.
func matchPath(r *mux.Route, template string, templates bool, taken map[int][]string) *mux.Route {
	if match := segmentPath(template, taken); match != nil && !templates {
		return r.MatcherFunc(func(req *http.Request, m *mux.RouteMatch) bool {
			vars := map[string]string{}
			if !match(req.URL.Path, vars) {
				return false
			}
			m.Vars = vars
			return true
		})
	}
	r = r.Path(template)
	if len(taken) > 0 {
		r = r.MatcherFunc(func(req *http.Request, _ *mux.RouteMatch) bool {
			segs := strings.Split(req.URL.Path, "/")
			for i, lits := range taken {
				if i < len(segs) && slices.Contains(lits, segs[i]) {
					return false
				}
			}
			return true
		})
	}
	return r
}

// literalSiblings finds, for each template, the values its variable
// segments must leave to another template: where two templates have the
// same number of segments and one has every literal of the other and more,
// each of its extra literals takes that value from the other's variable at
// the same place (the more concrete path wins, and only one can).
// OpenAPI has concrete paths matched before templated ones; without this,
// GET /User/Unlock (a POST-only path) would be getUser with userId
// "Unlock" instead of a 405 naming POST.
func literalSiblings(templates []string) map[string]map[int][]string {
	split := make([][]string, len(templates))
	for i, t := range templates {
		split[i] = strings.Split(t, "/")
	}
	isVar := func(seg string) bool { return strings.HasPrefix(seg, "{") }
	out := map[string]map[int][]string{}
	for i, a := range split {
		for j, b := range split {
			if i == j || len(a) != len(b) {
				continue
			}
			agree := true // b has a's literals, and more
			for k := range a {
				if !isVar(a[k]) && (isVar(b[k]) || a[k] != b[k]) {
					agree = false
					break
				}
			}
			if !agree {
				continue
			}
			for k := range a {
				if isVar(a[k]) && !isVar(b[k]) {
					if out[templates[i]] == nil {
						out[templates[i]] = map[int][]string{}
					}
					if !slices.Contains(out[templates[i]][k], b[k]) {
						out[templates[i]][k] = append(out[templates[i]][k], b[k])
					}
				}
			}
		}
	}
	return out
}

// segmentPath matches a path against a template whose variables each
// fill one whole segment ("/users/{id}"), as mux matches such a template
// (a variable is one or more characters other than '/', literals compare
// exactly, no trailing slash is added or dropped), and gives the
// variables, without a regular expression. It is nil for any other
// template.
func segmentPath(template string, taken map[int][]string) func(path string, vars map[string]string) bool {
	segs := strings.Split(template, "/")
	names := make([]string, len(segs)) // the variable's name, or "" for a literal
	vars := 0
	for i, seg := range segs {
		if !strings.ContainsAny(seg, "{}") {
			continue
		}
		name, ok := strings.CutPrefix(seg, "{")
		if name, ok = strings.CutSuffix(name, "}"); !ok || name == "" || strings.ContainsAny(name, "{}:") {
			return nil // a pattern or a partial segment: mux's template
		}
		names[i] = name
		vars++
	}
	return func(path string, vars map[string]string) bool {
		p := path
		for i, seg := range segs {
			if i > 0 {
				if len(p) == 0 || p[0] != '/' {
					return false
				}
				p = p[1:]
			}
			end := strings.IndexByte(p, '/')
			if end < 0 {
				end = len(p)
			}
			if i == len(segs)-1 && end != len(p) {
				return false
			}
			if names[i] == "" && p[:end] != seg || names[i] != "" && (end == 0 || slices.Contains(taken[i], p[:end])) {
				return false
			}
			p = p[end:]
		}
		if len(p) != 0 {
			return false
		}
		// Matched: the variables, read again now that they are wanted.
		p = path
		for i := range segs {
			if i > 0 {
				p = p[1:]
			}
			end := strings.IndexByte(p, '/')
			if end < 0 {
				end = len(p)
			}
			if names[i] != "" {
				vars[names[i]] = p[:end]
			}
			p = p[end:]
		}
		return true
	}
}

// HeaderRoutes is where the emulator lists its routes: GET /__admin/routes.
const HeaderRoutes = "GET /__admin/routes"
