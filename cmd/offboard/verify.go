package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/testsuite"
)

// verify's exit codes beyond 0 (every case that ran passed), 1 (a case
// failed) and 2 (a usage error, or a target that is down or not the vendor).
const exitNothingRan = 3

// verifyFlags are verify's options.
type verifyFlags struct {
	target, vendor, caseGlob, junit, kind, varsFile string
	vars                                            []string
	listVars, allowEmpty                            bool
}

func (c CLI) verifyCmd() *cobra.Command {
	var f verifyFlags
	cmd := &cobra.Command{
		Use:   "verify --target URL",
		Short: "Run the contract suite against an emulator or a vendor sandbox",
		Long: `Run the documented cases against a base URL and print PASS, FAIL (with a diff)
or SKIP per case. Against an offboard emulator each case runs in a session of
its own with its scenario; against a vendor sandbox (--emulator no), cases
that need a scenario or the seed's own data are skipped with the reason, and
the rest check status, headers, the vendor's error and conformance to
offboard's spec. Variables (credentials, ids) come from --vars FILE, --var
and OFFBOARD_VAR_*; --list-vars prints the ones a vendor's cases use. Ids of a
pool (users a run may delete) are looked up before a case uses one, so ids an
earlier run deleted are passed over.

The target is untrusted: verify follows no redirect to another origin (no
credential leaves it), reads at most 4 MiB of an answer, and prints what it
got with control characters escaped.

Exit codes: 0 every case that ran passed; 1 a case failed; 2 a usage error
(an unknown --vendor, a --case that matches nothing, a target without a
scheme) or a target that is down or is not the vendor; 3 no case ran (the
variables a sandbox run needs were not given), unless --allow-empty.`,
		Example: `  offboard verify --target http://127.0.0.1:8080
  offboard verify --vendor onedata --list-vars
  offboard verify --target https://onezone.example.com --emulator no --vars sandbox.yaml`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.listVars {
				return c.listVars(cmd, f.vendor)
			}
			return c.verify(cmd, f)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.target, "target", c.env("OFFBOARD_TARGET", ""), "base URL to test, with its scheme (env OFFBOARD_TARGET)")
	fs.StringVar(&f.target, "url", c.env("OFFBOARD_TARGET", ""), "the same as --target, as every command names a base URL")
	fs.StringVar(&f.vendor, "vendor", "", "only this vendor's cases")
	fs.StringVar(&f.caseGlob, "case", "", `only cases whose "vendor/case" or name matches this glob`)
	fs.StringVar(&f.junit, "junit", "", "write a JUnit XML report to this file")
	fs.StringVar(&f.kind, "emulator", "auto", "is the target offboard? auto (ask its health endpoint), yes or no")
	fs.StringVar(&f.varsFile, "vars", "", "read variables from this YAML file (name: value; a list for id pools)")
	fs.BoolVar(&f.listVars, "list-vars", false, "print the variables the cases use (with --vendor, that vendor's) and exit")
	fs.BoolVar(&f.allowEmpty, "allow-empty", false, "exit 0 when no case ran, instead of 3")
	fs.StringArrayVar(&f.vars, "var", nil, "NAME=VALUE for the cases' ${NAME}, e.g. a sandbox's credentials (repeatable; env OFFBOARD_VAR_NAME, '.' as '__')")
	_ = cmd.RegisterFlagCompletionFunc("vendor", fixedCompletion(emulator.Vendors()...))
	_ = cmd.RegisterFlagCompletionFunc("emulator", fixedCompletion("auto", "yes", "no"))
	_ = cmd.RegisterFlagCompletionFunc("case", caseCompletion)
	return cmd
}

// listVars prints the variables of one vendor's cases, or of all.
func (c CLI) listVars(cmd *cobra.Command, vendor string) error {
	suites, err := testsuite.Load()
	if err != nil {
		return c.fail(cmd, "%v", err)
	}
	if err := checkVendor(vendor); err != nil {
		return usageError{cmd, err}
	}
	for i, s := range suites {
		if vendor != "" && s.Vendor != vendor {
			continue
		}
		if i > 0 && vendor == "" {
			fmt.Fprintln(c.Stdout)
		}
		fmt.Fprintf(c.Stdout, "%s\n", s.Vendor)
		if err := testsuite.ListVars(c.Stdout, s); err != nil {
			return err
		}
	}
	return nil
}

// checkVendor refuses a vendor no suite has, naming those that exist.
func checkVendor(vendor string) error {
	if vendor == "" {
		return nil
	}
	for _, v := range emulator.Vendors() {
		if v == vendor {
			return nil
		}
	}
	return fmt.Errorf("--vendor %q: no such vendor; known: %s", vendor, strings.Join(emulator.Vendors(), ", "))
}

// checkTarget refuses a base URL without a scheme and host.
func checkTarget(target string) error {
	if target == "" {
		return errors.New("give --target URL")
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		hint := target
		if !strings.Contains(target, "://") {
			hint = "http://" + target
		}
		return fmt.Errorf("--target %q: give a base URL with its scheme and host, such as %s", target, hint)
	}
	return nil
}

