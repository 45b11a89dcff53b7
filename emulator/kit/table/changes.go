package table

import (
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Change is one difference in a vendor's state: a row (or a field of one,
// however deep) added, removed or changed. Path starts with the table's
// JSON name and the row's key ("users", "6"), then the fields below it
// ("workspaces", "demo-workspace", "users", "2d03...").
type Change struct {
	Path   []string        `json:"path"`
	Kind   string          `json:"kind"` // "added", "removed" or "changed"
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// What a list of changes keeps at most.
const (
	MaxChanges     = 100
	maxChangeValue = 2048
)

// Recorder notes, for the tables of a state it watches, each row a
// handler touches and what it was before, so that what one request
// changed can be told afterwards, without copying the state. The engine
// watches a state for the length of one handler, under the state's lock.
type Recorder struct {
	tables  []recordable // every table watched, nested ones included
	touched []touchedRow
	// index finds a touched row once a request has touched more than a
	// few: a delete of 29,000 ids looks each up in constant time.
	index map[rowKey]int
	// Room for the usual request's few tables and rows, inside the
	// Recorder its caller keeps.
	tablesArr  [8]recordable
	touchedArr [4]touchedRow
}

type touchedRow struct {
	table   string // the table's path, elements joined by pathSep
	key     string
	before  any // the row's value before, private to the record; nil: absent
	had     bool
	after   func() (any, bool)
	shallow bool // the tables inside the row are watched themselves
}

// rowKey names a touched row.
type rowKey struct{ table, key string }

// indexFrom is how many touched rows a scan looks through before the
// Recorder indexes them.
const indexFrom = 8

// pathSep joins the elements of a table's path while it is recorded.
const pathSep = "\x00"

// recordable is a *Table of any types.
type recordable interface {
	watch(r *Recorder, path string)
	since() []touchedRow
	// diffTable lists how other, a clone of this table changed since,
	// differs from it, looking only at the rows either changed.
	diffTable(out []Change, path []string, other any) []Change
}

// eachTable calls fn with each table among a struct's exported fields
// (through a pointer) and its JSON name. Which fields those are is worked
// out once per type (tableFields); a call only reads them.
func eachTable(s any, fn func(t recordable, name string)) {
	v := reflect.ValueOf(s)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return
	}
	v = v.Elem()
	for _, f := range tableFields(v.Type()) {
		fv := v.Field(f.index)
		if fv.IsNil() {
			continue
		}
		fn(fv.Interface().(recordable), f.name)
	}
}

// tableField is a struct field that holds a table, and its JSON name.
type tableField struct {
	index int
	name  string
}

// layouts memoises tableFields per struct type, as encoding/json does its
// encoders: derived from types alone, never changed once stored, so no
// caller can see another's.
var layouts sync.Map // reflect.Type -> []tableField

var recordableType = reflect.TypeFor[recordable]()

// tableFields lists the exported fields of a struct type that hold a table.
func tableFields(t reflect.Type) []tableField {
	if fs, ok := layouts.Load(t); ok {
		return fs.([]tableField)
	}
	var fs []tableField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Type.Kind() != reflect.Pointer || !f.Type.Implements(recordableType) {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			name = f.Name
		}
		fs = append(fs, tableField{i, name})
	}
	layouts.Store(t, fs)
	return fs
}

// tablesOf lists what eachTable visits.
func tablesOf(s any) ([]recordable, []string) {
	var tables []recordable
	var names []string
	eachTable(s, func(t recordable, name string) {
		tables = append(tables, t)
		names = append(names, name)
	})
	return tables, names
}

// Start watches the tables of a state (a pointer to a struct whose
// exported fields are *Table). A row changed with Mut has the tables
// inside it watched too, so what a request changes deep in a row is told
// by the rows it touched there, never by comparing whole tables. The
// caller keeps the Recorder (the zero value is ready), so watching a
// request that changes nothing allocates nothing.
func (r *Recorder) Start(s any) {
	*r = Recorder{}
	r.tables, r.touched = r.tablesArr[:0], r.touchedArr[:0]
	eachTable(s, func(t recordable, name string) {
		t.watch(r, name)
		r.tables = append(r.tables, t)
	})
}

// watchWithin watches the tables inside a row (a pointer to a struct), at
// the row's path, and marks the row so that its own comparison skips them.
func (r *Recorder) watchWithin(table, key string, row any) {
	found := false
	eachTable(row, func(t recordable, name string) {
		if !found {
			found = true
			if i := r.find(table, key); i >= 0 {
				r.touched[i].shallow = true
			}
		}
		t.watch(r, table+pathSep+key+pathSep+name)
		r.tables = append(r.tables, t)
	})
}

// find is a touched row's place, or -1: a scan while a request has
// touched few rows, an index beyond.
func (r *Recorder) find(table, key string) int {
	if r.index != nil {
		if i, ok := r.index[rowKey{table, key}]; ok {
			return i
		}
		return -1
	}
	for i := range r.touched {
		if r.touched[i].key == key && r.touched[i].table == table {
			return i
		}
	}
	return -1
}

