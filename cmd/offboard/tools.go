package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/scenarios"
	"github.com/offboard/offboard/testsuite"
)

func (c CLI) scenariosCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			for _, s := range scenarios.Builtins() {
				fmt.Fprintf(c.Stdout, "%-28s %s\n", s.Name, s.Description)
			}
			return nil
		},
	}
}

func (c CLI) validateCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files; every mistake as file:line:col: field: what",
		Long: `Check scenario files (or built-in names) the way serve would load them, each on
its own, and report every mistake of every file, sorted, one per line:

  my.yaml:7:24: onedata.users.u1.privileges[0]: unknown privilege "oz_user_delete" (known: ...)

The exit code is 1 when any file has a mistake.`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, files []string) error {
			failed := 0
			for _, f := range files {
				if err := emulator.Check(f); err != nil {
					failed++
					if list := scenarios.List(err); len(list) > 0 {
						for _, e := range list {
							fmt.Fprintln(c.Stderr, e)
						}
						continue
					}
					fmt.Fprintf(c.Stderr, "%s: %v\n", f, err)
					continue
				}
				fmt.Fprintf(c.Stdout, "%s: ok\n", f)
			}
			if failed > 0 {
				return exitError{1}
			}
			return nil
		},
	}
}

// defaultHealthURL follows serve's own addresses: the control API's
// (OFFBOARD_ADMIN_ADDR) or the main one (OFFBOARD_ADDR), with a wildcard
// host reached through loopback. The container's HEALTHCHECK relies on it.
func (c CLI) defaultHealthURL() string {
	addr := c.env("OFFBOARD_ADMIN_ADDR", c.env("OFFBOARD_ADDR", "127.0.0.1:8080"))
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/__admin/health"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/__admin/health"
}