// caseNames lists "vendor/case" of the suites that vendor filters in.
func caseNames(suites []*testsuite.Suite, vendor string) []string {
	var out []string
	for _, s := range suites {
		if vendor == "" || s.Vendor == vendor {
			for _, cs := range s.Cases {
				out = append(out, s.Vendor+"/"+cs.Name)
			}
		}
	}
	return out
}

func (c CLI) verify(cmd *cobra.Command, f verifyFlags) error {
	switch f.kind {
	case "auto", "yes", "no":
	default:
		return usageError{cmd, fmt.Errorf("--emulator %q: say auto, yes or no", f.kind)}
	}
	if err := checkTarget(f.target); err != nil {
		return usageError{cmd, err}
	}
	if err := checkVendor(f.vendor); err != nil {
		return usageError{cmd, err}
	}
	vars, err := c.verifyVars(f)
	if err != nil {
		return usageError{cmd, err}
	}
	suites, err := testsuite.Load()
	if err != nil {
		return c.fail(cmd, "%v", err)
	}
	filter := testsuite.Filter{Vendor: f.vendor, Case: f.caseGlob}
	if f.caseGlob != "" {
		if _, err := path.Match(f.caseGlob, ""); err != nil {
			return usageError{cmd, fmt.Errorf("--case %q: not a glob: %v", f.caseGlob, err)}
		}
		if !filter.Any(suites) {
			return usageError{cmd, fmt.Errorf("--case %q matches no case; the cases are: %s",
				f.caseGlob, strings.Join(caseNames(suites, f.vendor), ", "))}
		}
	}
	ctx := cmd.Context()
	client := testsuite.NewClient()
	isEmulator, err := probeTarget(ctx, client, f.target)
	if err != nil {
		fmt.Fprintf(c.Stderr, "offboard verify: the target %s does not answer: %v\n", f.target, err)
		return exitError{2}
	}
	if f.kind != "auto" {
		isEmulator = f.kind == "yes"
	}
	t := testsuite.Target{BaseURL: f.target, Client: client, Emulator: isEmulator, Vars: map[string]string{}}
	if isEmulator {
		minted, err := testsuite.MintedVars()
		if err != nil {
			return c.fail(cmd, "%v", err)
		}
		maps.Copy(t.Vars, minted)
	}
	maps.Copy(t.Vars, vars)
	what := "a vendor (cases needing a scenario are skipped)"
	if isEmulator {
		what = "an offboard emulator (each case in its own session)"
	}
	fmt.Fprintf(c.Stdout, "verifying %s: %s\n", f.target, what)
	results := testsuite.Run(ctx, t, suites, filter)
	if n := len(results); n > 0 && results[n-1].Unreachable {
		r := results[n-1]
		first, _, _ := strings.Cut(r.Failure[strings.Index(r.Failure, "\n")+1:], "\n")
		fmt.Fprintf(c.Stderr, "offboard verify: stopped at %s/%s: %s\n", r.Vendor, r.Case, first)
		return exitError{2}
	}
	totals := testsuite.Report(c.Stdout, results)
	if f.junit != "" {
		if err := writeJUnit(f.junit, f.target, results); err != nil {
			return c.fail(cmd, "junit: %v", err)
		}
	}
	if testsuite.Ran(results) == 0 && !f.allowEmpty {
		fmt.Fprintf(c.Stderr, "offboard verify: no case ran (exit %d): %s; give variables with --vars FILE or --var NAME=VALUE (offboard verify --list-vars), or pass --allow-empty\n",
			exitNothingRan, testsuite.WhyNothingRan(results))
		return exitError{exitNothingRan}
	}
	if totals.Failed > 0 {
		return exitError{1}
	}
	return nil
}

// verifyVars gathers the variables: the file, then the environment, then
// --var, each overriding the one before.
func (c CLI) verifyVars(f verifyFlags) (map[string]string, error) {
	out := map[string]string{}
	if f.varsFile != "" {
		data, err := os.ReadFile(f.varsFile)
		if err != nil {
			return nil, fmt.Errorf("--vars: %w", err)
		}
		fromFile, err := testsuite.ReadVars(f.varsFile, data)
		if err != nil {
			return nil, fmt.Errorf("--vars: %w", err)
		}
		maps.Copy(out, fromFile)
	}
	maps.Copy(out, testsuite.VarsFromEnv())
	for _, kv := range f.vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--var %q is not NAME=VALUE", kv)
		}
		out[k] = v
	}
	return out, nil
}

func writeJUnit(file, target string, results []testsuite.Result) error {
	out, err := os.Create(file)
	if err != nil {
		return err
	}
	err = testsuite.WriteJUnit(out, target, results)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// probeTarget asks the target's control API for its health: an offboard
// emulator answers ok. Any answer at all means the target is up; err is
// only for a target that does not answer.
func probeTarget(ctx context.Context, client *http.Client, base string) (isEmulator bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/__admin/health", nil)
	if err != nil {
		return false, err
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return false, err
	}
	defer resp.Body.Close()
	var h struct {
		Status string `json:"status"`
	}
	return resp.StatusCode == http.StatusOK && json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&h) == nil && h.Status == "ok", nil
}
