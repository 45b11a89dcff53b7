package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/offboard/offboard/emulator"
)

// serveFlags are serve's options, each with its environment variable.
type serveFlags struct {
	addr, level, adminToken, adminAddr string
	scenarios, origins, adminOrigins   []string
	allowedHosts                       []string
	maxBody                            int64
	journalSize, maxSessions           int
	sessionTTL, shutdownTimeout        time.Duration
	watch                              bool
}

func (c CLI) serveCmd() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the emulator: all five vendors' APIs and the control API",
		Long: `Run the emulator on --addr with a built-in scenario or your scenario files.
Later --scenario values are laid over earlier ones as "extends" does: a
vendor's section adds key by key (!replace takes a section's place whole),
faults replace the list. The control API is under /__admin.`,
		Example: `  offboard serve
  offboard serve --scenario arcgis-running-containers
  offboard serve --scenario default --scenario ./my.yaml --watch`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return c.serve(cmd, f) },
	}
	fs := cmd.Flags()
	fs.StringVar(&f.addr, "addr", c.env("OFFBOARD_ADDR", "127.0.0.1:8080"), "listen address (env OFFBOARD_ADDR)")
	c.stringsFlag(fs, &f.scenarios, "scenario", "OFFBOARD_SCENARIO", `built-in scenario name or scenario file; default "default"`)
	fs.StringVar(&f.level, "log-level", c.env("OFFBOARD_LOG_LEVEL", "info"), "debug, info, warn or error (env OFFBOARD_LOG_LEVEL)")
	fs.Int64Var(&f.maxBody, "max-body", 1<<20, "largest request body in bytes; larger ones get the vendor's too-large answer")
	fs.BoolVar(&f.watch, "watch", false, "reload scenario files when they change (a bad edit keeps the old state)")
	c.stringsFlag(fs, &f.origins, "cors-origin", "OFFBOARD_CORS_ORIGINS", `browser origin allowed on the vendor routes; "none" turns CORS off; default "*"`)
	fs.IntVar(&f.journalSize, "journal-size", emulator.DefaultJournalSize, "requests kept by GET /__admin/requests; 0 turns the journal off")
	fs.StringVar(&f.adminToken, "admin-token", c.env("OFFBOARD_ADMIN_TOKEN", ""), "require Authorization: Bearer TOKEN on the control API, health excepted (env OFFBOARD_ADMIN_TOKEN)")
	fs.StringVar(&f.adminAddr, "admin-addr", c.env("OFFBOARD_ADMIN_ADDR", ""), "serve the control API on this address instead of --addr (env OFFBOARD_ADMIN_ADDR)")
	c.stringsFlag(fs, &f.adminOrigins, "admin-origin", "OFFBOARD_ADMIN_ORIGINS", "browser origin allowed to call the control API; default: the emulator's own only")
	c.stringsFlag(fs, &f.allowedHosts, "allowed-host", "OFFBOARD_ALLOWED_HOSTS", "Host name the control API answers besides loopback names, when it listens on loopback")
	fs.IntVar(&f.maxSessions, "max-sessions", emulator.DefaultMaxSessions, "named sessions kept at once; past it the least recently used is dropped (0: no cap)")
	fs.DurationVar(&f.sessionTTL, "session-ttl", 30*time.Minute, "drop a named session unused for this long (0: never)")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 10*time.Second, "on SIGINT/SIGTERM, how long in-flight requests may take to finish")
	_ = cmd.RegisterFlagCompletionFunc("scenario", scenarioCompletion)
	_ = cmd.RegisterFlagCompletionFunc("log-level", fixedCompletion(logLevels()...))
	return cmd
}

