package kit

import (
	"encoding"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Decode decodes node into v strictly and in one pass: a key that names no
// field, a value of the wrong kind and a scalar that does not convert are
// each reported at the offending node, all of them, as FieldErrors. prefix
// names the section for the errors' field paths ("onedata.users.x[2]").
//
// yaml.v3's own Node.Decode is not used on collections: it compares every
// key of a mapping with every other (quadratic), and it reports neither
// unknown fields nor the value's column. Duplicate keys and alias budgets
// are the caller's to check first (scenarios.ParseYAML does).
func Decode(node *yaml.Node, prefix string, v any) error {
	if node == nil {
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("kit.Decode: need a non-nil pointer, got %T", v)
	}
	var d decoder
	d.value(node, rv.Elem(), prefix, 0)
	return d.errs.Err()
}

type decoder struct {
	errs   Errors
	fields map[reflect.Type]map[string]reflect.StructField // per type, computed once
}

var (
	unmarshalerType     = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
	timeType            = reflect.TypeOf(time.Time{})
	durationType        = reflect.TypeOf(time.Duration(0))
)

// maxAliasDepth stops an alias chain the caller did not bound.
const maxAliasDepth = 100

func (d *decoder) value(n *yaml.Node, out reflect.Value, path string, aliases int) {
	for n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil || aliases > maxAliasDepth {
			d.errs.Add(n, path, "alias %q cannot be followed", n.Value)
			return
		}
		d.value(n.Alias, out, path, aliases+1)
		return
	}
	if isNull(n) {
		out.Set(reflect.Zero(out.Type()))
		return
	}
	t := out.Type()
	// Types that decode themselves (a small subtree: the caller bounded it).
	if reflect.PointerTo(t).Implements(unmarshalerType) || reflect.PointerTo(t).Implements(textUnmarshalerType) && t != timeType {
		if err := n.Decode(out.Addr().Interface()); err != nil {
			d.errs.Add(n, path, "%s", yamlMessage(err))
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if out.IsNil() {
			out.Set(reflect.New(t.Elem()))
		}
		d.value(n, out.Elem(), path, aliases)
	case reflect.Struct:
		if t == timeType {
			d.timeValue(n, out, path)
			return
		}
		d.structValue(n, out, path, aliases)
	case reflect.Map:
		d.mapValue(n, out, path, aliases)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.errs.Add(n, path, "expected a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i), aliases)
		}
		out.Set(s)
	case reflect.Interface:
		var x any
		if err := n.Decode(&x); err != nil {
			d.errs.Add(n, path, "%s", yamlMessage(err))
			return
		}
		if x != nil {
			out.Set(reflect.ValueOf(x))
		}
	default:
		d.scalar(n, out, path)
	}
}

func (d *decoder) structValue(n *yaml.Node, out reflect.Value, path string, aliases int) {
	t := out.Type()
	if n.Kind != yaml.MappingNode {
		d.errs.Add(n, path, "expected a mapping of %s, got %s", Known(fieldNames(t)), describe(n))
		return
	}
	fields, ok := d.fields[t]
	if !ok {
		if d.fields == nil {
			d.fields = map[reflect.Type]map[string]reflect.StructField{}
		}
		fields = structFields(t)
		d.fields[t] = fields
	}
	d.pairs(n, path, aliases, func(k, val *yaml.Node) {
		f, ok := fields[k.Value]
		if !ok {
			d.errs.Add(k, join(path, k.Value), "unknown field %q (%s)", k.Value, Known(fieldNames(t)))
			return
		}
		d.value(val, out.FieldByIndex(f.Index), join(path, k.Value), aliases)
	})
}

func (d *decoder) mapValue(n *yaml.Node, out reflect.Value, path string, aliases int) {
	t := out.Type()
	if n.Kind != yaml.MappingNode {
		d.errs.Add(n, path, "expected a mapping, got %s", describe(n))
		return
	}
	if out.IsNil() {
		out.Set(reflect.MakeMapWithSize(t, len(n.Content)/2))
	}
	d.pairs(n, path, aliases, func(k, val *yaml.Node) {
		key := reflect.New(t.Key()).Elem()
		before := len(d.errs.list)
		d.scalar(k, key, join(path, k.Value))
		if len(d.errs.list) > before {
			return
		}
		elem := reflect.New(t.Elem()).Elem()
		d.value(val, elem, join(path, k.Value), aliases)
		out.SetMapIndex(key, elem)
	})
}

// pairs calls fn for each key and value of a mapping, merge keys ("<<")
// expanded first so that the mapping's own keys override what they bring.
func (d *decoder) pairs(n *yaml.Node, path string, aliases int, fn func(k, v *yaml.Node)) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Tag != "!!merge" {
			continue
		}
		for _, m := range mergeSources(v) {
			if aliases > maxAliasDepth {
				d.errs.Add(k, path, "merge keys nested too deep")
				return
			}
			if m.Kind != yaml.MappingNode {
				d.errs.Add(v, path, "a merge key takes a mapping or a list of mappings")
				continue
			}
			d.pairs(m, path, aliases+1, fn)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Tag != "!!merge" {
			fn(k, n.Content[i+1])
		}
	}
}