func (c CLI) healthCmd() *cobra.Command {
	var target string
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Exit 0 when a running emulator answers its health check",
		Long: `Probe a running emulator's GET /__admin/health. Without --url it follows the
same environment as serve: OFFBOARD_ADMIN_ADDR, else OFFBOARD_ADDR (a wildcard
address is probed on 127.0.0.1). The container image's HEALTHCHECK runs it.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
			if err != nil {
				return usageError{cmd, err}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return c.fail(cmd, "%v", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return c.fail(cmd, "%s", resp.Status)
			}
			fmt.Fprintln(c.Stdout, "ok")
			return nil
		},
	}
	cmd.Flags().StringVar(&target, "url", c.defaultHealthURL(), "health endpoint to probe")
	return cmd
}

func (c CLI) tokenCmd() *cobra.Command {
	var refs []string
	var server, session, adminToken string
	cmd := &cobra.Command{
		Use:   "token VENDOR",
		Short: "Print a working credential header for a vendor",
		Long: `Print "Header: value", a credential that works against a scenario, ready for
curl -H "$(offboard token VENDOR --url http://127.0.0.1:8080)".

With --url, a running server mints it from the scenario it has loaded (or a
session's, with --session). Without, it is minted from --scenario (default
"default") here. The scenario used is said on stderr.

VENDOR is one of: ` + strings.Join(emulator.Vendors(), ", ") + `.`,
		Example: `  offboard token securid --url http://127.0.0.1:8080
  offboard token commvault --scenario commvault-expired-token`,
		Args:      usageArgs(cobra.ExactArgs(1)),
		ValidArgs: emulator.Vendors(),
		RunE: func(cmd *cobra.Command, args []string) error {
			vendor := args[0]
			if server != "" {
				if len(refs) > 0 {
					return usageError{cmd, errors.New("--url and --scenario exclude each other: the server's scenario is used")}
				}
				return c.remoteToken(cmd, server, vendor, session, adminToken)
			}
			if len(refs) == 0 {
				refs = []string{"default"}
			}
			em, err := emulator.New(emulator.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), emulator.WithScenario(refs...))
			if err != nil {
				return c.fail(cmd, "%v", err)
			}
			header, value, err := em.Credential(vendor)
			if err != nil {
				return c.fail(cmd, "%v", err)
			}
			fmt.Fprintf(c.Stdout, "%s: %s\n", header, value)
			fmt.Fprintf(c.Stderr, "offboard token: minted here from scenario %s (a running server may hold another: pass --url)\n", em.ScenarioName())
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&refs, "scenario", nil, `scenario the credential must work against, minted here (repeatable; default "default")`)
	fs.StringVar(&server, "url", c.env("OFFBOARD_URL", ""), "a running emulator to ask, which uses the scenario it has loaded (env OFFBOARD_URL)")
	fs.StringVar(&session, "session", "", "with --url: the session whose state the credential must work against")
	fs.StringVar(&adminToken, "admin-token", c.env("OFFBOARD_ADMIN_TOKEN", ""), "with --url: the server's --admin-token (env OFFBOARD_ADMIN_TOKEN)")
	return cmd
}

func (c CLI) remoteToken(cmd *cobra.Command, server, vendor, session, adminToken string) error {
	u := strings.TrimRight(server, "/") + "/__admin/credentials/" + url.PathEscape(vendor)
	if session != "" {
		u += "?session=" + url.QueryEscape(session)
	}
	status, raw, err := askControlAPI(cmd, u, adminToken, 10*time.Second, 1<<20)
	if err != nil {
		return c.fail(cmd, "%v", err)
	}
	var body struct {
		Scenario, Header, Value, Error string
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return c.fail(cmd, "%s answered %d, not the control API's JSON", server, status)
	}
	if status != http.StatusOK {
		return c.fail(cmd, "%s", body.Error)
	}
	fmt.Fprintf(c.Stdout, "%s: %s\n", body.Header, body.Value)
	fmt.Fprintf(c.Stderr, "offboard token: minted by %s from its scenario %s\n", server, body.Scenario)
	return nil
}

func (c CLI) verifyCmd() *cobra.Command {
	var target, vendor, caseGlob, junit, kind, varsFile string
	var vars []string
	var listVars bool
	cmd := &cobra.Command{
		Use:   "verify --target URL",
		Short: "Run the contract suite against an emulator or a vendor sandbox",
		Long: `Run the documented cases against a base URL and print PASS, FAIL (with a diff)
or SKIP per case. Against an offboard emulator each case runs in a session of
its own with its scenario; against a vendor sandbox (--emulator no), cases
that need a scenario or the seed's own data are skipped with the reason, and
the rest check status, headers, the vendor's error and conformance to
offboard's spec. Variables (credentials, ids) come from --vars FILE, --var
and OFFBOARD_VAR_*; --list-vars prints the ones a vendor's cases use.

Exit codes: 0 all ran cases passed, 1 a case failed, 2 a usage error or a
target that is down or is not the vendor (checked on the first case).`,
		Example: `  offboard verify --target http://127.0.0.1:8080
  offboard verify --vendor onedata --list-vars
  offboard verify --target https://onezone.example.com --emulator no --vars sandbox.yaml`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if listVars {
				return c.listVars(cmd, vendor)
			}
			if target == "" {
				return usageError{cmd, errors.New("give --target URL")}
			}
			return c.verify(cmd, target, vendor, caseGlob, junit, kind, varsFile, vars)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&target, "target", c.env("OFFBOARD_TARGET", ""), "base URL to test (env OFFBOARD_TARGET)")
	fs.StringVar(&vendor, "vendor", "", "only this vendor's cases")
	fs.StringVar(&caseGlob, "case", "", `only cases whose "vendor/case" or name matches this glob`)
	fs.StringVar(&junit, "junit", "", "write a JUnit XML report to this file")
	fs.StringVar(&kind, "emulator", "auto", "is the target offboard? auto (ask its health endpoint), yes or no")
	fs.StringVar(&varsFile, "vars", "", "read variables from this YAML file (name: value; a list for id pools)")
	fs.BoolVar(&listVars, "list-vars", false, "print the variables the cases use (with --vendor, that vendor's) and exit")
	fs.StringArrayVar(&vars, "var", nil, "NAME=VALUE for the cases' ${NAME}, e.g. a sandbox's credentials (repeatable; env OFFBOARD_VAR_NAME, '.' as '__')")
	return cmd
}