func (c CLI) serve(cmd *cobra.Command, f serveFlags) error {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(f.level)); err != nil {
		return usageError{cmd, errors.New("--log-level: " + err.Error())}
	}
	log := slog.New(slog.NewTextHandler(c.Stderr, &slog.HandlerOptions{Level: lvl}))
	em, err := c.newEmulator(log, f)
	if err != nil {
		return c.fail(cmd, "%v", err)
	}
	go func() {
		// The specs parse while the server starts; say so if one cannot.
		if err := em.Ready(); err != nil {
			log.Error("a vendor spec did not load; its requests answer 500", "err", err)
		}
	}()
	l, err := listen(f)
	if err != nil {
		return c.fail(cmd, "%v", err)
	}
	if f.watch {
		stop, err := watchScenarios(log, em, f.scenarios)
		if err != nil {
			l.close()
			return c.fail(cmd, "--watch: %v", err)
		}
		defer stop()
	}
	servers, served := startServers(log, em, l)
	c.announce(log, em, l)
	select {
	case err := <-served:
		log.Error("server stopped", "err", err)
		return exitError{1}
	case <-cmd.Context().Done():
	}
	if !shutdown(log, em, servers, served, f.shutdownTimeout) {
		return exitError{1}
	}
	log.Info("stopped")
	return nil
}

// serveOptions turns serve's flags into the emulator's options.
func serveOptions(log *slog.Logger, f serveFlags) []emulator.Option {
	opts := []emulator.Option{emulator.WithLogger(log), emulator.WithMaxBodyBytes(f.maxBody),
		emulator.WithJournalSize(f.journalSize), emulator.WithAdminToken(f.adminToken),
		emulator.WithMaxSessions(f.maxSessions), emulator.WithSessionIdle(f.sessionTTL)}
	switch {
	case len(f.origins) == 1 && f.origins[0] == "none":
		opts = append(opts, emulator.WithCORSOrigins())
	case len(f.origins) > 0:
		opts = append(opts, emulator.WithCORSOrigins(f.origins...))
	}
	if len(f.adminOrigins) > 0 {
		opts = append(opts, emulator.WithAdminOrigins(f.adminOrigins...))
	}
	controlAddr := f.addr
	if f.adminAddr != "" {
		opts = append(opts, emulator.WithSeparateAdmin())
		controlAddr = f.adminAddr
	}
	if isLoopback(controlAddr) {
		// Only loopback names reach a loopback listener honestly; any
		// other Host is a rebinding attempt (or needs --allowed-host).
		opts = append(opts, emulator.WithAllowedHosts(f.allowedHosts...))
	}
	if len(f.scenarios) > 0 {
		opts = append(opts, emulator.WithScenario(f.scenarios...))
	}
	return opts
}

// newEmulator builds the emulator, with the collector tuned for start-up
// and then for serving, unless the environment tunes it.
func (c CLI) newEmulator(log *slog.Logger, f serveFlags) (*emulator.Emulator, error) {
	tuneGC := c.Getenv("GOGC") == "" && c.Getenv("GOMEMLIMIT") == ""
	if tuneGC {
		// Collect only at a small limit while the specs load (start-up's
		// largest cost after parsing).
		debug.SetMemoryLimit(startupMemoryLimit)
		debug.SetGCPercent(-1)
	}
	em, err := emulator.New(serveOptions(log, f)...)
	if tuneGC && err == nil {
		go func() {
			// Measuring the loaded heap takes a full collection: once the
			// specs are parsed (the heap serving keeps), after the first
			// requests rather than in their way; at once for a world that
			// nears the start-up limit, where the collector would run
			// non-stop until then.
			if heapObjectBytes() < startupMemoryLimit/2 {
				_ = em.Ready() // serve logs a spec that did not load
			}
			tuneServingGC()
		}()
	}
	return em, err
}

// startupMemoryLimit is the collector's soft limit while the emulator
// loads, with collection otherwise off.
const startupMemoryLimit = 24 << 20

// heapObjectBytes is the heap's objects now, live or not yet collected,
// read without stopping the world.
func heapObjectBytes() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindUint64 {
		return 0 // unknown to this runtime: wait for the specs as usual
	}
	return sample[0].Value.Uint64()
}

