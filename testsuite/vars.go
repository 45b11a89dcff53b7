package testsuite

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator"
)

// ListVars prints every variable a suite's cases use: its name, whether a
// sandbox run needs it, what it is, and the emulator's value.
func ListVars(w io.Writer, s *Suite) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "VARIABLE\tSANDBOX\tWHAT IT IS\n")
	for _, name := range slices.Sorted(maps.Keys(s.Vars)) {
		v := s.Vars[name]
		need := "required"
		if v.Optional {
			need = "optional"
		}
		if v.Pool {
			need += ", list"
		}
		doc := v.Doc
		switch {
		case v.Minted:
			doc += " (the emulator's is made per run)"
		case v.Default != "":
			doc += fmt.Sprintf(" (emulator: %s)", v.Default)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, need, doc)
	}
	fmt.Fprintf(tw, "\nGive them with --vars FILE (YAML, name: value), --var NAME=VALUE or OFFBOARD_VAR_NAME ('.' as '__').\n")
	return tw.Flush()
}

// ReadVars reads a vars file: a YAML mapping of variable names to values.
// A list value (pools of ids) may be written as a YAML sequence.
func ReadVars(name string, data []byte) (map[string]string, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc map[string]yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return map[string]string{}, nil
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out := map[string]string{}
	for k, n := range doc {
		switch n.Kind {
		case yaml.ScalarNode:
			out[k] = n.Value
		case yaml.SequenceNode:
			var ids []string
			for _, item := range n.Content {
				if item.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("%s:%d:%d: %s: a list holds plain values", name, item.Line, item.Column, k)
				}
				ids = append(ids, item.Value)
			}
			out[k] = strings.Join(ids, ",")
		default:
			return nil, fmt.Errorf("%s:%d:%d: %s: give a value or a list of values", name, n.Line, n.Column, k)
		}
	}
	return out, nil
}

// VarsFromEnv reads OFFBOARD_VAR_<name> variables, "." in names written
// as "__" (OFFBOARD_VAR_onedata__basic).
func VarsFromEnv() map[string]string {
	out := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if name, ok := strings.CutPrefix(k, "OFFBOARD_VAR_"); ok {
			out[strings.ReplaceAll(name, "__", ".")] = v
		}
	}
	return out
}

// MintedVars are the credentials the cases need that cannot be written
// down: securid.bearer, a JWT signed now with the test key of the
// emulator's default scenario. A sandbox run passes its own instead.
func MintedVars() (map[string]string, error) {
	em, err := emulator.New(emulator.WithScenario("default"))
	if err != nil {
		return nil, err
	}
	_, bearer, err := em.Credential("securid")
	if err != nil {
		return nil, err
	}
	return map[string]string{"securid.bearer": bearer}, nil
}
