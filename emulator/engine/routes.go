package engine

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/specs"
)

// vendorEntry is a vendor with its routes and, once parsed, its spec.
type vendorEntry struct {
	kit.Vendor
	spec []byte
	// ready is closed once the spec is parsed and every route has what
	// validation needs (loadErr says why not); until then only routing
	// works. Whatever reads doc or a route's kin-openapi fields waits.
	ready    chan struct{}
	loadOnce sync.Once // load runs once, in the background or for the first request that needs it
	doc      *openapi3.T
	loadErr  error
	// routed is closed once mux holds the vendor's router, built in the
	// background too (before the spec parses, as routing needs none of it).
	routed    chan struct{}
	mux       *vendorMux
	auth      kit.Authenticator // nil when the vendor authenticates in its handlers
	norm      kit.PathNormalizer
	normRoots []string // where norm acts
	routes    []*route
	prefixes  []string // mount prefixes, for answering unknown paths in this vendor's shape
}

// route is one (method, full path template) of a vendor's spec.
type route struct {
	vendor   *vendorEntry
	method   string
	template string // server path + spec path, a gorilla/mux template
	op       string
	handler  kit.Handler
	table    specs.Route // the route table's entry
	// The rest is set when the vendor's spec is parsed (vendor.wait).
	kin *routers.Route
	// params are the parameters the spec could refuse, in the order
	// kin-openapi's ValidateRequest visits them (the path item's, unless
	// the operation overrides them, then the operation's); body is the
	// operation's request body, nil when it takes none. With neither,
	// validation is skipped: the router has already proved what is left.
	params []*openapi3.Parameter
	body   *openapi3.RequestBody
	// opts are kin-openapi's options for the route, shared by its
	// requests (kin-openapi only reads them); optsNoBody leave the body
	// out, for XML that kin-openapi cannot decode.
	opts, optsNoBody openapi3filter.Options
	// direct are the shortcuts validation may take for the body.
	direct []*directBody
}

// checkedParams lists the parameters of an operation that validation
// could refuse. Left out are those no value can break: a path parameter
// whose schema is an unconstrained string (the router only matches a
// non-empty segment), and an optional query or header parameter whose
// schema accepts any string, the empty one included.
func checkedParams(item *openapi3.PathItem, op *openapi3.Operation) []*openapi3.Parameter {
	var all []*openapi3.Parameter
	for _, ref := range item.Parameters {
		p := ref.Value
		if p != nil && op.Parameters.GetByInAndName(p.In, p.Name) == nil {
			all = append(all, p)
		}
	}
	for _, ref := range op.Parameters {
		if ref.Value != nil {
			all = append(all, ref.Value)
		}
	}
	var out []*openapi3.Parameter
	for _, p := range all {
		if !acceptsAny(p) {
			out = append(out, p)
		}
	}
	return out
}

// acceptsAny tells whether every value the router lets through passes p.
func acceptsAny(p *openapi3.Parameter) bool {
	if p.Content != nil || p.Schema == nil || p.Schema.Value == nil || (p.Style != "" && p.Style != openapi3.SerializationSimple && p.Style != openapi3.SerializationForm) {
		return false
	}
	sc := p.Schema.Value
	if sc.Type == nil || !sc.Type.Is("string") || len(sc.Enum) > 0 || sc.Pattern != "" || sc.Format != "" || sc.MaxLength != nil ||
		len(sc.OneOf)+len(sc.AnyOf)+len(sc.AllOf) > 0 || sc.Not != nil {
		return false
	}
	if p.In == openapi3.ParameterInPath {
		return sc.MinLength <= 1
	}
	return !p.Required && sc.MinLength == 0
}

// newVendorEntry binds every operation of a vendor's spec, from the
// spec's generated route table, to its handler. An operation without a
// handler or a handler without an operation is an error: the spec and the
// code must describe the same API. The spec itself is parsed by load.
func newVendorEntry(v kit.Vendor) (*vendorEntry, error) {
	name := v.Name()
	raw, err := specs.Raw(name)
	if err != nil {
		return nil, fmt.Errorf("vendor %s: no spec: %w", name, err)
	}
	table, err := specs.Routes(name)
	if err != nil {
		return nil, err
	}
	e := &vendorEntry{Vendor: v, spec: raw, ready: make(chan struct{}), routed: make(chan struct{})}
	e.auth, _ = v.(kit.Authenticator)
	if e.norm, _ = v.(kit.PathNormalizer); e.norm != nil {
		e.normRoots = e.norm.NormalizeRoots()
	}
	handlers := v.Operations()
	bound := map[string]bool{}
	prefixes := map[string]bool{}
	for _, tr := range table {
		h, ok := handlers[tr.OperationID]
		if !ok {
			return nil, fmt.Errorf("vendor %s: operation %s has no handler", name, tr.OperationID)
		}
		bound[tr.OperationID] = true
		base, err := serverPath(tr.Server)
		if err != nil {
			return nil, fmt.Errorf("spec %s: %w", name, err)
		}
		prefixes[mountPrefix(base, tr.Path)] = true
		e.routes = append(e.routes, &route{vendor: e, method: tr.Method, template: base + tr.Path, op: tr.OperationID,
			handler: h, table: tr})
	}
	for id := range handlers {
		if !bound[id] {
			return nil, fmt.Errorf("vendor %s: handler %s has no operation in the spec", name, id)
		}
	}
	for p := range prefixes {
		e.prefixes = append(e.prefixes, p)
	}
	sort.Strings(e.prefixes)
	return e, nil
}

