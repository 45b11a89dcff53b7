// Package emulator is the offboard engine: an http.Handler that serves
// every vendor's API from its OpenAPI spec, validates each request with
// kin-openapi before any behaviour runs, keeps per-session state, and
// answers every error in the vendor's own shape. /__admin/ is the control API.
package emulator

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/rs/cors"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/store"
	"github.com/offboard/offboard/emulator/vendors"
	"github.com/offboard/offboard/scenarios"
)

// Headers of our own, never sent by a real vendor.
const (
	// HeaderDetail carries why the emulator answered an error, for people
	// and tests; the body stays what the vendor would send.
	HeaderDetail = "X-Offboard-Detail"
	// HeaderSession names the session a request belongs to.
	HeaderSession = "X-Offboard-Session"
)

// Emulator serves the vendors' APIs and the control API. It is safe for
// concurrent use.
type Emulator struct {
	opts    options
	vendors []*vendorEntry
	byName  map[string]*vendorEntry
	router  *mux.Router // the control API and the unknown-path answer
	mounts  []mount     // vendor prefixes, most specific first
	store   *store.Store
	journal *journal
	handler http.Handler // the router behind the vendor routes' CORS
	admin   http.Handler // the router behind the control API's guard
	log     *slog.Logger

	mu       sync.RWMutex
	scenario *scenarios.File // as loaded, for listings and reset

	closing   chan struct{} // closed by Close: latency faults stop waiting
	closeOnce sync.Once
}

// Close tells the emulator the server is shutting down: requests held by
// a latency fault are answered at once instead of after their delay, so
// that a graceful shutdown loses no answer. It does not stop serving.
func (e *Emulator) Close() {
	e.closeOnce.Do(func() { close(e.closing) })
}

type options struct {
	scenarioRefs   []string
	scenarioData   []namedData
	logger         *slog.Logger
	now            func() time.Time
	maxBody        int64
	journalSize    int
	adminToken     string
	adminSeparate  bool
	corsOrigins    []string
	adminOrigins   []string
	hostCheck      bool
	allowedHosts   []string
	sessionIdle    time.Duration
	maxSessions    int
	validateOutput func(req *http.Request, status int, err error)
	vendors        []kit.Vendor
}

type namedData struct {
	name string
	data []byte
}

// Option configures an Emulator.
type Option func(*options)

// WithScenario loads built-in scenarios by name or scenario files by path
// (several are laid over each other: a later one's section replaces an
// earlier one's of the same key).
// Without any, the built-in "default" scenario is loaded.
func WithScenario(refs ...string) Option {
	return func(o *options) { o.scenarioRefs = append(o.scenarioRefs, refs...) }
}

// WithScenarioFile is WithScenario for a path.
func WithScenarioFile(path string) Option { return WithScenario(path) }