// Finish stops watching and tells what changed, row by row and, inside a
// row, field by field.
func (r *Recorder) Finish() []Change {
	for _, t := range r.tables {
		t.watch(nil, "")
	}
	var out []Change
	for _, row := range r.touched {
		if len(out) >= MaxChanges {
			break // what a list keeps: the rest are not diffed at all
		}
		after, ok := row.after()
		if row.shallow && row.had && ok {
			out = diffFields(out, rowPath(row), row.before, after, false)
			continue
		}
		if !row.had && !ok {
			continue
		}
		out = diffRow(out, rowPath(row), row.before, row.had, after, ok)
	}
	return bound(out)
}

func rowPath(row touchedRow) []string { return append(strings.Split(row.table, pathSep), row.key) }

// noted tells a row already noted: its value before is known.
func (r *Recorder) noted(table, key string) bool { return r.find(table, key) >= 0 }

// note records a row's value before its first change; the caller checked
// it was not noted yet.
func (r *Recorder) note(table, key string, before any, had bool, after func() (any, bool)) {
	r.touched = append(r.touched, touchedRow{table: table, key: key, before: before, had: had, after: after})
	switch n := len(r.touched); {
	case r.index != nil:
		r.index[rowKey{table, key}] = n - 1
	case n > indexFrom:
		r.index = make(map[rowKey]int, 2*n)
		for i, row := range r.touched {
			r.index[rowKey{row.table, row.key}] = i
		}
	}
}

// ChangesSinceLoad tells how a state differs from the scenario it was
// loaded from: each table's own rows against the loaded ones.
func ChangesSinceLoad(s any) []Change {
	tables, names := tablesOf(s)
	var out []Change
	for i, t := range tables {
		for _, row := range t.since() {
			after, ok := row.after()
			out = diffRow(out, []string{names[i], row.key}, row.before, row.had, after, ok)
		}
	}
	return bound(out)
}

func bound(out []Change) []Change {
	if len(out) > MaxChanges {
		out = out[:MaxChanges]
	}
	return out
}

// diffRow adds the differences of one row at path.
func diffRow(out []Change, path []string, before any, had bool, after any, has bool) []Change {
	switch {
	case !had && !has:
		return out
	case !had:
		return append(out, Change{Path: path, Kind: "added", After: marshal(after)})
	case !has:
		return append(out, Change{Path: path, Kind: "removed", Before: marshal(before)})
	}
	return diffValues(out, path, before, after, 0)
}

// diffValues compares two values of one row, field by field: a table in
// them by the rows it changed (a copy-on-write table shares the rest), a
// struct by its exported fields under their JSON names, anything else as
// a whole. It never compares what both share.
func diffValues(out []Change, path []string, b, a any, depth int) []Change {
	if len(out) > MaxChanges || depth > 16 {
		return out
	}
	if t, ok := b.(recordable); ok {
		return t.diffTable(out, path, a)
	}
	bv, av := reflect.ValueOf(b), reflect.ValueOf(a)
	if bv.IsValid() && av.IsValid() && bv.Type() == av.Type() && bv.Kind() == reflect.Pointer {
		if bv.Pointer() == av.Pointer() {
			return out
		}
		if !bv.IsNil() && !av.IsNil() && bv.Elem().Kind() == reflect.Struct {
			bv, av = bv.Elem(), av.Elem()
		}
	}
	if bv.IsValid() && av.IsValid() && bv.Type() == av.Type() && bv.Kind() == reflect.Struct {
		return diffFields(out, path, b, a, true)
	}
	if !reflect.DeepEqual(b, a) {
		out = append(out, Change{Path: path, Kind: "changed", Before: marshal(b), After: marshal(a)})
	}
	return out
}

// diffFields compares two structs (or pointers to them) field by field;
// with deep unset, the tables in them are left out (they are watched
// themselves).
func diffFields(out []Change, path []string, b, a any, deep bool) []Change {
	bv, av := reflect.Indirect(reflect.ValueOf(b)), reflect.Indirect(reflect.ValueOf(a))
	if !bv.IsValid() || !av.IsValid() || bv.Type() != av.Type() || bv.Kind() != reflect.Struct {
		if !reflect.DeepEqual(b, a) {
			out = append(out, Change{Path: path, Kind: "changed", Before: marshal(b), After: marshal(a)})
		}
		return out
	}
	for i := 0; i < bv.NumField(); i++ {
		f := bv.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		bf, af := bv.Field(i).Interface(), av.Field(i).Interface()
		_, table := bf.(recordable)
		switch {
		case table && !deep:
		case table || isStructPtr(bv.Field(i)):
			out = diffValues(out, append(slices.Clip(path), name), bf, af, len(path))
		case !reflect.DeepEqual(bf, af):
			out = append(out, Change{Path: append(slices.Clip(path), name), Kind: "changed", Before: marshal(bf), After: marshal(af)})
		}
	}
	return out
}

func isStructPtr(v reflect.Value) bool {
	return v.Kind() == reflect.Pointer && v.Type().Elem().Kind() == reflect.Struct
}

func marshal(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return cut(b)
}

// cut keeps a value of at most maxChangeValue bytes; a longer one becomes
// a JSON string saying how long it was.
func cut(b []byte) json.RawMessage {
	if len(b) <= maxChangeValue {
		return b
	}
	s, _ := json.Marshal(fmt.Sprintf("(%d bytes)", len(b)))
	return s
}

// keyText is a table key as a path element.
func keyText[K cmp.Ordered](k K) string {
	switch v := any(k).(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	}
	return fmt.Sprint(k)
}
