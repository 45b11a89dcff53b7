package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/offboard/offboard/scenarios"
)

// maxSnapshotBytes bounds what snapshot reads from a server: the largest
// scenario a server accepts back.
const maxSnapshotBytes = scenarios.MaxBytes

func (c CLI) snapshotCmd() *cobra.Command {
	var server, session, adminToken, out string
	cmd := &cobra.Command{
		Use:   "snapshot --url URL [-o FILE]",
		Short: "Save a running server's world as a scenario that loads back to it",
		Long: `Save the state of a running emulator (or of one of its sessions) as a
scenario YAML file: every vendor's users, tokens, workspaces and owners, and
the faults still to fire. Attach it to a bug report; load it back with
offboard serve --scenario FILE or PUT /__admin/scenario.`,
		Example: `  offboard snapshot --url http://127.0.0.1:8080 -o bug-1234.yaml
  offboard snapshot --url http://127.0.0.1:8080 --session job-42`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if server == "" {
				return usageError{cmd, errors.New("give --url URL of a running offboard")}
			}
			u := strings.TrimRight(server, "/") + "/__admin/state?format=scenario"
			if session != "" {
				u = strings.TrimRight(server, "/") + "/__admin/sessions/" + url.PathEscape(session) + "/state?format=scenario"
			}
			status, body, err := askControlAPI(cmd, u, adminToken, 5*time.Minute, maxSnapshotBytes)
			if err != nil {
				return c.fail(cmd, "%v", err)
			}
			if status != http.StatusOK {
				var e struct{ Error string }
				if json.Unmarshal(body, &e) == nil && e.Error != "" {
					return c.fail(cmd, "%s", e.Error)
				}
				return c.fail(cmd, "%s answered %d, not a snapshot", server, status)
			}
			if len(body) > maxSnapshotBytes {
				return c.fail(cmd, "the snapshot is over %d MiB, more than a scenario may hold", maxSnapshotBytes>>20)
			}
			if out == "" || out == "-" {
				_, err = c.Stdout.Write(body)
				return err
			}
			if err := os.WriteFile(out, body, 0o644); err != nil {
				return c.fail(cmd, "%v", err)
			}
			fmt.Fprintf(c.Stderr, "offboard snapshot: wrote %s (%d bytes); load it with offboard serve --scenario %s\n", out, len(body), out)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&server, "url", c.env("OFFBOARD_URL", ""), "the running emulator (env OFFBOARD_URL)")
	fs.StringVarP(&out, "output", "o", "", "write to this file (default: stdout)")
	fs.StringVar(&session, "session", "", "a session's world instead of the shared one")
	fs.StringVar(&adminToken, "admin-token", c.env("OFFBOARD_ADMIN_TOKEN", ""), "the server's --admin-token (env OFFBOARD_ADMIN_TOKEN)")
	return cmd
}