// WithScenarioYAML loads a scenario given as YAML text; name is used in
// error messages.
func WithScenarioYAML(name string, data []byte) Option {
	return func(o *options) { o.scenarioData = append(o.scenarioData, namedData{name, data}) }
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithClock sets the clock used for token expiry and timestamps.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithMaxBodyBytes sets the largest request body accepted (default 1 MiB);
// a larger one gets the vendor's too-large answer.
func WithMaxBodyBytes(n int64) Option { return func(o *options) { o.maxBody = n } }

// WithSessionIdle sets after how long an unused named session is dropped
// (default 30 minutes; 0 keeps sessions forever).
func WithSessionIdle(d time.Duration) Option { return func(o *options) { o.sessionIdle = d } }

// DefaultMaxSessions is how many named sessions live at once by default.
const DefaultMaxSessions = 1000

// WithMaxSessions caps the named sessions (default DefaultMaxSessions); a
// new session past the cap evicts the least recently used one, which is
// logged. 0 removes the cap.
func WithMaxSessions(n int) Option { return func(o *options) { o.maxSessions = max(n, 0) } }

// WithJournalSize sets how many requests GET /__admin/requests keeps
// (default DefaultJournalSize); 0 turns the journal off.
func WithJournalSize(n int) Option { return func(o *options) { o.journalSize = max(n, 0) } }

// WithAdminToken protects the control API: every control request but
// GET /__admin/health must carry "Authorization: Bearer TOKEN".
func WithAdminToken(token string) Option { return func(o *options) { o.adminToken = token } }

// WithSeparateAdmin takes the control API off the vendor handler; serve
// AdminHandler on another address instead.
func WithSeparateAdmin() Option { return func(o *options) { o.adminSeparate = true } }

// WithCORSOrigins sets the browser origins allowed to call the emulator
// ("*" by default: any); none turns CORS off.
func WithCORSOrigins(origins ...string) Option { return func(o *options) { o.corsOrigins = origins } }

// WithAdminOrigins lets browser pages of these origins call the control
// API (CORS included). By default only the emulator's own origin may: a
// control request with any other Origin header is refused, so that no web
// page a developer visits can reset, load or read the emulator.
func WithAdminOrigins(origins ...string) Option {
	return func(o *options) { o.adminOrigins = append(o.adminOrigins, origins...) }
}

// WithAllowedHosts turns on the Host check of the control API: a request
// whose Host header is not a loopback name or address, nor one of hosts,
// is refused. It defeats DNS rebinding against an emulator listening on
// loopback; the CLI turns it on whenever it listens there.
func WithAllowedHosts(hosts ...string) Option {
	return func(o *options) {
		o.hostCheck = true
		o.allowedHosts = append(o.allowedHosts, hosts...)
	}
}

// WithResponseValidation validates every response the emulator sends
// against its own spec and reports each mismatch to fn. Tests use it so
// that spec and behaviour cannot drift apart.
func WithResponseValidation(fn func(req *http.Request, status int, err error)) Option {
	return func(o *options) { o.validateOutput = fn }
}

// WithVendors replaces the built-in vendor list (for tests of the engine).
func WithVendors(v ...kit.Vendor) Option { return func(o *options) { o.vendors = v } }

// New builds an emulator: it loads and validates every spec, binds every
// operation, loads the scenario and compiles the routes.
func New(opts ...Option) (*Emulator, error) {
	o := options{
		logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		now:         time.Now,
		maxBody:     1 << 20,
		sessionIdle: 30 * time.Minute,
		maxSessions: DefaultMaxSessions,
		journalSize: DefaultJournalSize,
		corsOrigins: []string{"*"},
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.vendors == nil {
		o.vendors = vendors.All()
	}
	e := &Emulator{opts: o, log: o.logger, byName: map[string]*vendorEntry{}, closing: make(chan struct{})}
	for _, v := range o.vendors {
		ve, err := loadVendor(v)
		if err != nil {
			return nil, err
		}
		if ve.Name() == faultSlot {
			return nil, fmt.Errorf("a vendor may not be named %q", faultSlot)
		}
		if _, dup := e.byName[ve.Name()]; dup {
			return nil, fmt.Errorf("vendor %s listed twice", ve.Name())
		}
		e.vendors = append(e.vendors, ve)
		e.byName[ve.Name()] = ve
	}
	file, err := e.openScenario(o.scenarioRefs, o.scenarioData)
	if err != nil {
		return nil, err
	}
	snap, err := e.snapshot(file)
	if err != nil {
		return nil, err
	}
	e.scenario = file
	e.store = store.New(snap, store.Options{Idle: o.sessionIdle, Max: o.maxSessions, Now: o.now,
		OnDrop: func(id, reason string) { e.log.Info("session dropped", "session", id, "reason", reason) }})
	e.journal = newJournal(o.journalSize)
	e.router = e.buildRouter()
	e.handler = http.HandlerFunc(e.route)
	e.admin = e.guardAdmin(e.router)
	if len(o.adminOrigins) > 0 {
		e.admin = e.guardAdmin(cors.New(cors.Options{
			AllowedOrigins: o.adminOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete},
			AllowedHeaders: []string{"Authorization", "Content-Type", HeaderSession},
			MaxAge:         600,
		}).Handler(e.router))
	}
	if len(o.corsOrigins) > 0 {
		e.handler = cors.New(cors.Options{
			AllowedOrigins: o.corsOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
				http.MethodPatch, http.MethodDelete},
			// Vendors' own headers (Authtoken, X-Auth-Token, X-Sdk-Date,
			// X-Esri-Authorization, ...) and ours: allow what is asked.
			AllowedHeaders: []string{"*"},
			ExposedHeaders: []string{HeaderDetail, "X-Request-Id", "Retry-After", "Allow", "Server"},
			MaxAge:         600,
		}).Handler(e.handler)
	}
	return e, nil
}