// listVars prints the variables of one vendor's cases, or of all.
func (c CLI) listVars(cmd *cobra.Command, vendor string) error {
	suites, err := testsuite.Load()
	if err != nil {
		return c.fail(cmd, "%v", err)
	}
	found := false
	for _, s := range suites {
		if vendor != "" && s.Vendor != vendor {
			continue
		}
		if found {
			fmt.Fprintln(c.Stdout)
		}
		found = true
		fmt.Fprintf(c.Stdout, "%s\n", s.Vendor)
		if err := testsuite.ListVars(c.Stdout, s); err != nil {
			return err
		}
	}
	if !found {
		return usageError{cmd, fmt.Errorf("--vendor %q: no such vendor; known: %s", vendor, strings.Join(emulator.Vendors(), ", "))}
	}
	return nil
}

func (c CLI) verify(cmd *cobra.Command, target, vendor, caseGlob, junit, kind, varsFile string, vars []string) error {
	switch kind {
	case "auto", "yes", "no":
	default:
		return usageError{cmd, fmt.Errorf("--emulator %q: say auto, yes or no", kind)}
	}
	extra := map[string]string{}
	for _, kv := range vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return usageError{cmd, fmt.Errorf("--var %q is not NAME=VALUE", kv)}
		}
		extra[k] = v
	}
	fromFile := map[string]string{}
	if varsFile != "" {
		data, err := os.ReadFile(varsFile)
		if err != nil {
			return usageError{cmd, fmt.Errorf("--vars: %w", err)}
		}
		if fromFile, err = testsuite.ReadVars(varsFile, data); err != nil {
			return usageError{cmd, fmt.Errorf("--vars: %w", err)}
		}
	}
	suites, err := testsuite.Load()
	if err != nil {
		return c.fail(cmd, "%v", err)
	}
	ctx := cmd.Context()
	client := &http.Client{Timeout: 30 * time.Second}
	isEmulator := kind == "yes"
	if kind == "auto" {
		isEmulator = probeEmulator(ctx, client, target)
	}
	t := testsuite.Target{BaseURL: target, Client: client, Emulator: isEmulator, Vars: map[string]string{}}
	if isEmulator {
		minted, err := testsuite.MintedVars()
		if err != nil {
			return c.fail(cmd, "%v", err)
		}
		maps.Copy(t.Vars, minted)
	}
	maps.Copy(t.Vars, fromFile)
	maps.Copy(t.Vars, testsuite.VarsFromEnv())
	maps.Copy(t.Vars, extra)
	what := "a vendor (cases needing a scenario are skipped)"
	if isEmulator {
		what = "an offboard emulator (each case in its own session)"
	}
	fmt.Fprintf(c.Stdout, "verifying %s: %s\n", target, what)
	results := testsuite.Run(ctx, t, suites, testsuite.Filter{Vendor: vendor, Case: caseGlob})
	if n := len(results); n > 0 && results[n-1].Unreachable {
		r := results[n-1]
		first, _, _ := strings.Cut(r.Failure[strings.Index(r.Failure, "\n")+1:], "\n")
		fmt.Fprintf(c.Stderr, "offboard verify: stopped at %s/%s: %s\n", r.Vendor, r.Case, first)
		return exitError{2}
	}
	totals := testsuite.Report(c.Stdout, results)
	if junit != "" {
		f, err := os.Create(junit)
		if err == nil {
			err = testsuite.WriteJUnit(f, target, results)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return c.fail(cmd, "junit: %v", err)
		}
	}
	if len(results) == 0 {
		return c.fail(cmd, "no case matched")
	}
	if totals.Failed > 0 {
		return exitError{1}
	}
	return nil
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

// askControlAPI GETs a control API URL, with the admin token when there is
// one, and reads at most limit+1 bytes of the answer.
func askControlAPI(cmd *cobra.Command, u, adminToken string, timeout time.Duration, limit int64) (int, []byte, error) {
	req, err := http.NewRequestWithContext(cmd.Context(), http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	if adminToken != "" {
		req.Header.Set("Authorization", "Bearer "+adminToken)
	}
	resp, err := (&http.Client{Timeout: timeout}).Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	return resp.StatusCode, body, err
}
