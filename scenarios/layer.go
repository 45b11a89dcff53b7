package scenarios

import (
	"gopkg.in/yaml.v3"
)

// ReplaceTag marks a section, or a mapping inside one, that replaces its
// base's whole when the file is laid over another (extends:, or a later
// --scenario) instead of adding to it:
//
//	securid: !replace
//	  users: ...        # default's API keys are gone too
//	onedata:
//	  users: !replace   # only these users; onedata's tokens are kept
//	    ...
const ReplaceTag = "!replace"

// markReplaced takes ReplaceTag off the nodes of a section's tree (so the
// vendor decoding it never sees it) and remembers them in the section.
func markReplaced(s *Section) {
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > maxDepth {
			return
		}
		if n.Tag == ReplaceTag {
			if s.replace == nil {
				s.replace = map[*yaml.Node]bool{}
			}
			s.replace[n] = true
			n.Tag = ""
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(s.Node, 0)
}

// laySection lays over's section of a key on base's: a vendor's mappings
// are merged key by key, all the way down (a user added, the API keys
// kept), a value of another kind or a mapping marked ReplaceTag taking
// the base's place whole. The faults list is replaced whole. Each node
// keeps the file it came from, for positioning mistakes.
func laySection(key string, base, over Section) Section {
	if key == faultsKey || base.Node == nil || over.replace[over.Node] ||
		mapping(base.Node) == nil || mapping(over.Node) == nil {
		return over
	}
	out := Section{File: over.File, Key: over.Key, from: map[*yaml.Node]string{}, replace: over.replace}
	adopt := func(n *yaml.Node) { adoptTree(n, base, out.from, 0) }
	out.Node = layMapping(mapping(base.Node), mapping(over.Node), over.replace, adopt)
	return out
}

// faultsKey is the top-level key of a scenario's faults.
const faultsKey = "faults"

func layMapping(base, over *yaml.Node, replaced map[*yaml.Node]bool, adopt func(*yaml.Node)) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Line: over.Line, Column: over.Column, Style: over.Style}
	at := map[string]int{}
	for i := 0; i+1 < len(base.Content); i += 2 {
		k, v := base.Content[i], base.Content[i+1]
		at[k.Value] = len(out.Content)
		out.Content = append(out.Content, k, v)
		adopt(k)
		adopt(v)
	}
	for i := 0; i+1 < len(over.Content); i += 2 {
		k, v := over.Content[i], over.Content[i+1]
		j, ok := at[k.Value]
		if !ok {
			out.Content = append(out.Content, k, v)
			continue
		}
		if bm, om := mapping(out.Content[j+1]), mapping(v); bm != nil && om != nil && !replaced[v] {
			v = layMapping(bm, om, replaced, adopt)
		}
		out.Content[j], out.Content[j+1] = k, v
	}
	return out
}

// mapping is n as a mapping node (through an alias), or nil.
func mapping(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	return n
}

// adoptTree notes that n's tree came from base's file.
func adoptTree(n *yaml.Node, base Section, from map[*yaml.Node]string, depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	if _, seen := from[n]; seen {
		return
	}
	from[n] = base.FileOf(n)
	for _, c := range n.Content {
		adoptTree(c, base, from, depth+1)
	}
}

// FileOf names the file a node of the section came from: the section's
// own, or, for what a base laid in, the base's.
func (s Section) FileOf(n *yaml.Node) string {
	if f, ok := s.from[n]; ok {
		return f
	}
	return s.File
}
