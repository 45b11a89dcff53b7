// Package control is the emulator's control API, /__admin: a thin HTTP
// layer over the engine's exported Go API. Each endpoint decodes the
// request, calls one engine method (named by the endpoint's x-go-method
// in adminapi.yaml) and encodes the answer; it reaches nothing else of
// the engine. It also serves the QA console, a page over these endpoints.
package control

import (
	_ "embed"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/rs/cors"

	"github.com/offboard/offboard/emulator/console"
	"github.com/offboard/offboard/emulator/engine"
)

// Prefix is where the control API lives.
const Prefix = "/__admin"

//go:embed adminapi.yaml
var spec []byte

// Spec is the control API's OpenAPI document.
func Spec() []byte { return spec }

// Options protect the control API.
type Options struct {
	// AdminToken, when set, is required as "Authorization: Bearer TOKEN"
	// on every endpoint but health.
	AdminToken string
	// AdminOrigins are browser origins, besides the emulator's own, that
	// may call the control API (and get CORS answers).
	AdminOrigins []string
	// HostCheck refuses a Host that is not a loopback name or one of
	// AllowedHosts (DNS rebinding against a loopback listener).
	HostCheck    bool
	AllowedHosts []string
	// StreamWriteTimeout bounds one write to a journal stream
	// (DefaultStreamWriteTimeout when 0).
	StreamWriteTimeout time.Duration
}

// API serves /__admin over an engine.
type API struct {
	eng  *engine.Engine
	opts Options
}

// New makes the control API of an engine and the handler that serves it
// behind its guard (origins, Host, CORS for allowed origins).
func New(eng *engine.Engine, opts Options) http.Handler {
	a := &API{eng: eng, opts: opts}
	// The router is built in the background: start-up answers sooner, and
	// the first control request waits for it.
	built := make(chan struct{})
	var h http.Handler
	go func() {
		defer close(built)
		root := a.router()
		h = root
		if len(opts.AdminOrigins) > 0 {
			h = cors.New(cors.Options{
				AllowedOrigins: opts.AdminOrigins,
				AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete},
				AllowedHeaders: []string{"Authorization", "Content-Type", engine.HeaderSession},
				MaxAge:         600,
			}).Handler(root)
		}
	}()
	return a.guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Answers of the control API are data, never a page (the console
		// sets its own policy): nothing in them runs.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; frame-ancestors 'none'")
		<-built
		h.ServeHTTP(w, r)
	}))
}

// router routes every endpoint.
func (a *API) router() *mux.Router {
	root := mux.NewRouter()
	root.SkipClean(true)
	// Session ids travel percent-encoded in a path segment ("TestX%2Fsub"):
	// match on the path as sent, and decode each variable.
	root.UseEncodedPath()
	a.mount(root.PathPrefix(Prefix).Subrouter())
	root.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "this address serves the control API only, under "+Prefix)
	})
	return root
}

// IsControlPath tells a path the control API serves.
func IsControlPath(p string) bool { return p == Prefix || strings.HasPrefix(p, Prefix+"/") }

// endpoint is one method of one control path.
type endpoint struct {
	method string
	fn     http.HandlerFunc
}

// mount registers every endpoint; the table is the control API.
func (a *API) mount(r *mux.Router) {
	table := []struct {
		path      string
		endpoints []endpoint
	}{
		{"/health", []endpoint{{http.MethodGet, a.health}, {http.MethodHead, a.health}}},
		{"/reset", []endpoint{{http.MethodPost, a.reset}}},
		{"/scenarios", []endpoint{{http.MethodGet, a.scenarios}}},
		{"/scenario", []endpoint{{http.MethodPut, a.loadScenario}, {http.MethodPost, a.loadScenario}}},
		{"/state", []endpoint{{http.MethodGet, a.state}}},
		{"/routes", []endpoint{{http.MethodGet, a.routes}}},
		{"/specs", []endpoint{{http.MethodGet, a.specs}}},
		{"/specs/{vendor}.yaml", []endpoint{{http.MethodGet, a.vendorSpec}}},
		{"/errors", []endpoint{{http.MethodGet, a.catalogue}}},
		{"/faults/{index}", []endpoint{{http.MethodDelete, a.removeFault}}},
		{"/faults", []endpoint{{http.MethodGet, a.faults}, {http.MethodPost, a.addFaults}, {http.MethodDelete, a.clearFaults}}},
		{"/requests", []endpoint{{http.MethodGet, a.requests}, {http.MethodDelete, a.clearRequests}}},
		{"/requests/count", []endpoint{{http.MethodPost, a.countRequests}}},
		{"/requests/stream", []endpoint{{http.MethodGet, a.streamRequests}}},
		{"/requests/{seq}/replay", []endpoint{{http.MethodPost, a.replay}}},
		{"/requests/{seq}/curl", []endpoint{{http.MethodGet, a.curl}}},
		{"/changes", []endpoint{{http.MethodGet, a.changes}}},
		{"/people", []endpoint{{http.MethodGet, a.people}}},
		{"/people/{id}", []endpoint{{http.MethodGet, a.person}}},
		{"/openapi.yaml", []endpoint{{http.MethodGet, a.controlSpec}}},
		{"/credentials/{vendor}", []endpoint{{http.MethodGet, a.credential}}},
		{"/sessions", []endpoint{{http.MethodGet, a.sessions}}},
		{"/sessions/{id}", []endpoint{{http.MethodDelete, a.dropSession}}},
		{"/sessions/{id}/reset", []endpoint{{http.MethodPost, a.resetSession}}},
		{"/sessions/{id}/scenario", []endpoint{{http.MethodPut, a.loadSessionScenario}, {http.MethodPost, a.loadSessionScenario}}},
		{"/sessions/{id}/state", []endpoint{{http.MethodGet, a.sessionState}}},
	}
	// The console's files hold no data: they load without the admin token,
	// and the page asks for it when the control API does.
	ui := http.StripPrefix(Prefix+"/ui/", console.Handler())
	r.PathPrefix("/ui/").Handler(ui).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/ui", http.RedirectHandler(Prefix+"/ui/", http.StatusMovedPermanently)).Methods(http.MethodGet, http.MethodHead)
	for _, row := range table {
		var methods []string
		for _, ep := range row.endpoints {
			fn := ep.fn
			if row.path != "/health" {
				fn = a.requireToken(fn)
			}
			r.HandleFunc(row.path, fn).Methods(ep.method)
			methods = append(methods, ep.method)
		}
		allow := strings.Join(methods, ", ")
		r.HandleFunc(row.path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"; allowed: "+allow)
		})
	}
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no control endpoint "+r.Method+" "+r.URL.Path+"; see GET /__admin/routes")
	})
}
