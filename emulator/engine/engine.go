// Package engine serves the vendors' APIs from their OpenAPI specs: it
// routes and validates each request, keeps every session's state, applies
// faults and journals the answers. Its exported methods are the one way
// in, for Go tests and for the control API alike (package control turns
// them into /__admin); package emulator puts the two together.
//
// A request runs top-down through the pipeline (pipeline.go): session ->
// fault decision -> authenticate -> validate -> the vendor's handler under
// the session's slot lock -> render -> journal. The journal, the faults
// and the store are packages of their own that know nothing of HTTP.
package engine

import (
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/offboard/offboard/emulator/faults"
	"github.com/offboard/offboard/emulator/journal"
	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/store"
	"github.com/offboard/offboard/emulator/vendors"
	"github.com/offboard/offboard/scenarios"
	"github.com/offboard/offboard/specs"
)

// Headers of our own, never sent by a real vendor.
const (
	// HeaderDetail carries why the emulator answered an error, for people
	// and tests; the body stays what the vendor would send.
	HeaderDetail = "X-Offboard-Detail"
	// HeaderSession names the session a request belongs to, in its wire
	// form (see SessionWire).
	HeaderSession = "X-Offboard-Session"
)

// Config is what an engine is built from. Start from DefaultConfig.
type Config struct {
	// Scenarios are built-in scenario names or file paths, laid over each
	// other in order; ScenarioYAML are scenarios given as text. With
	// neither, the built-in "default" is loaded.
	Scenarios    []string
	ScenarioYAML []NamedYAML
	Logger       *slog.Logger
	Now          func() time.Time // the clock for tokens, faults and the journal
	MaxBody      int64            // the largest request body; larger ones get the vendor's too-large answer
	JournalSize  int              // requests the journal keeps; 0 turns it off
	SessionIdle  time.Duration    // drop a named session unused this long (0: never)
	MaxSessions  int              // named sessions at once; past it the least recently used goes (0: no cap)
	// ValidateOutput, when set, is told of every answer that breaks the
	// emulator's own spec (tests set it).
	ValidateOutput func(req *http.Request, status int, err error)
	Vendors        []kit.Vendor // nil: every built-in vendor
}

// NamedYAML is a scenario given as text; Name appears in its errors.
type NamedYAML struct {
	Name string
	Data []byte
}

// Defaults of Config.
const (
	DefaultMaxBody     = 1 << 20
	DefaultMaxSessions = 1000
	DefaultSessionIdle = 30 * time.Minute
)

// DefaultConfig is the configuration serve starts from.
func DefaultConfig() Config {
	return Config{
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:         time.Now,
		MaxBody:     DefaultMaxBody,
		JournalSize: journal.DefaultSize,
		SessionIdle: DefaultSessionIdle,
		MaxSessions: DefaultMaxSessions,
	}
}

// Engine serves the vendors' APIs. It is safe for concurrent use.
type Engine struct {
	cfg     Config
	vendors []*vendorEntry
	byName  map[string]*vendorEntry
	known   faults.Known // what a fault may name
	mounts  []mount      // vendor prefixes, most specific first
	store   *store.Store
	journal *journal.Journal
	log     *slog.Logger

	mu       sync.RWMutex
	scenario *scenarios.File // as loaded, for listings and reset

	closing chan struct{} // closed by Close: latency faults stop waiting
	scans   chan struct{} // a turn each for the journal-wide walks running now
	// exchanges keeps answered requests' exchanges for the next ones.
	exchanges sync.Pool
	// faultsSeen is set once any fault rule is made (a scenario's or
	// AddFaults'): until then a request decides no faults at all.
	faultsSeen atomic.Bool
	closeOnce  sync.Once

	// Header values every vendor answer carries, shared: net/http only
	// reads them.
	sandboxCSP, nosniff []string
}

