package kit

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// FieldError is a scenario mistake, positioned in its YAML source.
// The engine adds the file name.
type FieldError struct {
	Line, Column int
	Field        string // dotted path inside the vendor's section, e.g. "users.gis_joe.containers"
	Msg          string
	// Node is where the mistake is: a section laid over another's holds
	// nodes of both files, and the node tells which.
	Node *yaml.Node
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%d:%d: %s: %s", e.Line, e.Column, e.Field, e.Msg)
}

// Errorf positions a vendor's own check (a dangling reference, a duplicate
// id) at node.
func Errorf(node *yaml.Node, field, format string, args ...any) *FieldError {
	fe := &FieldError{Field: field, Msg: fmt.Sprintf(format, args...), Node: node}
	if node != nil {
		fe.Line, fe.Column = node.Line, node.Column
	}
	return fe
}

// Find walks mapping keys and sequence indexes ("0", "1", ...) from node and
// returns the value node at the end of path, or the deepest node found, so
// an error can always point somewhere.
func Find(node *yaml.Node, path ...string) *yaml.Node {
	for _, p := range path {
		if node == nil {
			return nil
		}
		if node.Kind == yaml.DocumentNode && len(node.Content) == 1 {
			node = node.Content[0]
		}
		next := (*yaml.Node)(nil)
		switch node.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(node.Content); i += 2 {
				if node.Content[i].Value == p {
					next = node.Content[i+1]
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(p); err == nil && i >= 0 && i < len(node.Content) {
				next = node.Content[i]
			}
		}
		if next == nil {
			return node
		}
		node = next
	}
	return node
}

// FieldErrors is every mistake found in one section, in source order.
type FieldErrors []*FieldError

func (es FieldErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find one *FieldError among them.
func (es FieldErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Errors collects positioned mistakes, so a scenario's author sees all of
// them at once rather than one per run.
type Errors struct {
	list   FieldErrors
	fields map[string]bool // those with a mistake already
	other  error           // a mistake without a position, reported alone
}

// Add records a mistake at node, unless the same field has one already
// (a value that did not decode is not also reported as missing).
func (es *Errors) Add(node *yaml.Node, field, format string, args ...any) {
	if es.fields[field] {
		return
	}
	es.add(Errorf(node, field, format, args...))
}

func (es *Errors) add(fe *FieldError) {
	if es.fields == nil {
		es.fields = map[string]bool{}
	}
	es.fields[fe.Field] = true
	es.list = append(es.list, fe)
}

// Include records the mistakes of err (Decode's): a vendor decodes its
// section, includes what Decode found and goes on checking what did
// decode, so that one run reports type and name mistakes alike.
func (es *Errors) Include(err error) {
	if err == nil {
		return
	}
	fes := AllFieldErrors(err)
	if len(fes) == 0 {
		if es.other == nil {
			es.other = err
		}
		return
	}
	for _, fe := range fes {
		es.add(fe)
	}
}

func (es *Errors) Err() error {
	if es.other != nil {
		return es.other
	}
	switch len(es.list) {
	case 0:
		return nil
	case 1:
		return es.list[0]
	}
	out := append(FieldErrors(nil), es.list...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}

// AllFieldErrors flattens err into its positioned mistakes (nil when err
// has none).
func AllFieldErrors(err error) []*FieldError {
	var many FieldErrors
	if errors.As(err, &many) {
		return many
	}
	var one *FieldError
	if errors.As(err, &one) {
		return []*FieldError{one}
	}
	return nil
}
