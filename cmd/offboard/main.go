// Command offboard runs the emulator and its tools.
//
//	offboard serve [--addr 127.0.0.1:8080] [--scenario NAME|PATH]...
//	offboard scenarios
//	offboard validate FILE...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/scenarios"
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
	if err := fs.Parse(args); err != nil {
		return 2
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
	opts := []emulator.Option{emulator.WithLogger(log), emulator.WithMaxBodyBytes(*maxBody)}
	if len(scen) > 0 {
		opts = append(opts, emulator.WithScenario(scen...))
	}
	em, err := emulator.New(opts...)
	if err != nil {
		fmt.Fprintf(c.Stderr, "offboard: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(c.Stderr, "offboard: %v\n", err)
		return 1
	}
	srv := &http.Server{
		Handler:           em,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
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
	log.Info("shutting down: finishing in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
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
