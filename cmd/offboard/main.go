// Command offboard runs the emulator and its tools. The commands are thin:
// each reads its flags (and their environment variables) and calls the
// emulator, scenarios or testsuite package.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cli := CLI{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	code := cli.Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// CLI is the command line with its outside world made explicit, so tests
// run it in-process.
type CLI struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, is told the address serve listens on.
	Ready func(addr string)
}

// usageError is a mistake in how a command was called: exit 2.
type usageError struct {
	cmd *cobra.Command
	err error
}

func (u usageError) Error() string { return u.err.Error() }

// exitError ends a command with a code, its message already printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Run executes one command line and returns the process exit code: 0 on
// success (and for --help), 1 when the work failed, 2 for a usage error.
func (c CLI) Run(ctx context.Context, args []string) int {
	if c.Getenv == nil {
		c.Getenv = func(string) string { return "" }
	}
	root := c.root()
	root.SetArgs(args)
	root.SetOut(c.Stdout)
	root.SetErr(c.Stderr)
	err := root.ExecuteContext(ctx)
	var ue usageError
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		fmt.Fprintf(c.Stderr, "%s: %v (see '%s --help')\n", ue.cmd.CommandPath(), ue.err, ue.cmd.CommandPath())
		return 2
	case strings.HasPrefix(err.Error(), "unknown command"), strings.HasPrefix(err.Error(), "unknown flag"):
		fmt.Fprintf(c.Stderr, "offboard: %v (see 'offboard --help')\n", err)
		return 2
	}
	fmt.Fprintf(c.Stderr, "offboard: %v\n", err)
	return 1
}

func (c CLI) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "offboard",
		Short: "An emulator of five vendors' user-offboarding APIs, for contract testing",
		Long: `offboard answers as ArcGIS Notebook Server, Commvault, Huawei Cloud DataArts
Studio, Onedata Onezone and RSA SecurID Cloud Access Service document their
user-offboarding APIs: same status, headers, JSON and XML bytes and state changes.

Start it with "offboard serve"; check it with "offboard verify".`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			// No command: say what there is, as a usage error.
			cmd.SetOut(c.Stderr)
			_ = cmd.Help()
			return exitError{2}
		},
	}
	root.Version = version()
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageError{cmd, err} })
	root.AddCommand(c.serveCmd(), c.scenariosCmd(), c.validateCmd(), c.healthCmd(), c.tokenCmd(), c.verifyCmd(),
		c.recordCmd(), c.driftCmd(), c.snapshotCmd(), c.versionCmd())
	return root
}

// usageArgs marks an argument-count mistake as a usage error.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{cmd, err}
		}
		return nil
	}
}

// env reads a variable through the CLI's Getenv, with a fallback.
func (c CLI) env(name, fallback string) string {
	if v := c.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// envList splits a comma-separated variable.
func (c CLI) envList(name string) []string {
	if v := c.Getenv(name); v != "" {
		return strings.Split(v, ",")
	}
	return nil
}

// fail prints a command's error and ends it with code 1.
func (c CLI) fail(cmd *cobra.Command, format string, args ...any) error {
	fmt.Fprintf(c.Stderr, "%s: %s\n", cmd.CommandPath(), fmt.Sprintf(format, args...))
	return exitError{1}
}

// stringsFlag declares a repeatable string flag whose default comes from a
// comma-separated environment variable.
func (c CLI) stringsFlag(fs *pflag.FlagSet, to *[]string, name, env, usage string) {
	fs.StringArrayVar(to, name, c.envList(env), usage+" (repeatable; env "+env+", comma-separated)")
}