func mergeSources(v *yaml.Node) []*yaml.Node {
	if v.Kind == yaml.AliasNode && v.Alias != nil {
		v = v.Alias
	}
	if v.Kind != yaml.SequenceNode {
		return []*yaml.Node{v}
	}
	var out []*yaml.Node
	for _, c := range v.Content {
		if c.Kind == yaml.AliasNode && c.Alias != nil {
			c = c.Alias
		}
		out = append(out, c)
	}
	return out
}

func (d *decoder) timeValue(n *yaml.Node, out reflect.Value, path string) {
	var tm time.Time
	if n.Kind != yaml.ScalarNode || n.Decode(&tm) != nil {
		d.errs.Add(n, path, "expected a time such as 2026-01-31T12:00:00Z, got %s", describe(n))
		return
	}
	out.Set(reflect.ValueOf(tm))
}

// scalar converts one scalar node with YAML 1.2's core rules, as yaml.v3
// resolves them, and says what was expected when it does not fit.
func (d *decoder) scalar(n *yaml.Node, out reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.errs.Add(n, path, "expected %s, got %s", kindWord(out.Type()), describe(n))
		return
	}
	tag := n.ShortTag()
	switch out.Kind() {
	case reflect.String:
		out.SetString(n.Value)
		return
	case reflect.Bool:
		if tag == "!!bool" {
			b, err := strconv.ParseBool(strings.ToLower(n.Value))
			if err == nil {
				out.SetBool(b)
				return
			}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if out.Type() == durationType {
			if dur, err := time.ParseDuration(n.Value); err == nil {
				out.SetInt(int64(dur))
				return
			}
			break
		}
		if tag == "!!int" {
			var i int64
			if err := n.Decode(&i); err == nil && !out.OverflowInt(i) {
				out.SetInt(i)
				return
			}
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if tag == "!!int" {
			var u uint64
			if err := n.Decode(&u); err == nil && !out.OverflowUint(u) {
				out.SetUint(u)
				return
			}
		}
	case reflect.Float32, reflect.Float64:
		if tag == "!!int" || tag == "!!float" {
			var f float64
			if err := n.Decode(&f); err == nil && !math.IsNaN(f) {
				out.SetFloat(f)
				return
			}
		}
	default:
		d.errs.Add(n, path, "cannot hold a %s", out.Type())
		return
	}
	d.errs.Add(n, path, "expected %s, got %s", kindWord(out.Type()), describe(n))
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describe names a node for an error message: the value itself for a
// short scalar, its kind otherwise.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	return strconv.Quote(v)
}

func kindWord(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if t == durationType {
			return "a duration such as 200ms or 1s"
		}
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	}
	return "a " + t.String()
}

// yamlMessage strips yaml.v3's "yaml: unmarshal errors:\n  line N: " frame.
func yamlMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg := te.Errors[0]
		if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "line ") {
			msg = rest
		}
		return msg
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// Known writes a list of valid values one way everywhere: "known: a, b, c".
func Known(values []string) string {
	return "known: " + strings.Join(values, ", ")
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
				v.Index = append([]int{i}, v.Index...)
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
