package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"
)

// Limits on what one YAML document may cost. They are checked on the node
// tree before anything decodes it, so a small hostile document (an alias
// bomb, thousands of identical keys) is refused in one linear pass.
const (
	// MaxBytes is the largest YAML document read.
	MaxBytes = 64 << 20
	// MaxNodes bounds the nodes a document expands to, each alias counted
	// as the size of what it names. An 80,000-user scenario is about a
	// million.
	MaxNodes = 4_000_000
)

// ParseYAML reads one YAML document into a node tree and checks it against
// the limits: size, node budget (aliases expanded), and duplicate keys in
// any mapping. name is used in error messages.
func ParseYAML(name string, data []byte) (*yaml.Node, error) {
	if len(data) > MaxBytes {
		return nil, &Error{File: name, Line: 1, Column: 1, Msg: fmt.Sprintf("over %d bytes", MaxBytes)}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{File: name, Line: 1, Column: 1, Msg: "empty document"}
		}
		return nil, syntaxError(name, data, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line, col := extra.Line, extra.Column
		if err != nil {
			line, col = 1, 1
		}
		return nil, &Error{File: name, Line: line, Column: col, Msg: "a file holds one YAML document"}
	}
	b := bounder{file: name, sizes: map[*yaml.Node]int64{}, budget: MaxNodes}
	if _, err := b.walk(&doc, 0); err != nil {
		return nil, err
	}
	return &doc, nil
}

// bounder counts nodes with aliases expanded, memoizing each anchored
// node's expanded size so the walk stays linear in the document.
type bounder struct {
	file   string
	sizes  map[*yaml.Node]int64
	budget int64
}

// maxDepth bounds nesting (yaml.v3 itself allows 10,000 levels).
const maxDepth = 200

func (b *bounder) walk(n *yaml.Node, depth int) (int64, error) {
	if depth > maxDepth {
		return 0, &Error{File: b.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf("nested deeper than %d levels", maxDepth)}
	}
	// Only anchored nodes can be reached twice; only they are remembered.
	if n.Anchor != "" {
		if s, ok := b.sizes[n]; ok {
			if s < 0 { // still being walked: an alias inside names its own parent
				return 0, &Error{File: b.file, Line: n.Line, Column: n.Column, Msg: "anchor " + n.Anchor + " contains an alias to itself"}
			}
			return s, nil
		}
		b.sizes[n] = -1
	}
	size := int64(1)
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias != nil {
			s, err := b.walk(n.Alias, depth+1)
			if err != nil {
				return 0, err
			}
			size += s
		}
	case yaml.MappingNode:
		seen := make(map[string]struct{}, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
				if _, dup := seen[k.Value]; dup {
					return 0, &Error{File: b.file, Line: k.Line, Column: k.Column, Field: k.Value, Msg: "appears twice"}
				}
				seen[k.Value] = struct{}{}
			}
		}
		fallthrough
	default:
		for _, c := range n.Content {
			s, err := b.walk(c, depth+1)
			if err != nil {
				return 0, err
			}
			if size += s; size > b.budget {
				break
			}
		}
	}
	if size > b.budget {
		return 0, &Error{File: b.file, Line: n.Line, Column: n.Column,
			Msg: fmt.Sprintf("expands to over %d nodes (an alias counts as all it repeats)", b.budget)}
	}
	if n.Anchor != "" {
		b.sizes[n] = size
	}
	return size, nil
}
