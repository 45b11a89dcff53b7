// Package scenarios reads scenario files, the built-in ones embedded in the
// binary and the user's own, and writes them (Writer, for exports and
// recordings). It parses the top level only; each vendor's section is
// handed on as a YAML node for that vendor to decode.
package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	yaml4 "go.yaml.in/yaml/v4"
	"gopkg.in/yaml.v3"
)

//go:embed builtin/*.yaml
var builtin embed.FS

// Error is a mistake in a scenario file, positioned for a person to fix.
type Error struct {
	File         string
	Line, Column int
	Field        string
	Msg          string
	// Source is the offending line with a caret under the column, for a
	// syntax error; it follows the message on lines of its own.
	Source string
}

func (e *Error) Error() string {
	field := ""
	if e.Field != "" {
		field = e.Field + ": "
	}
	out := fmt.Sprintf("%s:%d:%d: %s%s", e.File, e.Line, e.Column, field, e.Msg)
	if e.Source != "" {
		out += "\n" + e.Source
	}
	return out
}

// Section is one top-level key of a scenario besides name and description:
// a vendor's state, or the faults list.
type Section struct {
	File string
	Key  *yaml.Node // the key, for positioning errors about the section as a whole
	Node *yaml.Node // the value
	// from names the file of each node a base laid in (FileOf); replace
	// holds the mappings marked ReplaceTag.
	from    map[*yaml.Node]string
	replace map[*yaml.Node]bool
}

// File is a parsed scenario file.
type File struct {
	Path        string
	Name        string
	Description string
	Extends     string // the built-in scenario (or, on disk, the file) this one starts from, if any
	Sections    map[string]Section
	Order       []string // section keys in file order
	// People are the people section's entries: unlike a vendor's section,
	// an overlay's people are laid over its base's, person by person.
	People []Person
}

// Info describes a built-in scenario for listings.
type Info struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Parse reads one scenario document. path is used in error messages only:
// a document that is not read from disk may extend a built-in, not a file
// (a scenario posted to the control API must not make it read files).
func Parse(path string, data []byte) (*File, error) { return parse(path, data, false) }

func parse(path string, data []byte, onDisk bool) (*File, error) {
	f, err := parseOne(path, data, onDisk)
	if err != nil || f.Extends == "" {
		return f, err
	}
	return extend(f, 0)
}

// parseOne reads one document without resolving extends.
func parseOne(path string, data []byte, onDisk bool) (*File, error) {
	doc, err := ParseYAML(path, data)
	if err != nil {
		if e, ok := err.(*Error); ok && e.Msg == "empty document" {
			e.Msg = "empty scenario file"
		}
		return nil, err
	}
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: path, Line: root.Line, Column: root.Column, Msg: "a scenario is a mapping of name, description and one section per vendor"}
	}
	f := &File{Path: path, Sections: map[string]Section{}}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if _, dup := f.Sections[k.Value]; dup || (k.Value == "name" && f.Name != "") {
			return nil, &Error{File: path, Line: k.Line, Column: k.Column, Field: k.Value, Msg: "appears twice"}
		}
		switch k.Value {
		case "name", "description", "extends":
			if v.Kind != yaml.ScalarNode {
				return nil, &Error{File: path, Line: v.Line, Column: v.Column, Field: k.Value, Msg: "must be a string"}
			}
			switch k.Value {
			case "name":
				f.Name = v.Value
			case "description":
				f.Description = v.Value
			default:
				ext, msg := resolveExtends(path, v.Value, onDisk)
				if msg != "" {
					return nil, &Error{File: path, Line: v.Line, Column: v.Column, Field: k.Value, Msg: msg}
				}
				f.Extends = ext
			}
		case PeopleKey:
			if f.People != nil {
				return nil, &Error{File: path, Line: k.Line, Column: k.Column, Field: k.Value, Msg: "appears twice"}
			}
			people, err := parsePeople(path, v)
			if err != nil {
				return nil, err
			}
			f.People = append([]Person{}, people...)
		default:
			sec := Section{File: path, Key: k, Node: v}
			markReplaced(&sec)
			f.Sections[k.Value] = sec
			f.Order = append(f.Order, k.Value)
		}
	}
	if f.Name == "" {
		f.Name = strings.TrimSuffix(pathBase(path), pathExt(path))
	}
	return f, nil
}