func (e *Emulator) openScenario(refs []string, data []namedData) (*scenarios.File, error) {
	if len(refs) == 0 && len(data) == 0 {
		refs = []string{"default"}
	}
	var files []*scenarios.File
	for _, ref := range refs {
		f, err := scenarios.Open(ref)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	for _, d := range data {
		f, err := scenarios.Parse(d.name, d.data)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return scenarios.Merge(files...)
}

// ServeHTTP implements http.Handler.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !e.opts.adminSeparate && isAdminPath(r.URL.Path) {
		e.admin.ServeHTTP(w, r)
		return
	}
	e.handler.ServeHTTP(w, r)
}

func isAdminPath(p string) bool {
	return p == "/__admin" || strings.HasPrefix(p, "/__admin/")
}

// route sends a request to its handler.
func (e *Emulator) route(w http.ResponseWriter, r *http.Request) {
	// A vendor may match paths loosely (Commvault: case-insensitively);
	// route on its normal form, and let handlers see the path as sent.
	if p := e.normalize(r.URL.Path); p != r.URL.Path {
		r2 := r.Clone(context.WithValue(r.Context(), originalPathKey, r.URL.Path))
		r2.URL.Path, r2.URL.RawPath = p, ""
		r = r2
	}
	if strings.HasPrefix(r.URL.Path, "/__session/") {
		e.serveSessionPrefix(w, r)
		return
	}
	for _, m := range e.mounts {
		if m.under(r.URL.Path) {
			m.router.serve(w, r)
			return
		}
	}
	e.router.ServeHTTP(w, r)
}

// operationOf finds the operation a request would be served by, and its
// path parameters; nil when it is none.
func (e *Emulator) operationOf(r *http.Request) (*route, map[string]string) {
	p := e.normalize(r.URL.Path)
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = p, ""
	for _, m := range e.mounts {
		if !m.under(p) {
			continue
		}
		var match mux.RouteMatch
		if !m.router.Match(r2, &match) || match.MatchErr != nil {
			return nil, nil
		}
		return m.router.routes[match.Route], match.Vars // nil for no operation
	}
	return nil, nil
}

// VendorNames lists the served vendors in order.
func (e *Emulator) VendorNames() []string {
	names := make([]string, len(e.vendors))
	for i, v := range e.vendors {
		names[i] = v.Name()
	}
	return names
}

type ctxKey int

const sessionKey ctxKey = 1

// buildRouter builds the control API's router (kept for /__admin) and,
// per vendor, a router of that vendor's routes behind its mount prefixes.
// A request is dispatched on the prefixes with plain string compares, so
// that mux's regular expressions only ever run over one vendor's routes.
func (e *Emulator) buildRouter() *mux.Router {
	root := mux.NewRouter()
	root.SkipClean(true)
	if !e.opts.adminSeparate {
		e.mountAdmin(root.PathPrefix("/__admin").Subrouter())
	}
	root.NotFoundHandler = http.HandlerFunc(e.serveUnknown)
	e.mounts = nil
	for _, v := range e.vendors {
		vr := e.vendorRouter(v)
		for _, p := range v.prefixes {
			e.mounts = append(e.mounts, mount{segs: prefixSegments(p), literal: literalLength(p), router: vr})
		}
	}
	// The most specific prefix first, as the routes themselves are ordered.
	sort.SliceStable(e.mounts, func(i, j int) bool { return e.mounts[i].literal > e.mounts[j].literal })
	return root
}

// mount is one vendor prefix and the router of that vendor's routes.
type mount struct {
	segs    []string // literal segments, or "" for a {variable}
	literal int
	router  *vendorMux
}

func prefixSegments(prefix string) []string {
	p := strings.Trim(prefix, "/")
	if p == "" {
		return nil
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = ""
		}
	}
	return segs
}

// under tells whether path lies under the prefix: each segment equal (or,
// for a variable, not empty) and followed by a slash.
func (m mount) under(path string) bool {
	for _, s := range m.segs {
		if len(path) == 0 || path[0] != '/' {
			return false
		}
		path = path[1:]
		i := strings.IndexByte(path, '/')
		if i <= 0 || (s != "" && path[:i] != s) {
			return false
		}
		path = path[i:]
	}
	return len(path) > 0 && path[0] == '/'
}

