package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/scenarios"
	"github.com/offboard/offboard/testsuite"
)

// fixedCompletion completes a flag or argument from a fixed list.
func fixedCompletion(values ...string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		var out []cobra.Completion
		for _, v := range values {
			if strings.HasPrefix(v, toComplete) {
				out = append(out, v)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// scenarioCompletion offers the built-in scenarios by name, with their
// descriptions, and files: a scenario is either.
func scenarioCompletion(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, s := range scenarios.Builtins() {
		if strings.HasPrefix(s.Name, toComplete) {
			out = append(out, cobra.CompletionWithDesc(s.Name, s.Description))
		}
	}
	// Files too, unless the word can only be a built-in's name.
	return out, cobra.ShellCompDirectiveDefault
}

// caseCompletion offers "vendor/case" names.
func caseCompletion(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	suites, err := testsuite.Load()
	if err != nil {
		return nil, cobra.ShellCompDirectiveError
	}
	vendor, _ := cmd.Flags().GetString("vendor")
	return fixedCompletion(caseNames(suites, vendor)...)(cmd, nil, toComplete)
}

// logLevels are serve's --log-level values.
func logLevels() []string { return []string{"debug", "info", "warn", "error"} }

// vendorCompletion completes a vendor argument.
func vendorCompletion() cobra.CompletionFunc { return fixedCompletion(emulator.Vendors()...) }
