package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/scenarios"
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
			// One emulator checks every file, each on its own.
			em, err := emulator.New()
			if err != nil {
				return err
			}
			defer em.Close()
			failed := 0
			for _, f := range files {
				if err := em.Check(f); err != nil {
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
		Long: `Probe a running emulator's GET /__admin/health. --url is its base URL, as for
every command (a URL that already ends in /__admin/health is taken as it is).
Without --url it follows the same environment as serve: OFFBOARD_ADMIN_ADDR,
else OFFBOARD_ADDR (a wildcard address is probed on 127.0.0.1). The container
image's HEALTHCHECK runs it.`,
		Example: `  offboard health --url http://127.0.0.1:8080`,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
			defer cancel()
			probe := strings.TrimRight(target, "/")
			if !strings.HasSuffix(probe, "/__admin/health") {
				probe += "/__admin/health"
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, probe, nil)
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
	cmd.Flags().StringVar(&target, "url", c.defaultHealthURL(), "base URL of the running emulator")
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
		Args:              usageArgs(cobra.ExactArgs(1)),
		ValidArgsFunction: vendorCompletion(),
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