// vendorMux is one vendor's router and, for each of its mux routes that is
// an operation, the operation.
type vendorMux struct {
	*mux.Router
	e      *Emulator
	routes map[*mux.Route]*route
	// byLast holds, per literal last segment of an operation's path, a
	// router of the operations that could take a path ending in it: those
	// with that last segment and those whose last segment is a variable,
	// in the full router's order. tail holds the latter alone. mux tries
	// routes one by one with a regular expression each; these keep the
	// tries to the few that can match.
	byLast map[string]*mux.Router
	tail   *mux.Router
}

// serve answers a request under the vendor's prefixes. An operation is
// served with the variables mux matched, handed over as they are rather
// than through the two request copies mux.Router.ServeHTTP makes to put
// them in the context; anything else (a method or path no operation
// takes) goes through the router's own handlers.
func (vm *vendorMux) serve(w http.ResponseWriter, r *http.Request) {
	if rt, vars := vm.operation(r); rt != nil {
		vm.e.serveRoute(w, r, rt, vars)
		return
	}
	vm.ServeHTTP(w, r)
}

// operation finds the operation a request is for among the candidates
// its last path segment leaves; nil when there is none.
func (vm *vendorMux) operation(r *http.Request) (*route, map[string]string) {
	p := r.URL.Path
	candidates := vm.tail
	if b, ok := vm.byLast[p[strings.LastIndexByte(p, '/')+1:]]; ok {
		candidates = b
	}
	var match mux.RouteMatch
	if candidates.Match(r, &match) && match.MatchErr == nil {
		if rt := vm.routes[match.Route]; rt != nil {
			return rt, match.Vars
		}
	}
	return nil, nil
}

// vendorRouter routes one vendor's operations; a known path with another
// method, and any other path under its prefixes, get the vendor's errors.
func (e *Emulator) vendorRouter(v *vendorEntry) *vendorMux {
	vr := mux.NewRouter()
	vm := &vendorMux{Router: vr, e: e, routes: map[*mux.Route]*route{}, byLast: map[string]*mux.Router{}, tail: mux.NewRouter()}
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
		mr := vr.Path(rt.template).Methods(rt.method).Name(rt.vendor.Name() + " " + rt.op).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			e.serveRoute(w, r, rt, mux.Vars(r))
		}))
		vm.routes[mr] = rt
		if last := rt.template[strings.LastIndexByte(rt.template, '/')+1:]; !strings.Contains(last, "{") {
			if vm.byLast[last] == nil {
				vm.byLast[last] = mux.NewRouter()
			}
		}
		if _, seen := allowed[rt.template]; !seen {
			templates = append(templates, rt.template)
		}
		allowed[rt.template] = append(allowed[rt.template], rt.method)
	}
	// The buckets, filled in the full router's order. Their routes match
	// the path segment by segment where the template allows it (each
	// variable a whole segment, as in every spec here), the rest with
	// mux's own template; the full router keeps mux's templates for all,
	// and TestLastSegmentBucketsAgree holds the two to the same choices.
	add := func(b *mux.Router, rt *route) {
		mr := b.NewRoute()
		if match := segmentMatcher(rt.template); match != nil {
			mr.MatcherFunc(match)
		} else {
			mr.Path(rt.template)
		}
		vm.routes[mr.Methods(rt.method)] = rt
	}
	for _, rt := range routes {
		last := rt.template[strings.LastIndexByte(rt.template, '/')+1:]
		for seg, b := range vm.byLast {
			if seg == last || strings.Contains(last, "{") {
				add(b, rt)
			}
		}
		if strings.Contains(last, "{") {
			add(vm.tail, rt)
		}
	}
	for _, t := range templates {
		methods := allowed[t]
		sort.Strings(methods)
		vr.Path(t).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", strings.Join(methods, ", "))
			e.serveError(w, r, v, &kit.Error{Kind: kit.MethodNotAllowed,
				Detail: fmt.Sprintf("%s is not allowed here; allowed: %s", r.Method, strings.Join(methods, ", "))})
		}))
	}
	vr.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.serveError(w, r, v, &kit.Error{Kind: kit.NoRoute,
			Detail: "no " + v.Name() + " operation at " + r.Method + " " + r.URL.Path + "; see " + HeaderRoutes})
	})
	return vm
}

