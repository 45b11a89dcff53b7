package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/spf13/cobra"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/testsuite"
	"github.com/offboard/offboard/testsuite/drift"
)

type driftFlags struct {
	tenantFlags
	caseGlob, rules, json, junit, html string
}

func (c CLI) driftCmd() *cobra.Command {
	var f driftFlags
	cmd := &cobra.Command{
		Use:   "drift --target URL --vars FILE",
		Short: "Compare a vendor sandbox with an emulator serving its recording, step by step",
		Long: `Record the target (as offboard record does), serve the recording in-process,
run the contract suite's cases on both (as verify --emulator no does), and
compare each pair of answers: status, content type and the body field by field
(JSON and XML: missing, added, changed type or value, key order). Request ids,
tokens and made-up ids are volatile by each vendor's rules; --rules FILE adds
or overrides them (a YAML list of {vendor, path, match: ignore|shape|type}).

Reports: one line a difference on stdout, --json, --junit (a test case a step)
and --html (self-contained: both answers side by side, filterable). Every
request either side sent is in the JSON and HTML reports as curl, credentials
written as ${OFFBOARD_VAR_...}.

Exit codes: 0 no drift; 1 drift found; 2 a usage error or a target that could
not be recorded; 3 no step ran.`,
		Example: `  offboard drift --target https://sandbox.example.com --vars sandbox.yaml --html drift.html --junit drift.xml`,
		Args:    usageArgs(cobra.NoArgs),
		RunE:    func(cmd *cobra.Command, _ []string) error { return c.drift(cmd, f) },
	}
	fs := cmd.Flags()
	c.addTenantFlags(fs, &f.tenantFlags, "sandbox")
	fs.StringVar(&f.caseGlob, "case", "", `only cases whose "vendor/case" or name matches this glob`)
	fs.StringVar(&f.rules, "rules", "", "volatile rules of your own (YAML), over each vendor's")
	fs.StringVar(&f.json, "json", "", "write the report as JSON to this file")
	fs.StringVar(&f.junit, "junit", "", "write a JUnit report (a test case a step) to this file")
	fs.StringVar(&f.html, "html", "", "write a self-contained HTML report to this file")
	_ = cmd.RegisterFlagCompletionFunc("vendor", fixedCompletion(emulator.Vendors()...))
	return cmd
}

func (c CLI) drift(cmd *cobra.Command, f driftFlags) error {
	vars, err := c.tenantVars(cmd, f.tenantFlags)
	if err != nil {
		return err
	}
	o := drift.Options{Target: f.target, Vars: vars, Vendors: f.vendors, Case: f.caseGlob, Serve: serveRecording}
	if f.rules != "" {
		data, err := os.ReadFile(f.rules)
		if err != nil {
			return usageError{cmd, fmt.Errorf("--rules: %w", err)}
		}
		if o.Rules, err = drift.ReadRules(f.rules, data); err != nil {
			return usageError{cmd, fmt.Errorf("--rules: %w", err)}
		}
	}
	rep, err := drift.Run(cmd.Context(), o)
	if errors.Is(err, drift.ErrUnreachable) {
		fmt.Fprintf(c.Stderr, "offboard drift: %s\n", testsuite.Sanitize(err.Error()))
		c.printSummary(rep.Recorded)
		return exitError{2}
	}
	if err != nil {
		return c.fail(cmd, "%v", err)
	}
	if err := c.writeDriftReports(rep, f); err != nil {
		return c.fail(cmd, "%v", err)
	}
	switch {
	case rep.Ran() == 0:
		fmt.Fprintln(c.Stderr, "offboard drift: no case ran (exit 3): give the vars the cases need (offboard verify --list-vars)")
		return exitError{exitNothingRan}
	case rep.Drifted():
		return exitError{1}
	}
	return nil
}

func (c CLI) writeDriftReports(rep *drift.Report, f driftFlags) error {
	if err := rep.Summary(c.Stdout); err != nil {
		return err
	}
	for _, out := range []struct {
		file  string
		write func(io.Writer) error
	}{{f.json, rep.WriteJSON}, {f.junit, rep.WriteJUnit}, {f.html, rep.WriteHTML}} {
		if out.file == "" {
			continue
		}
		if err := writeFileAtomic(out.file, out.write); err != nil {
			return err
		}
	}
	return nil
}

// serveRecording serves a recording in-process on a loopback port.
func serveRecording(scenario []byte) (string, func(), error) {
	em, err := emulator.New(emulator.WithScenarioYAML("recording", scenario))
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: em}
	go func() { _ = srv.Serve(ln) }() // ends with Close below
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}
