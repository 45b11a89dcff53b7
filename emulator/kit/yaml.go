package kit

import (
	"fmt"
	"strconv"

	"gopkg.in/yaml.v3"
)

// FieldError is a scenario mistake, positioned in its YAML source.
// The engine adds the file name.
type FieldError struct {
	Line, Column int
	Field        string // dotted path inside the vendor's section, e.g. "users.gis_joe.containers"
	Msg          string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%d:%d: %s: %s", e.Line, e.Column, e.Field, e.Msg)
}

// Errorf positions a vendor's own check (a dangling reference, a duplicate
// id) at node.
func Errorf(node *yaml.Node, field, format string, args ...any) *FieldError {
	fe := &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
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
