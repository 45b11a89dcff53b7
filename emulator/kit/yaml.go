package kit

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

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

// Decode decodes node into v strictly: a key that names no field of the
// target is an error with its position, which yaml.v3's Node.Decode does
// not report. prefix names the section for the error's field path.
func Decode(node *yaml.Node, prefix string, v any) error {
	if node == nil {
		return nil
	}
	if err := checkKeys(node, reflect.TypeOf(v), prefix); err != nil {
		return err
	}
	if err := node.Decode(v); err != nil {
		return typeError(node, prefix, err)
	}
	return nil
}

var (
	unmarshalerType     = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	timeType            = reflect.TypeOf(time.Time{})
)

func checkKeys(node *yaml.Node, t reflect.Type, path string) error {
	if node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	if node.Kind == yaml.DocumentNode && len(node.Content) == 1 {
		node = node.Content[0]
	}
	for t.Kind() == reflect.Pointer {
		if t.Implements(unmarshalerType) {
			return nil
		}
		t = t.Elem()
	}
	if t == timeType {
		var tm time.Time
		if err := node.Decode(&tm); err != nil {
			return &FieldError{node.Line, node.Column, path, fmt.Sprintf("not a time: %q (say 2026-01-31T12:00:00Z)", node.Value)}
		}
		return nil
	}
	// Types that decode from a scalar (net.IP, ...) have no keys to check.
	if reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return nil
	}
	if node.Kind == yaml.ScalarNode && node.Tag == "!!null" {
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			return &FieldError{node.Line, node.Column, path, "expected a mapping of " + strings.Join(fieldNames(t), ", ")}
		}
		fields := structFields(t)
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, val := node.Content[i], node.Content[i+1]
			f, ok := fields[k.Value]
			if !ok {
				return &FieldError{k.Line, k.Column, join(path, k.Value),
					fmt.Sprintf("unknown field %q (known: %s)", k.Value, strings.Join(fieldNames(t), ", "))}
			}
			if err := checkKeys(val, f.Type, join(path, k.Value)); err != nil {
				return err
			}
		}
	case reflect.Map:
		if node.Kind != yaml.MappingNode {
			return &FieldError{node.Line, node.Column, path, "expected a mapping"}
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			if err := checkKeys(node.Content[i+1], t.Elem(), join(path, node.Content[i].Value)); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if node.Kind != yaml.SequenceNode {
			return &FieldError{node.Line, node.Column, path, "expected a list"}
		}
		for i, item := range node.Content {
			if err := checkKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func structFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range structFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for k := range structFields(t) {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// typeError turns yaml.v3's "line N: cannot unmarshal ..." into a
// positioned FieldError.
func typeError(node *yaml.Node, path string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		if m := yamlLine.FindStringSubmatch(te.Errors[0]); m != nil {
			line, _ := strconv.Atoi(m[1])
			return &FieldError{Line: line, Column: 1, Field: path, Msg: m[2]}
		}
		return &FieldError{Line: node.Line, Column: node.Column, Field: path, Msg: te.Errors[0]}
	}
	return &FieldError{Line: node.Line, Column: node.Column, Field: path, Msg: err.Error()}
}
