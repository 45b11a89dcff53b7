// Package emulator is offboard: five vendors' user-offboarding APIs
// served from their OpenAPI specs, with per-session state, faults, a
// request journal and the control API (/__admin), as one http.Handler to
// run in-process (httptest) or on a port.
//
// An Emulator is the engine (package engine, whose exported methods it
// carries: scenarios, sessions, faults, journal, state, credentials and
// the error catalogue) with the control API (package control, an HTTP
// layer over exactly those methods) in front. What a test can do over
// /__admin it can do from Go under the same names; each endpoint of
// control.Spec names its Go method in x-go-method.
//
// A test usually gives each test its own session, named after it:
//
//	em, _ := emulator.New()
//	srv := httptest.NewServer(em)
//	req.Header.Set(emulator.HeaderSession, emulator.SessionWire(t.Name()))
//
// and asserts with em.CountRequests, em.State or em.Inspect. Package
// emulatortest wraps that for *testing.T.
package emulator

import (
	"net/http"

	"github.com/rs/cors"

	"github.com/offboard/offboard/emulator/control"
	"github.com/offboard/offboard/emulator/engine"
	"github.com/offboard/offboard/emulator/faults"
	"github.com/offboard/offboard/emulator/journal"
)

// Headers of our own, never sent by a real vendor.
const (
	// HeaderDetail carries why the emulator answered an error; the body
	// stays what the vendor would send.
	HeaderDetail = engine.HeaderDetail
	// HeaderSession names the session of a request, in its wire form
	// (SessionWire).
	HeaderSession = engine.HeaderSession
)

// The kinds of the Go API's errors (errors.Is): the control API answers
// them 400, 404 and 409.
var (
	ErrInvalid  = engine.ErrInvalid
	ErrNotFound = engine.ErrNotFound
	ErrConflict = engine.ErrConflict
)

// The Go API's types, shared with the control API's JSON.
type (
	// Entry is one answered request in the journal.
	Entry = journal.Entry
	// Filter selects journal entries; zero fields match everything.
	Filter = journal.Filter
	// Fault is one injected failure, as a scenario writes it.
	Fault = faults.Fault
	// Rule is a fault with its counters.
	Rule = faults.Rule
	// CatalogueEntry is one documented error of a vendor.
	CatalogueEntry = engine.CatalogueEntry
	// SessionInfo describes a live session.
	SessionInfo = engine.SessionInfo
	// Person is how one person of the scenario's people section stands in
	// each vendor (People, Person).
	Person = engine.Person
	// PersonAccount is a person's account in one vendor and how it stands.
	PersonAccount = engine.PersonAccount
)

// Emulator serves the vendors' APIs and the control API. It is safe for
// concurrent use. Its Go API is engine.API's methods: scenarios, sessions,
// state, faults, the journal, specs and credentials.
type Emulator struct {
	engine.API
	vendorRoutes http.Handler // the engine, behind CORS
	control      http.Handler
	separate     bool // the control API is served by AdminHandler only
}

// New builds an emulator: it loads and validates every spec, binds every
// operation, loads the scenario (the built-in "default" without one) and
// compiles the routes.
func New(opts ...Option) (*Emulator, error) {
	c := config{engine: engine.DefaultConfig(), corsOrigins: []string{"*"}}
	for _, opt := range opts {
		opt(&c)
	}
	eng, err := engine.New(c.engine)
	if err != nil {
		return nil, err
	}
	em := &Emulator{API: eng, vendorRoutes: eng, separate: c.separate}
	em.control = control.New(eng, c.control)
	if report := c.engine.ValidateOutput; report != nil {
		if em.control, err = control.Validating(em.control, report); err != nil {
			return nil, err
		}
	}
	if len(c.corsOrigins) > 0 {
		em.vendorRoutes = cors.New(cors.Options{
			AllowedOrigins: c.corsOrigins,
			AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
				http.MethodPatch, http.MethodDelete},
			// Vendors' own headers (Authtoken, X-Auth-Token, X-Sdk-Date,
			// X-Esri-Authorization, ...) and ours: allow what is asked.
			AllowedHeaders: []string{"*"},
			// What the specs declare a client reads (Location after a
			// create, Retry-After, request ids) and ours.
			ExposedHeaders: eng.ResponseHeaders(),
			MaxAge:         600,
		}).Handler(eng)
	}
	return em, nil
}

// ServeHTTP implements http.Handler: /__admin goes to the control API
// (unless it has an address of its own), everything else to the vendors.
func (em *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !em.separate && control.IsControlPath(r.URL.Path) {
		em.control.ServeHTTP(w, r)
		return
	}
	em.vendorRoutes.ServeHTTP(w, r)
}

// AdminHandler serves the control API alone, under /__admin, for a
// separate listener (see WithSeparateAdmin); other paths answer 404.
func (em *Emulator) AdminHandler() http.Handler { return em.control }

// ControlSpec is the control API's OpenAPI document (GET /__admin/openapi.yaml).
func (em *Emulator) ControlSpec() []byte { return control.Spec() }

// AdminSpec is the control API's OpenAPI document.
//
// Deprecated: use (*Emulator).ControlSpec, the name GET
// /__admin/openapi.yaml gives; AdminSpec goes in the next release.
func AdminSpec() []byte { return control.Spec() }

// SessionWire is a session id as it travels in the X-Offboard-Session
// header and in a /__session/{id}/ path prefix: percent-encoded, so any
// t.Name() ("TestX/sub#01") can name a session.
func SessionWire(id string) string { return engine.SessionWire(id) }

// InSession is a Filter's Session for one session ("" the shared one).
func InSession(id string) *string { return journal.InSession(id) }

// Vendors names the vendors an emulator serves by default, in order.
func Vendors() []string { return engine.Vendors() }

// Check loads scenario references (built-in names or paths) the way the
// emulator would and reports every mistake with file:line:col.
//
// Deprecated: it builds an emulator for every call; use (*Emulator).Check
// on one you have. Check goes in the next release.
func Check(refs ...string) error {
	_, err := New(WithScenario(refs...))
	return err
}