// resolveExtends checks what a scenario extends: a built-in by name, or,
// in a file on disk, another file (a recording kept as a base), its path
// relative to the extending file's directory. It returns the reference
// to load, or what is wrong with it.
func resolveExtends(path, ref string, onDisk bool) (string, string) {
	if !IsPath(ref) {
		if _, err := BuiltinSource(ref); err != nil {
			return "", fmt.Sprintf("no built-in scenario %q (built-in: %s)", ref, strings.Join(builtinNames(), ", "))
		}
		return ref, ""
	}
	if !onDisk {
		return "", fmt.Sprintf("extends the file %q: only a scenario file on disk (--scenario FILE) may extend a file", ref)
	}
	if !filepath.IsAbs(ref) {
		ref = filepath.Join(filepath.Dir(path), ref)
	}
	if st, err := os.Stat(ref); err != nil || !st.Mode().IsRegular() {
		return "", fmt.Sprintf("extends %q, which is not a readable file", ref)
	}
	return ref, ""
}

// maxExtends bounds a chain of extends, which also ends any cycle.
const maxExtends = 8

// extend lays f's sections over those of the scenario it extends: a
// vendor's section adds to the base's (laySection), the faults replace
// the base's, people are added person by person.
func extend(f *File, depth int) (*File, error) {
	if depth >= maxExtends {
		return nil, &Error{File: f.Path, Line: 1, Column: 1, Field: "extends", Msg: "extends chain too long (a cycle?)"}
	}
	var base *File
	var err error
	if IsPath(f.Extends) {
		data, rerr := os.ReadFile(f.Extends)
		if rerr != nil {
			return nil, &Error{File: f.Path, Line: 1, Column: 1, Field: "extends", Msg: rerr.Error()}
		}
		base, err = parseOne(f.Extends, data, true)
	} else {
		data, _ := BuiltinSource(f.Extends) // checked by Parse
		base, err = parseOne("builtin:"+f.Extends, data, false)
	}
	if err != nil {
		return nil, err
	}
	if base.Extends != "" {
		if base, err = extend(base, depth+1); err != nil {
			return nil, err
		}
	}
	out := &File{Path: f.Path, Name: f.Name, Description: f.Description, Extends: f.Extends, Sections: map[string]Section{},
		People: layPeople(base.People, f.People)}
	for _, key := range base.Order {
		out.Sections[key] = base.Sections[key]
		out.Order = append(out.Order, key)
	}
	for _, key := range f.Order {
		base, ok := out.Sections[key]
		if !ok {
			out.Order = append(out.Order, key)
		}
		out.Sections[key] = laySection(key, base, f.Sections[key])
	}
	return out, nil
}

func pathBase(p string) string { return path.Base(strings.ReplaceAll(p, "\\", "/")) }
func pathExt(p string) string  { return path.Ext(pathBase(p)) }

// syntaxError positions a YAML syntax error where the parser actually
// is, with the line shown. yaml.v3 names only the line where the
// enclosing construct began ("yaml: line 3: ..." for a "{" left open on
// line 4), so the text is parsed again by go-yaml v4, whose errors carry
// both the problem's mark and the construct's.
func syntaxError(path string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line, col := 1, 1
	if n, rest, ok := strings.Cut(msg, ": "); ok {
		if _, scanErr := fmt.Sscanf(n, "line %d", &line); scanErr == nil {
			msg = rest
		}
	}
	var n yaml4.Node
	var le *yaml4.LoadError
	if errors.As(yaml4.Unmarshal(data, &n), &le) && le.Mark.Line > 0 {
		line, col, msg = le.Mark.Line, max(le.Mark.Column, 1), le.Message
		if le.ContextMsg != "" && le.ContextMark.Line > 0 && le.ContextMark != le.Mark {
			what := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(le.ContextMsg, "while "), "parsing "), "scanning ")
			msg += fmt.Sprintf(" (in %s that starts at %d:%d)", what, le.ContextMark.Line, le.ContextMark.Column)
		}
	}
	return &Error{File: path, Line: line, Column: col, Msg: msg, Source: sourceLine(data, line, col)}
}