// New builds an engine: it loads and validates every spec, binds every
// operation, loads the scenario and compiles the routes.
func New(cfg Config) (*Engine, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Vendors == nil {
		cfg.Vendors = vendors.All()
	}
	e := &Engine{cfg: cfg, log: cfg.Logger, byName: map[string]*vendorEntry{}, known: faults.Known{},
		closing: make(chan struct{}), scans: make(chan struct{}, maxScans), sandboxCSP: []string{"sandbox"}, nosniff: []string{"nosniff"}}
	// Routes come from the specs' generated table; the specs themselves
	// parse in the background while the scenario loads and the server
	// starts: a request that needs its vendor's spec (to validate) waits
	// for it. Start-up is most of what a test run waits for.
	for _, v := range cfg.Vendors {
		ve, err := newVendorEntry(v)
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
		for _, rt := range ve.routes {
			e.known[ve.Name()] = append(e.known[ve.Name()], rt.op)
		}
	}
	// One goroutine builds the routers, then parses the specs, one after
	// another, so that a core stays free for the requests that come
	// meanwhile; a request whose vendor's spec is not parsed yet parses it
	// itself rather than wait for the vendors before it (vendorEntry.wait).
	go func() {
		for _, ve := range e.vendors {
			ve.mux = e.vendorRouter(ve, false)
			close(ve.routed)
		}
		for _, ve := range e.vendors {
			ve.loadOnce.Do(ve.load)
		}
	}()
	file, fileErr := e.openScenario(cfg.Scenarios, cfg.ScenarioYAML)
	if fileErr != nil {
		return nil, fileErr
	}
	snap, err := e.snapshot(file)
	if err != nil {
		return nil, err
	}
	e.scenario = file
	e.store = store.New(snap, store.Options{Idle: cfg.SessionIdle, Max: cfg.MaxSessions, Now: cfg.Now,
		OnDrop: func(id, reason string) { e.log.Info("session dropped", "session", id, "reason", reason) }})
	e.journal = journal.New(cfg.JournalSize)
	e.buildMounts()
	return e, nil
}

// Close tells the engine the server is shutting down: requests held by a
// latency fault are answered at once instead of after their delay, so
// that a graceful shutdown loses no answer, and journal subscribers are
// told to stop. It does not stop serving.
func (e *Engine) Close() {
	e.closeOnce.Do(func() { close(e.closing) })
}

// Ready waits until every vendor's spec is parsed (New returns before
// that; requests that need a spec wait for it on their own) and reports a
// spec that did not load. It only waits for the background's parsing: a
// caller parsing specs too would take a core from the first requests.
func (e *Engine) Ready() error {
	for _, v := range e.vendors {
		<-v.ready
		if v.loadErr != nil {
			return v.loadErr
		}
	}
	return nil
}

// Closing is closed once Close is called; long-lived answers (journal
// streams) end when it is.
func (e *Engine) Closing() <-chan struct{} { return e.closing }

// VendorNames lists the served vendors in order.
func (e *Engine) VendorNames() []string {
	names := make([]string, len(e.vendors))
	for i, v := range e.vendors {
		names[i] = v.Name()
	}
	return names
}

// ResponseHeaders lists, sorted, the response headers the served vendors'
// specs declare (Location, Retry-After, X-Request-Id) and the emulator's
// own (X-Offboard-Detail, Allow): what CORS lets a browser client read.
func (e *Engine) ResponseHeaders() []string {
	set := map[string]bool{HeaderDetail: true, "Allow": true}
	for _, v := range e.vendors {
		for _, h := range specs.ResponseHeaders(v.Name()) {
			set[h] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// Spec is a served vendor's OpenAPI document as embedded.
func (e *Engine) Spec(vendor string) ([]byte, error) {
	v, err := e.vendor(vendor)
	if err != nil {
		return nil, err
	}
	return v.spec, nil
}

// vendor finds a served vendor, or says which exist.
func (e *Engine) vendor(name string) (*vendorEntry, error) {
	v, ok := e.byName[name]
	if !ok {
		return nil, errorf(ErrNotFound, "no vendor %q (known: %s)", name, strings.Join(e.VendorNames(), ", "))
	}
	return v, nil
}

// Routes is "METHOD template (vendor operationId)" for every route.
func (e *Engine) Routes() []string {
	var out []string
	for _, v := range e.vendors {
		for _, rt := range v.routes {
			out = append(out, fmt.Sprintf("%s %s (%s %s)", rt.method, rt.template, v.Name(), rt.op))
		}
	}
	return out
}

// Vendors names the vendors an engine serves by default, in order.
func Vendors() []string {
	var names []string
	for _, v := range vendors.All() {
		names = append(names, v.Name())
	}
	return names
}

// Health is what GET /__admin/health answers once the engine is ready.
type Health struct {
	Status   string   `json:"status"` // "ok"
	Scenario string   `json:"scenario"`
	Vendors  []string `json:"vendors"`
}

// Health says the engine is ready, with its scenario and vendors.
func (e *Engine) Health() Health {
	return Health{Status: "ok", Scenario: e.ScenarioName(), Vendors: e.VendorNames()}
}
