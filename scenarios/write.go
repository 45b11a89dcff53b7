package scenarios

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Writer writes plain Go values (structs with yaml tags, maps, slices,
// scalars) as block YAML, streaming, in one linear pass (yaml.v3's encoder
// grows its buffer quadratically: 20,000 users took 14 s). Every string is
// double-quoted with escapes, so no value can be read back as anything
// else: not a merge key ("<<"), a number, a boolean, a null, nor lose a
// line break.
//
// Layout: maps and structs holding collections are block mappings; a
// struct of scalars (and lists of them) is one flow mapping on its key's
// line, and a list of scalars one flow sequence, which keeps an export of
// 80,000 users small enough to load back. A field with its zero value is
// left out: the loader reads a missing field as zero (the export checks
// itself by loading back, so a vendor where that is not so is caught).
type Writer struct {
	w      *bufio.Writer
	num    []byte                       // scratch for numbers
	err    error                        // the first value that YAML cannot hold
	fields map[reflect.Type][]yamlField // per struct type, computed once
}

// yamlField is a struct field as the writer names it.
type yamlField struct {
	index int
	name  string
	flat  bool // a scalar, a time or a list of scalars
}

// NewWriter starts a scenario file on w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10)}
}

// Field writes one top-level "key: value"; key is written as given.
func (y *Writer) Field(key string, v any) {
	y.field(0, key, reflect.ValueOf(v))
}

// Close flushes what is written and reports the first value YAML could not
// hold, or the first write that failed.
func (y *Writer) Close() error {
	if err := y.w.Flush(); err != nil {
		return err
	}
	return y.err
}

// field writes "key: value" at an indent; key is written as given.
func (y *Writer) field(indent int, key string, v reflect.Value) {
	y.pad(indent)
	y.w.WriteString(key)
	y.w.WriteByte(':')
	y.value(indent, v)
}

func (y *Writer) pad(indent int) {
	for range indent {
		y.w.WriteString("  ")
	}
}

// value writes v after a "key:" or "- ": a scalar or an empty collection on
// the same line, anything else on the lines below, one level deeper.
func (y *Writer) value(indent int, v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			y.w.WriteString(" null\n")
			return
		}
		v = v.Elem()
	}
	if v.Type() == reflect.TypeFor[time.Time]() {
		y.w.WriteByte(' ')
		y.quote(v.Interface().(time.Time).Format(time.RFC3339Nano))
		y.w.WriteByte('\n')
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		fields, flat := y.structInfo(v.Type())
		if flat {
			y.w.WriteByte(' ')
			y.flow(v, fields)
			y.w.WriteByte('\n')
			return
		}
		wrote := false
		for _, f := range fields {
			fv := v.Field(f.index)
			if isEmpty(fv) {
				continue
			}
			if !wrote {
				y.w.WriteByte('\n')
				wrote = true
			}
			y.field(indent+1, f.name, fv)
		}
		if !wrote {
			y.w.WriteString(" {}\n")
		}
	case reflect.Map:
		if v.Len() == 0 {
			y.w.WriteString(" {}\n")
			return
		}
		y.w.WriteByte('\n')
		for _, k := range sortedKeys(v) {
			y.pad(indent + 1)
			if k.Kind() == reflect.String && len(k.String()) > maxImplicitKey {
				// YAML allows an implicit key of at most 1,024 characters;
				// a longer one (a long token) takes the explicit form.
				y.w.WriteString("? ")
				y.key(k)
				y.w.WriteByte('\n')
				y.pad(indent + 1)
			} else {
				y.key(k)
			}
			y.w.WriteByte(':')
			y.value(indent+1, v.MapIndex(k))
		}
	case reflect.Slice, reflect.Array:
		if v.Len() == 0 || isScalarType(v.Type().Elem()) {
			y.w.WriteByte(' ')
			y.flowList(v)
			y.w.WriteByte('\n')
			return
		}
		y.w.WriteByte('\n')
		for i := range v.Len() {
			y.pad(indent + 1)
			y.w.WriteByte('-')
			y.value(indent+1, v.Index(i))
		}
	default:
		y.w.WriteByte(' ')
		y.scalar(v)
		y.w.WriteByte('\n')
	}
}

// maxImplicitKey is the longest key written as "key: value": YAML's limit
// of 1,024 characters for an implicit key, less room for the quotes and
// escapes of a double-quoted one.
const maxImplicitKey = 900

// key writes a map key: an integer as it is (the loader reads it into an
// int key), anything else quoted.
func (y *Writer) key(k reflect.Value) {
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		y.scalar(k)
	case reflect.String:
		y.quote(k.String())
	default:
		y.quote(fmt.Sprint(k.Interface()))
	}
}