// sourceLine shows line n of data with a caret under column col, for a
// syntax error; "" when there is no such line.
func sourceLine(data []byte, n, col int) string {
	lines := strings.Split(string(data), "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	text := strings.TrimRight(lines[n-1], "\r")
	if len(text) > 200 {
		text = text[:200] + "..."
	}
	// Tabs keep their width under the caret.
	pad := []rune(text)[:min(max(col-1, 0), len([]rune(text)))]
	for i, r := range pad {
		if r != '\t' {
			pad[i] = ' '
		}
	}
	return fmt.Sprintf("%5d | %s\n      | %s^", n, text, string(pad))
}

// Builtins lists the embedded scenarios, sorted by name.
func Builtins() []Info {
	entries, _ := fs.ReadDir(builtin, "builtin")
	var out []Info
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".yaml")
		f, err := Builtin(name)
		if err != nil {
			out = append(out, Info{Name: name, Description: "(broken: " + err.Error() + ")"})
			continue
		}
		out = append(out, Info{Name: name, Description: f.Description})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Builtin parses the embedded scenario of that name.
func Builtin(name string) (*File, error) {
	data, err := builtin.ReadFile("builtin/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in scenario %q (built-in: %s)", name, strings.Join(builtinNames(), ", "))
	}
	return Parse("builtin:"+name, data)
}

// BuiltinSource returns the YAML text of a built-in scenario.
func BuiltinSource(name string) ([]byte, error) {
	return builtin.ReadFile("builtin/" + name + ".yaml")
}

func builtinNames() []string {
	entries, _ := fs.ReadDir(builtin, "builtin")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// Open reads a built-in scenario by name, or a file by path. A reference
// that contains a path separator or ends in .yaml/.yml is a path.
func Open(ref string) (*File, error) {
	if !IsPath(ref) {
		return Builtin(ref)
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		return nil, err
	}
	return parse(ref, data, true)
}

// IsPath tells a file reference from a built-in name.
func IsPath(ref string) bool {
	return strings.ContainsAny(ref, `/\`) || strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml")
}

// Merge combines several files into one scenario: a later file's section
// replaces an earlier one's of the same key (a vendor, or faults), as
// extends does, so "--scenario default --scenario my.yaml" is default with
// my.yaml's sections on top.
func Merge(files ...*File) (*File, error) {
	if len(files) == 1 {
		return files[0], nil
	}
	out := &File{Sections: map[string]Section{}}
	var names, descs, paths []string
	for _, f := range files {
		names = append(names, f.Name)
		paths = append(paths, f.Path)
		if f.Description != "" {
			descs = append(descs, f.Description)
		}
		for _, key := range f.Order {
			base, seen := out.Sections[key]
			if !seen {
				out.Order = append(out.Order, key)
			}
			out.Sections[key] = laySection(key, base, f.Sections[key])
		}
		out.People = layPeople(out.People, f.People)
	}
	out.Name = strings.Join(names, "+")
	out.Path = strings.Join(paths, ",")
	out.Description = strings.Join(descs, " ")
	return out, nil
}

// Errors is every mistake found in a scenario, in file and line order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find one *Error among them.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// List flattens err into its positioned mistakes; nil when it has none.
func List(err error) []*Error {
	var many Errors
	if errors.As(err, &many) {
		return many
	}
	var one *Error
	if errors.As(err, &one) {
		return []*Error{one}
	}
	return nil
}
