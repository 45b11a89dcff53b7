package main

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/testsuite"
	"github.com/offboard/offboard/testsuite/record"
)

// tenantFlags say which tenant record and drift read, and with what.
type tenantFlags struct {
	target, varsFile string
	vendors, vars    []string
}

func (c CLI) addTenantFlags(fs *pflag.FlagSet, f *tenantFlags, what string) {
	fs.StringVar(&f.target, "target", c.env("OFFBOARD_TARGET", ""), "base URL of the "+what+", with its scheme (env OFFBOARD_TARGET)")
	fs.StringVar(&f.varsFile, "vars", "", "the variables file verify takes (credentials, base paths, ids)")
	fs.StringArrayVar(&f.vars, "var", nil, "NAME=VALUE, over --vars (repeatable; env OFFBOARD_VAR_NAME)")
	fs.StringArrayVar(&f.vendors, "vendor", nil, "only this vendor (repeatable; default: every vendor the vars name)")
}

// tenantVars checks the tenant flags and gathers the variables.
func (c CLI) tenantVars(cmd *cobra.Command, f tenantFlags) (map[string]string, error) {
	if err := checkTarget(f.target); err != nil {
		return nil, usageError{cmd, err}
	}
	for _, v := range f.vendors {
		if err := checkVendor(v); err != nil {
			return nil, usageError{cmd, err}
		}
	}
	vars, err := c.verifyVars(verifyFlags{varsFile: f.varsFile, vars: f.vars})
	if err != nil {
		return nil, usageError{cmd, err}
	}
	return vars, nil
}

type recordFlags struct {
	tenantFlags
	out, varsOut string
}

func (c CLI) recordCmd() *cobra.Command {
	var f recordFlags
	cmd := &cobra.Command{
		Use:   "record --target URL --vars FILE",
		Short: "Read a live vendor tenant into a scenario (no secret written)",
		Long: `Read a vendor tenant (or several) through the read calls the vendors' own
clients make and write a scenario that ` + "`offboard serve --scenario FILE`" + ` loads into
the same vendor-visible world: users with their state, names, emails, group
memberships, ownership, identity sources, workspaces and containers.

--vars is the file ` + "`offboard verify --emulator no`" + ` takes; record reads no other secret.
No password, token, key or AK/SK of the tenant or of the vars reaches the
scenario: the recording has credentials of its own, and --vars-out writes the
vars that match them, so verify and drift run against an emulator serving it.
A summary on stderr says what was replaced and what could not be read.

The target is untrusted: no redirect to another origin is followed, answers
are bounded, 429s wait for Retry-After, and what it sends is escaped.

Exit codes: 0 every vendor asked for was recorded; 1 some vendor could not be
(the others are written); 2 a usage error, or nothing could be recorded.`,
		Example: `  offboard record --target https://tenant.example.com --vars sandbox.yaml -o tenant.yaml --vars-out tenant-vars.yaml
  offboard serve --scenario tenant.yaml`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return c.record(cmd, f) },
	}
	fs := cmd.Flags()
	c.addTenantFlags(fs, &f.tenantFlags, "tenant")
	fs.StringVarP(&f.out, "output", "o", "", "write the scenario to this file (default stdout)")
	fs.StringVar(&f.varsOut, "vars-out", "", "write the vars that match the recording's credentials to this file")
	_ = cmd.RegisterFlagCompletionFunc("vendor", fixedCompletion(emulator.Vendors()...))
	return cmd
}

func (c CLI) record(cmd *cobra.Command, f recordFlags) error {
	vars, err := c.tenantVars(cmd, f.tenantFlags)
	if err != nil {
		return err
	}
	opts := record.Options{Target: f.target, Vars: vars, Vendors: f.vendors, Progress: c.progress()}
	vout, sum, err := c.writeRecording(cmd, opts, f.out)
	c.printSummary(sum)
	if err != nil {
		fmt.Fprintf(c.Stderr, "offboard record: %s\n", testsuite.Sanitize(err.Error()))
		return exitError{2}
	}
	if f.varsOut != "" {
		if err := writeFileAtomic(f.varsOut, func(w io.Writer) error { return record.WriteVars(w, vout) }); err != nil {
			return c.fail(cmd, "--vars-out: %v", err)
		}
	}
	if slices.ContainsFunc(sum.Vendors, func(v record.VendorSummary) bool { return v.Skipped != "" }) {
		return exitError{1}
	}
	return nil
}

// writeRecording records into the output file (whole or not at all) or
// stdout.
func (c CLI) writeRecording(cmd *cobra.Command, o record.Options, out string) (map[string]string, *record.Summary, error) {
	var vars map[string]string
	var sum *record.Summary
	run := func(w io.Writer) error {
		var err error
		vars, sum, err = record.Record(cmd.Context(), o, w)
		return err
	}
	if out == "" {
		bw := bufio.NewWriter(c.Stdout)
		err := run(bw)
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
		return vars, sum, err
	}
	return vars, sum, writeFileAtomic(out, run)
}

// writeFileAtomic writes a file through a temporary one beside it, so a
// failed run leaves no half file.
func writeFileAtomic(name string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; a leftover otherwise
	bw := bufio.NewWriterSize(tmp, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// progress reports calls on a terminal, at most ten times a second.
func (c CLI) progress() func(string, int) {
	f, ok := c.Stderr.(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	var last time.Time
	return func(vendor string, calls int) {
		if time.Since(last) < 100*time.Millisecond {
			return
		}
		last = time.Now()
		fmt.Fprintf(f, "\r\x1b[Krecording %s: %d calls", vendor, calls)
	}
}

// printSummary says on stderr what was recorded, replaced and not read.
func (c CLI) printSummary(sum *record.Summary) {
	if sum == nil {
		return
	}
	if c.progress() != nil {
		fmt.Fprint(c.Stderr, "\r\x1b[K")
	}
	for _, v := range sum.Vendors {
		if v.Skipped != "" {
			fmt.Fprintf(c.Stderr, "%s: not recorded: %s\n", v.Vendor, v.Skipped)
			continue
		}
		var counts []string
		for _, k := range slices.Sorted(maps.Keys(v.Counts)) {
			counts = append(counts, fmt.Sprintf("%d %s", v.Counts[k], k))
		}
		fmt.Fprintf(c.Stderr, "%s: %s (%d calls)\n", v.Vendor, strings.Join(counts, ", "), v.Calls)
		for _, u := range v.Unread {
			fmt.Fprintf(c.Stderr, "  not read: %s\n", u)
		}
	}
	if len(sum.Redacted) > 0 {
		fmt.Fprintf(c.Stderr, "replaced by the recording's own credentials: %s\n", strings.Join(sum.Redacted, ", "))
	}
	if len(sum.Dropped) > 0 {
		fmt.Fprintf(c.Stderr, "left out of --vars-out (secrets the recording has no stand-in for): %s\n", strings.Join(sum.Dropped, ", "))
	}
}