// load parses the vendor's spec and gives each route what validation
// needs, then marks the vendor ready.
func (e *vendorEntry) load() {
	defer close(e.ready)
	doc, err := specs.Document(e.Name())
	if err != nil {
		e.loadErr = err
		return
	}
	e.doc = doc
	byKey := map[specs.Route]*route{}
	for _, rt := range e.routes {
		byKey[rt.table] = rt
	}
	found := 0
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			servers := doc.Servers
			if len(item.Servers) > 0 {
				servers = item.Servers
			}
			if op.Servers != nil && len(*op.Servers) > 0 {
				servers = *op.Servers
			}
			for _, srv := range servers {
				rt := byKey[specs.Route{Method: method, Path: path, OperationID: op.OperationID, Server: srv.URL}]
				if rt == nil {
					e.loadErr = fmt.Errorf("spec %s: %s %s is not in the route table (go generate ./specs)", e.Name(), method, path)
					return
				}
				found++
				rt.bind(doc, srv, path, item, method, op)
			}
		}
	}
	if found != len(e.routes) {
		e.loadErr = fmt.Errorf("spec %s: the route table has routes the spec does not (go generate ./specs)", e.Name())
	}
}

// router waits for the vendor's router.
func (e *vendorEntry) router() *vendorMux {
	<-e.routed
	return e.mux
}

// wait blocks until the vendor's spec is parsed, parsing it now when the
// background has not reached it yet.
func (e *vendorEntry) wait() error {
	e.loadOnce.Do(e.load)
	<-e.ready
	return e.loadErr
}

// bind gives a route the operation kin-openapi validates it against.
func (rt *route) bind(doc *openapi3.T, srv *openapi3.Server, path string, item *openapi3.PathItem, method string, op *openapi3.Operation) {
	// Validation runs without the operation's security: each vendor
	// checks credentials itself, in the order its real service does.
	checked := *op
	checked.Security = &openapi3.SecurityRequirements{}
	var body *openapi3.RequestBody
	if op.RequestBody != nil {
		body = op.RequestBody.Value
	}
	rt.kin = &routers.Route{Spec: doc, Server: srv, Path: path, PathItem: item, Method: method, Operation: &checked}
	rt.params = checkedParams(item, op)
	rt.body = body
	rt.opts = openapi3filter.Options{
		// Credentials are each vendor's to check, in its own order; the
		// routes carry no security requirements.
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		SkipSettingDefaults: true,
	}
	rt.optsNoBody = rt.opts
	rt.optsNoBody.ExcludeRequestBody = true
	rt.direct = directBodies(doc, body)
}

// serverPath is the path part of a server URL, keeping {variables} as
// route variables ("/{context}/notebooks/admin").
func serverPath(serverURL string) (string, error) {
	raw := serverURL
	if i := strings.Index(raw, "://"); i >= 0 {
		rest := raw[i+3:]
		j := strings.Index(rest, "/")
		if j < 0 {
			return "", nil
		}
		raw = rest[j:]
	}
	if _, err := url.Parse(strings.ReplaceAll(strings.ReplaceAll(raw, "{", ""), "}", "")); err != nil {
		return "", fmt.Errorf("server %q: %w", serverURL, err)
	}
	return strings.TrimRight(raw, "/"), nil
}

// mountPrefix is where a vendor's paths live: its server path, or for a
// vendor served from the root, the first literal segment of the path.
func mountPrefix(base, path string) string {
	if literalLength(base) > strings.Count(base, "/") {
		return base + "/"
	}
	// A server path of variables only ("/{context}") would claim every
	// path: take the operation's first literal segment as well.
	seg := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 2)[0]
	if strings.Contains(seg, "{") {
		return "/"
	}
	return base + "/" + seg + "/"
}

// literalLength counts the characters of a template outside {variables}:
// more literal text means a more specific route, which must be tried first.
func literalLength(template string) int {
	n, depth := 0, 0
	for _, c := range template {
		switch {
		case c == '{':
			depth++
		case c == '}':
			depth--
		case depth == 0:
			n++
		}
	}
	return n
}