// segmentMatcher matches a request path against a template whose
// variables each fill one whole segment ("/users/{id}"), as mux matches
// such a template (a variable is one or more characters other than '/',
// literals compare exactly, no trailing slash is added or dropped), and
// sets the variables, without a regular expression. It is nil for any
// other template.
func segmentMatcher(template string) mux.MatcherFunc {
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
	return func(r *http.Request, m *mux.RouteMatch) bool {
		p := r.URL.Path
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
			if names[i] == "" && p[:end] != seg || names[i] != "" && end == 0 {
				return false
			}
			p = p[end:]
		}
		if len(p) != 0 {
			return false
		}
		// Matched: the variables, read again now that they are wanted.
		out := make(map[string]string, vars)
		p = r.URL.Path
		for i := range segs {
			if i > 0 {
				p = p[1:]
			}
			end := strings.IndexByte(p, '/')
			if end < 0 {
				end = len(p)
			}
			if names[i] != "" {
				out[names[i]] = p[:end]
			}
			p = p[end:]
		}
		m.Vars = out
		return true
	}
}

// HeaderRoutes is where the emulator lists its routes: GET /__admin/routes.
const HeaderRoutes = "GET /__admin/routes"

// serveSessionPrefix serves /__session/{id}/<vendor path> as the vendor
// path in session id, for clients whose base URL is all that can be set.
func (e *Emulator) serveSessionPrefix(w http.ResponseWriter, r *http.Request) {
	id, rest, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/__session/"), "/")
	if !ok || id == "" {
		e.serveUnknown(w, r)
		return
	}
	rest = "/" + rest
	r2 := r.Clone(context.WithValue(r.Context(), sessionKey, id))
	r2.URL.Path = rest
	r2.URL.RawPath = ""
	if strings.HasPrefix(rest, "/__admin") || strings.HasPrefix(rest, "/__session/") {
		writeAdminError(w, http.StatusNotFound, "the session prefix is for vendor paths; use /__admin/sessions/"+id+"/... for control")
		return
	}
	e.route(w, r2)
}

// sessionOf names the session of a request: the path prefix wins over the header.
func sessionOf(r *http.Request) string {
	if id, ok := r.Context().Value(sessionKey).(string); ok {
		return id
	}
	return r.Header.Get(HeaderSession)
}

// serveUnknown answers a path that belongs to no vendor, saying what exists.
func (e *Emulator) serveUnknown(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, map[string]any{
		"error":  "no route",
		"method": r.Method,
		"path":   r.URL.Path,
		"routes": e.routeList(),
	})
}

const originalPathKey ctxKey = 2

func (e *Emulator) normalize(p string) string {
	for _, v := range e.vendors {
		if v.norm != nil {
			p = v.norm.NormalizePath(p)
		}
	}
	return p
}

// routeList is "METHOD template (vendor operationId)" for every route.
func (e *Emulator) routeList() []string {
	var out []string
	for _, v := range e.vendors {
		for _, rt := range v.routes {
			out = append(out, fmt.Sprintf("%s %s (%s %s)", rt.method, rt.template, v.Name(), rt.op))
		}
	}
	return out
}

// Credential mints a credential that works against the shared session's
// state of a vendor: the header a client sends and its value.
func (e *Emulator) Credential(vendor string) (header, value string, err error) {
	return e.CredentialIn("", vendor)
}

// CredentialIn is Credential against one session's state.
func (e *Emulator) CredentialIn(session, vendor string) (header, value string, err error) {
	v, ok := e.byName[vendor]
	if !ok {
		return "", "", fmt.Errorf("no vendor %q (known: %s)", vendor, strings.Join(e.VendorNames(), ", "))
	}
	c, ok := v.Vendor.(kit.Credentialer)
	if !ok {
		return "", "", fmt.Errorf("vendor %s cannot mint credentials", vendor)
	}
	err = e.store.Slot(session, vendor).Do(func(s kit.State) error {
		var cerr error
		header, value, cerr = c.Credential(s, e.opts.now())
		return cerr
	})
	return header, value, err
}

// AdminHandler serves the control API alone, under /__admin, for a
// separate listener (see WithSeparateAdmin).
func (e *Emulator) AdminHandler() http.Handler {
	r := mux.NewRouter()
	e.mountAdmin(r.PathPrefix("/__admin").Subrouter())
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeAdminError(w, http.StatusNotFound, "this address serves the control API only, under /__admin")
	})
	return e.guardAdmin(r)
}

// Vendors names the vendors an emulator serves by default, in order.
func Vendors() []string {
	var names []string
	for _, v := range vendors.All() {
		names = append(names, v.Name())
	}
	return names
}
