// Command offboard runs the emulator and its tools.
//
//	offboard serve [--addr 127.0.0.1:8080] [--scenario NAME|PATH]...
//	offboard scenarios
//	offboard validate FILE...
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/scenarios"
	"github.com/offboard/offboard/testsuite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cli := CLI{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	os.Exit(cli.Run(ctx, os.Args[1:]))
}

// CLI is the command line with its outside world made explicit, so tests
// run it in-process.
type CLI struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, is told the address serve listens on.
	Ready func(addr string)
}

const usage = `offboard: an emulator of five vendors' user-offboarding APIs.

Usage:
  offboard serve [--addr ADDR] [--scenario NAME|PATH]... [--log-level LEVEL]
  offboard scenarios            list the built-in scenarios
  offboard validate FILE...     check scenario files; errors name file:line:col
  offboard health [--url URL]   exit 0 when a running emulator answers its health check
  offboard token VENDOR [--scenario NAME|PATH]...
                                print a working credential header for a vendor
  offboard verify --target URL [--vendor V] [--case GLOB] [--var NAME=VALUE]... [--junit FILE]
                                run the contract suite against an emulator or a vendor sandbox
  offboard help

Run "offboard serve -h" for the flags and their environment variables.
`

// Run executes one command and returns the process exit code.
func (c CLI) Run(ctx context.Context, args []string) int {
	if c.Getenv == nil {
		c.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 {
		fmt.Fprint(c.Stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return c.serve(ctx, args[1:])
	case "scenarios":
		return c.scenarios()
	case "validate":
		return c.validate(args[1:])
	case "health":
		return c.health(ctx, args[1:])
	case "token":
		return c.token(args[1:])
	case "verify":
		return c.verify(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(c.Stdout, usage)
		return 0
	}
	fmt.Fprintf(c.Stderr, "offboard: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// listFlag is a repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

func (c CLI) env(name, fallback string) string {
	if v := c.Getenv(name); v != "" {
		return v
	}
	return fallback
}

func (c CLI) serve(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	addr := fs.String("addr", c.env("OFFBOARD_ADDR", "127.0.0.1:8080"), "listen address (env OFFBOARD_ADDR)")
	var scen listFlag
	fs.Var(&scen, "scenario", "built-in scenario name or scenario file; repeat to combine (env OFFBOARD_SCENARIO, comma-separated; default \"default\")")
	level := fs.String("log-level", c.env("OFFBOARD_LOG_LEVEL", "info"), "debug, info, warn or error (env OFFBOARD_LOG_LEVEL)")
	maxBody := fs.Int64("max-body", 1<<20, "largest request body in bytes; larger ones get the vendor's too-large answer")
	watch := fs.Bool("watch", false, "reload scenario files when they change (a bad edit keeps the old state)")
	var origins listFlag
	fs.Var(&origins, "cors-origin", `browser origin allowed to call the emulator; repeatable; "none" turns CORS off (env OFFBOARD_CORS_ORIGINS, comma-separated; default "*")`)
	journalSize := fs.Int("journal-size", emulator.DefaultJournalSize, "requests kept by GET /__admin/requests; 0 turns the journal off")
	adminToken := fs.String("admin-token", c.env("OFFBOARD_ADMIN_TOKEN", ""), "require Authorization: Bearer TOKEN on the control API, health excepted (env OFFBOARD_ADMIN_TOKEN)")
	adminAddr := fs.String("admin-addr", c.env("OFFBOARD_ADMIN_ADDR", ""), "serve the control API on this address instead of --addr (env OFFBOARD_ADMIN_ADDR)")
	var adminOrigins, allowedHosts listFlag
	fs.Var(&adminOrigins, "admin-origin", "browser origin allowed to call the control API; repeatable (env OFFBOARD_ADMIN_ORIGINS, comma-separated; default: the emulator's own only)")
	fs.Var(&allowedHosts, "allowed-host", "Host name the control API answers besides loopback names when listening on loopback; repeatable (env OFFBOARD_ALLOWED_HOSTS)")
	maxSessions := fs.Int("max-sessions", emulator.DefaultMaxSessions, "named sessions kept at once; past it the least recently used is dropped (0: no cap)")
	sessionTTL := fs.Duration("session-ttl", 30*time.Minute, "drop a named session unused for this long (0: never)")
	shutdownTimeout := fs.Duration("shutdown-timeout", 10*time.Second, "on SIGINT/SIGTERM, how long in-flight requests may take to finish")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if len(adminOrigins) == 0 {
		if v := c.Getenv("OFFBOARD_ADMIN_ORIGINS"); v != "" {
			adminOrigins = strings.Split(v, ",")
		}
	}
	if len(allowedHosts) == 0 {
		if v := c.Getenv("OFFBOARD_ALLOWED_HOSTS"); v != "" {
			allowedHosts = strings.Split(v, ",")
		}
	}
	if len(origins) == 0 {
		if v := c.Getenv("OFFBOARD_CORS_ORIGINS"); v != "" {
			origins = strings.Split(v, ",")
		}
	}
	if len(scen) == 0 {
		if v := c.Getenv("OFFBOARD_SCENARIO"); v != "" {
			scen = strings.Split(v, ",")
		}
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(c.Stderr, "offboard: --log-level: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(c.Stderr, &slog.HandlerOptions{Level: lvl}))
	opts := []emulator.Option{emulator.WithLogger(log), emulator.WithMaxBodyBytes(*maxBody),
		emulator.WithJournalSize(*journalSize), emulator.WithAdminToken(*adminToken),
		emulator.WithMaxSessions(*maxSessions), emulator.WithSessionIdle(*sessionTTL)}
	if len(adminOrigins) > 0 {
		opts = append(opts, emulator.WithAdminOrigins(adminOrigins...))
	}
	controlAddr := *addr
	if *adminAddr != "" {
		controlAddr = *adminAddr
	}
	if isLoopback(controlAddr) {
		// Only loopback names reach a loopback listener honestly; any
		// other Host is a rebinding attempt (or needs --allowed-host).
		opts = append(opts, emulator.WithAllowedHosts(allowedHosts...))
	}
	switch {
	case len(origins) == 1 && origins[0] == "none":
		opts = append(opts, emulator.WithCORSOrigins())
	case len(origins) > 0:
		opts = append(opts, emulator.WithCORSOrigins(origins...))
	}
	if *adminAddr != "" {
		opts = append(opts, emulator.WithSeparateAdmin())
	}
	if len(scen) > 0 {
		opts = append(opts, emulator.WithScenario(scen...))
	}
	em, err := emulator.New(opts...)
	if err != nil {
		fmt.Fprintf(c.Stderr, "offboard: %v\n", err)
		return 1
	}
	if c.Getenv("GOGC") == "" && c.Getenv("GOMEMLIMIT") == "" {
		// The live heap is a few MB: collect less often (the GC was the
		// largest cost under load), but never let the heap pass the limit.
		debug.SetGCPercent(400)
		debug.SetMemoryLimit(24 << 20)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(c.Stderr, "offboard: %v\n", err)
		return 1
	}
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
	srv := newServer(em)
	served := make(chan error, 2)
	var adminSrv *http.Server
	if *adminAddr != "" {
		aln, err := net.Listen("tcp", *adminAddr)
		if err != nil {
			fmt.Fprintf(c.Stderr, "offboard: --admin-addr: %v\n", err)
			return 1
		}
		adminSrv = newServer(em.AdminHandler())
		go func() { served <- adminSrv.Serve(aln) }()
		log.Info("control API listening", "addr", "http://"+aln.Addr().String()+"/__admin/health")
	}
	if *watch {
		stop, err := watchScenarios(log, em, scen)
		if err != nil {
			fmt.Fprintf(c.Stderr, "offboard: --watch: %v\n", err)
			return 1
		}
		defer stop()
	}
	go func() { served <- srv.Serve(ln) }()
	log.Info("offboard listening", "addr", "http://"+ln.Addr().String(), "scenario", em.ScenarioName(),
		"vendors", strings.Join(em.VendorNames(), ","), "admin", "http://"+ln.Addr().String()+"/__admin/health")
	if c.Ready != nil {
		c.Ready(ln.Addr().String())
	}
	select {
	case err := <-served:
		log.Error("server stopped", "err", err)
		return 1
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "timeout", shutdownTimeout.String())
	em.Close() // requests held by latency faults are answered now
	shutdownCtx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if adminSrv != nil {
		_ = adminSrv.Shutdown(shutdownCtx)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("server", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
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

func (c CLI) scenarios() int {
	for _, s := range scenarios.Builtins() {
		fmt.Fprintf(c.Stdout, "%-28s %s\n", s.Name, s.Description)
	}
	return 0
}

func (c CLI) validate(files []string) int {
	if len(files) == 0 {
		fmt.Fprintln(c.Stderr, "offboard validate: name at least one scenario file")
		return 2
	}
	failed := 0
	for _, f := range files {
		if err := emulator.Check(f); err != nil {
			fmt.Fprintln(c.Stderr, err)
			failed++
			continue
		}
		fmt.Fprintf(c.Stdout, "%s: ok\n", f)
	}
	if failed > 0 {
		return 1
	}
	return 0
}

// health probes a running emulator; the container image's HEALTHCHECK uses
// it because the image has no shell or curl.
func (c CLI) health(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	url := fs.String("url", "http://127.0.0.1:8080/__admin/health", "health endpoint to probe")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		fmt.Fprintf(c.Stderr, "offboard health: %v\n", err)
		return 2
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(c.Stderr, "offboard health: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(c.Stderr, "offboard health: %s\n", resp.Status)
		return 1
	}
	fmt.Fprintln(c.Stdout, "ok")
	return 0
}

// token prints "Header: value", a credential that works against the
// scenario, so a newcomer can paste it into curl -H.
func (c CLI) token(args []string) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	var refs listFlag
	fs.Var(&refs, "scenario", "scenario the credential must work against (default: default)")
	var vendor string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		vendor, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if vendor == "" && fs.NArg() == 1 {
		vendor = fs.Arg(0)
	}
	if vendor == "" || fs.NArg() > 1 || (fs.NArg() == 1 && fs.Arg(0) != vendor) {
		fmt.Fprintln(c.Stderr, "offboard token: name one vendor")
		return 2
	}
	if len(refs) == 0 {
		refs = listFlag{"default"}
	}
	opts := []emulator.Option{emulator.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}
	opts = append(opts, emulator.WithScenario(refs...))
	em, err := emulator.New(opts...)
	if err != nil {
		fmt.Fprintln(c.Stderr, "offboard token:", err)
		return 1
	}
	header, value, err := em.Credential(vendor)
	if err != nil {
		fmt.Fprintln(c.Stderr, "offboard token:", err)
		return 1
	}
	fmt.Fprintf(c.Stdout, "%s: %s\n", header, value)
	return 0
}

// verify runs the contract suite against a base URL and prints a line per
// case, with a diff under each failure.
func (c CLI) verify(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	target := fs.String("target", c.env("OFFBOARD_TARGET", ""), "base URL to test (env OFFBOARD_TARGET)")
	vendor := fs.String("vendor", "", "only this vendor's cases")
	caseGlob := fs.String("case", "", `only cases whose "vendor/case" or name matches this glob`)
	junit := fs.String("junit", "", "write a JUnit XML report to this file")
	kind := fs.String("emulator", "auto", "is the target offboard? auto (ask its health endpoint), yes or no")
	var vars listFlag
	fs.Var(&vars, "var", "NAME=VALUE for the cases' ${NAME}, e.g. credentials of a sandbox (repeatable; env OFFBOARD_VAR_NAME, '.' as '__')")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *target == "" || fs.NArg() > 0 {
		fmt.Fprintln(c.Stderr, "offboard verify: give --target URL")
		return 2
	}
	suites, err := testsuite.Load()
	if err != nil {
		fmt.Fprintln(c.Stderr, "offboard verify:", err)
		return 1
	}
	client := &http.Client{Timeout: 30 * time.Second}
	isEmulator := *kind == "yes"
	if *kind == "auto" {
		isEmulator = probeEmulator(ctx, client, *target)
	}
	t := testsuite.Target{BaseURL: *target, Client: client, Emulator: isEmulator, Vars: map[string]string{}}
	if isEmulator {
		minted, err := testsuite.MintedVars()
		if err != nil {
			fmt.Fprintln(c.Stderr, "offboard verify:", err)
			return 1
		}
		maps.Copy(t.Vars, minted)
	}
	maps.Copy(t.Vars, testsuite.VarsFromEnv())
	for _, kv := range vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			fmt.Fprintf(c.Stderr, "offboard verify: --var %q is not NAME=VALUE\n", kv)
			return 2
		}
		t.Vars[k] = v
	}
	what := "a vendor (cases needing a scenario are skipped)"
	if isEmulator {
		what = "an offboard emulator (each case in its own session)"
	}
	fmt.Fprintf(c.Stdout, "verifying %s: %s\n", *target, what)
	results := testsuite.Run(ctx, t, suites, testsuite.Filter{Vendor: *vendor, Case: *caseGlob})
	var passed, failed, skipped int
	for _, r := range results {
		name := r.Vendor + "/" + r.Case
		switch {
		case r.Skipped != "":
			skipped++
			fmt.Fprintf(c.Stdout, "SKIP  %s (%s)\n", name, r.Skipped)
		case r.Failure != "":
			failed++
			fmt.Fprintf(c.Stdout, "FAIL  %s (%s)\n      %s\n", name, r.Duration.Round(time.Microsecond), r.Doc)
			for _, line := range strings.Split(strings.TrimRight(r.Failure, "\n"), "\n") {
				fmt.Fprintf(c.Stdout, "      %s\n", line)
			}
		default:
			passed++
			fmt.Fprintf(c.Stdout, "PASS  %s (%s)\n", name, r.Duration.Round(time.Microsecond))
		}
	}
	fmt.Fprintf(c.Stdout, "%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if *junit != "" {
		f, err := os.Create(*junit)
		if err == nil {
			err = testsuite.WriteJUnit(f, results)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintln(c.Stderr, "offboard verify: junit:", err)
			return 1
		}
	}
	if len(results) == 0 {
		fmt.Fprintln(c.Stderr, "offboard verify: no case matched")
		return 1
	}
	if failed > 0 {
		return 1
	}
	return 0
}

// probeEmulator tells an offboard emulator by its health endpoint.
func probeEmulator(ctx context.Context, client *http.Client, base string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/__admin/health", nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var h struct {
		Status string `json:"status"`
	}
	return resp.StatusCode == http.StatusOK && json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&h) == nil && h.Status == "ok"
}