func (y *Writer) scalar(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		y.quote(v.String())
	case reflect.Bool:
		y.w.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		y.num = strconv.AppendInt(y.num[:0], v.Int(), 10)
		y.w.Write(y.num)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		y.num = strconv.AppendUint(y.num[:0], v.Uint(), 10)
		y.w.Write(y.num)
	case reflect.Float32, reflect.Float64:
		y.w.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	default:
		y.fail(fmt.Errorf("a %s cannot be written as YAML", v.Type()))
		y.w.WriteString("null")
	}
}

// quote writes s as a YAML double-quoted scalar: printable characters as
// they are, everything else (line breaks, tabs, controls, YAML's own
// breaks U+0085, U+2028, U+2029, a byte-order mark) escaped.
func (y *Writer) quote(s string) {
	if !utf8.ValidString(s) {
		y.fail(fmt.Errorf("%q is not valid UTF-8, which YAML cannot hold", s))
	}
	y.w.WriteByte('"')
	if plainASCII(s) {
		y.w.WriteString(s)
		y.w.WriteByte('"')
		return
	}
	for _, r := range s {
		switch {
		case r == '"':
			y.w.WriteString(`\"`)
		case r == '\\':
			y.w.WriteString(`\\`)
		case r == '\n':
			y.w.WriteString(`\n`)
		case r == '\t':
			y.w.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 || r == 0xfeff || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(y.w, `\u%04x`, r)
		default:
			y.w.WriteRune(r)
		}
	}
	y.w.WriteByte('"')
}

func (y *Writer) fail(err error) {
	if y.err == nil {
		y.err = err
	}
}

// structInfo lists a struct type's fields as yaml.v3 names them (the
// tag's name, or the field's lower-cased; "-" and unexported fields left
// out) and tells whether all are flat.
func (y *Writer) structInfo(t reflect.Type) ([]yamlField, bool) {
	if y.fields == nil {
		y.fields = map[reflect.Type][]yamlField{}
	}
	fields, ok := y.fields[t]
	if !ok {
		fields = []yamlField{}
		for i := range t.NumField() {
			sf := t.Field(i)
			name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
			if !sf.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(sf.Name)
			}
			ft := sf.Type
			flat := isScalarType(ft) || ft == reflect.TypeFor[time.Time]() ||
				(ft.Kind() == reflect.Slice && isScalarType(ft.Elem()))
			fields = append(fields, yamlField{index: i, name: name, flat: flat})
		}
		y.fields[t] = fields
	}
	for _, f := range fields {
		if !f.flat {
			return fields, false
		}
	}
	return fields, true
}

// isScalarType tells a type written as one scalar.
func isScalarType(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// flow writes a struct of flat fields as one flow mapping, zero fields
// left out.
func (y *Writer) flow(v reflect.Value, fields []yamlField) {
	y.w.WriteByte('{')
	first := true
	for _, f := range fields {
		fv := v.Field(f.index)
		if isEmpty(fv) {
			continue
		}
		if !first {
			y.w.WriteString(", ")
		}
		first = false
		y.w.WriteString(f.name)
		y.w.WriteString(": ")
		switch {
		case fv.Type() == reflect.TypeFor[time.Time]():
			y.quote(fv.Interface().(time.Time).Format(time.RFC3339Nano))
		case fv.Kind() == reflect.Slice:
			y.flowList(fv)
		default:
			y.scalar(fv)
		}
	}
	y.w.WriteByte('}')
}

// flowList writes a list of scalars as one flow sequence.
func (y *Writer) flowList(v reflect.Value) {
	y.w.WriteByte('[')
	for i := range v.Len() {
		if i > 0 {
			y.w.WriteString(", ")
		}
		y.scalar(v.Index(i))
	}
	y.w.WriteByte(']')
}

// isEmpty tells a field the writer leaves out: zero, or an empty
// collection.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Map, reflect.Slice, reflect.Array, reflect.String:
		return v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return v.Interface().(time.Time).IsZero()
		}
	}
	return v.IsZero()
}

// sortedKeys orders a map's keys: numbers by value, the rest as text.
func sortedKeys(m reflect.Value) []reflect.Value {
	keys := m.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int {
		switch a.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return cmp.Compare(a.Int(), b.Int())
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			return cmp.Compare(a.Uint(), b.Uint())
		}
		return strings.Compare(fmt.Sprint(a.Interface()), fmt.Sprint(b.Interface()))
	})
	return keys
}

// plainASCII tells a string of printable ASCII without quote or backslash,
// written inside double quotes as it is.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