// tuneServingGC sets the collector for serving: less often than Go's
// default (the GC was the largest cost under load), and a soft limit well
// above the live heap the loaded world holds. A limit under the live heap
// (24 MiB kept after start-up, on a world of 100,000 users) made the
// collector run nearly non-stop, at half the requests a second
// (scripts/bench --world 100000; docs/performance.md, "The collector on a
// big world").
func tuneServingGC() {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(max(256<<20, 4*int64(m.HeapAlloc)))
}

// listeners are serve's sockets: the vendors' (and the control API's,
// unless it has an address of its own) and the control API's own.
type listeners struct{ main, admin net.Listener }

// listen opens --addr and --admin-addr; on a failure none stays open.
func listen(f serveFlags) (listeners, error) {
	var l listeners
	var err error
	if l.main, err = net.Listen("tcp", f.addr); err != nil {
		return l, err
	}
	if f.adminAddr != "" {
		if l.admin, err = net.Listen("tcp", f.adminAddr); err != nil {
			l.close()
			return l, fmt.Errorf("--admin-addr: %w", err)
		}
	}
	return l, nil
}

func (l listeners) close() {
	for _, ln := range []net.Listener{l.main, l.admin} {
		if ln != nil {
			_ = ln.Close() // nothing was served on it: nothing to report
		}
	}
}

// startServers serves the listeners; each server's end is sent on served.
func startServers(log *slog.Logger, em *emulator.Emulator, l listeners) ([]*http.Server, chan error) {
	newServer := func(h http.Handler) *http.Server {
		return &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      30 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		}
	}
	served := make(chan error, 2)
	main := newServer(em)
	servers := []*http.Server{main}
	go func() { served <- main.Serve(l.main) }()
	if l.admin != nil {
		admin := newServer(em.AdminHandler())
		servers = append(servers, admin)
		go func() { served <- admin.Serve(l.admin) }()
	}
	return servers, served
}

// announce logs where everything is, and tells a test (CLI.Ready).
func (c CLI) announce(log *slog.Logger, em *emulator.Emulator, l listeners) {
	if l.admin != nil {
		log.Info("control API listening", "addr", "http://"+l.admin.Addr().String()+"/__admin/health",
			"console", "http://"+browsable(l.admin.Addr())+"/__admin/ui/")
	}
	attrs := []any{"addr", "http://" + l.main.Addr().String(), "scenario", em.ScenarioName(),
		"vendors", strings.Join(em.VendorNames(), ",")}
	if l.admin == nil {
		attrs = append(attrs, "admin", "http://"+l.main.Addr().String()+"/__admin/health",
			"console", "http://"+browsable(l.main.Addr())+"/__admin/ui/")
	}
	log.Info("offboard listening", attrs...)
	for _, v := range em.VendorNames() {
		log.Info("vendor", "name", v, "base", strings.Join(baseURLs(em, v, "http://"+browsable(l.main.Addr())), " "))
	}
	if c.Ready != nil {
		c.Ready(l.main.Addr().String())
	}
}

// shutdown finishes in-flight requests within timeout; false when a
// server could not stop cleanly (each failure is logged).
func shutdown(log *slog.Logger, em *emulator.Emulator, servers []*http.Server, served chan error, timeout time.Duration) bool {
	log.Info("shutting down: finishing in-flight requests", "timeout", timeout.String())
	em.Close() // requests held by latency faults are answered now
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	clean := true
	for _, srv := range servers {
		if err := srv.Shutdown(ctx); err != nil {
			log.Error("shutdown", "err", err)
			clean = false
		}
	}
	for range servers {
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("server", "err", err)
			clean = false
		}
	}
	return clean
}

// isLoopback tells a listen address on the loopback interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// browsable is an address a browser on this machine opens: a wildcard
// host (0.0.0.0, [::]) becomes localhost.
func browsable(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
