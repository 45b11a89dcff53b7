package emulator

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/offboard/offboard/emulator/control"
	"github.com/offboard/offboard/emulator/engine"
	"github.com/offboard/offboard/emulator/journal"
	"github.com/offboard/offboard/emulator/kit"
)

// config is what the options set: the engine's, the control API's and
// the vendor routes' CORS.
type config struct {
	engine      engine.Config
	control     control.Options
	corsOrigins []string
	separate    bool
}

// Option configures an Emulator.
type Option func(*config)

// Defaults.
const (
	// DefaultJournalSize is how many requests the journal keeps by default.
	DefaultJournalSize = journal.DefaultSize
	// DefaultMaxSessions is how many named sessions live at once by default.
	DefaultMaxSessions = engine.DefaultMaxSessions
)

// WithScenario loads built-in scenarios by name or scenario files by path
// (several are laid over each other: a later one's section replaces an
// earlier one's of the same key).
// Without any, the built-in "default" scenario is loaded.
func WithScenario(refs ...string) Option {
	return func(c *config) { c.engine.Scenarios = append(c.engine.Scenarios, refs...) }
}

// WithScenarioFile is WithScenario for a path.
//
// Deprecated: WithScenario takes paths and names alike; WithScenarioFile
// goes in the next release.
func WithScenarioFile(path string) Option { return WithScenario(path) }

// WithScenarioYAML loads a scenario given as YAML text; name is used in
// error messages.
func WithScenarioYAML(name string, data []byte) Option {
	return func(c *config) {
		c.engine.ScenarioYAML = append(c.engine.ScenarioYAML, engine.NamedYAML{Name: name, Data: data})
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.engine.Logger = l } }

// WithClock sets the clock used for token expiry and timestamps.
func WithClock(now func() time.Time) Option { return func(c *config) { c.engine.Now = now } }

// WithMaxBodyBytes sets the largest request body accepted (default 1 MiB);
// a larger one gets the vendor's too-large answer.
func WithMaxBodyBytes(n int64) Option { return func(c *config) { c.engine.MaxBody = n } }

// WithSessionIdle sets after how long an unused named session is dropped
// (default 30 minutes; 0 keeps sessions forever).
func WithSessionIdle(d time.Duration) Option { return func(c *config) { c.engine.SessionIdle = d } }

// WithMaxSessions caps the named sessions (default DefaultMaxSessions); a
// new session past the cap evicts the least recently used one, which is
// logged. 0 removes the cap.
func WithMaxSessions(n int) Option { return func(c *config) { c.engine.MaxSessions = max(n, 0) } }

// WithJournalSize sets how many requests the journal keeps (default
// DefaultJournalSize); 0 turns the journal off.
func WithJournalSize(n int) Option { return func(c *config) { c.engine.JournalSize = max(n, 0) } }

// WithResponseValidation validates every response the emulator sends
// against its own spec (a vendor's, or the control API's) and reports
// each mismatch to fn. Tests use it so that spec and behaviour cannot
// drift apart.
func WithResponseValidation(fn func(req *http.Request, status int, err error)) Option {
	return func(c *config) { c.engine.ValidateOutput = fn }
}

// WithVendors replaces the built-in vendor list (for tests of the engine).
func WithVendors(v ...kit.Vendor) Option { return func(c *config) { c.engine.Vendors = v } }

// WithAdminToken protects the control API: every control request but
// GET /__admin/health must carry "Authorization: Bearer TOKEN".
func WithAdminToken(token string) Option { return func(c *config) { c.control.AdminToken = token } }

// WithSeparateAdmin takes the control API off the vendor handler; serve
// AdminHandler on another address instead.
func WithSeparateAdmin() Option { return func(c *config) { c.separate = true } }

// WithCORSOrigins sets the browser origins allowed to call the vendor
// routes ("*" by default: any); none turns CORS off.
func WithCORSOrigins(origins ...string) Option { return func(c *config) { c.corsOrigins = origins } }

// WithAdminOrigins lets browser pages of these origins call the control
// API (CORS included). By default only the emulator's own origin may: a
// control request with any other Origin header is refused, so that no web
// page a developer visits can reset, load or read the emulator.
func WithAdminOrigins(origins ...string) Option {
	return func(c *config) { c.control.AdminOrigins = append(c.control.AdminOrigins, origins...) }
}

// WithAllowedHosts turns on the Host check of the control API: a request
// whose Host header is not a loopback name or address, nor one of hosts,
// is refused. It defeats DNS rebinding against an emulator listening on
// loopback; the CLI turns it on whenever it listens there.
func WithAllowedHosts(hosts ...string) Option {
	return func(c *config) {
		c.control.HostCheck = true
		c.control.AllowedHosts = append(c.control.AllowedHosts, hosts...)
	}
}
