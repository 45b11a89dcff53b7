package table

import (
	"cmp"
	"encoding/json"
	"iter"
	"maps"
	"reflect"
	"slices"
)

// Table is a vendor's map of entities that sessions share. A clone costs
// nothing: it reads through to the table it came from (the loaded
// scenario, never written again) and keeps only what it changes itself,
// so a session that deletes one user of 20,000 holds one tombstone, not a
// copy of 20,000 users.
//
// Values are read with Get and must not be modified; Mut gives a copy
// private to this table (made on first write), which may be.
type Table[K cmp.Ordered, V any] struct {
	base map[K]V        // shared; never written once a clone exists
	own  map[K]V        // this table's new and changed entries
	gone map[K]struct{} // keys of base this table deleted
	dup  func(V) V      // copies a value deeply enough for Mut
	n    int            // live entries
	// rec, while a Recorder watches the table, notes each row's value
	// before its first change, under the name recName.
	rec     *Recorder
	recPath string // the table's path in the state, elements joined by pathSep
}

// NewTable makes a table over m, which it takes over: the caller must
// not use m afterwards. dup copies one value for a private write.
func New[K cmp.Ordered, V any](m map[K]V, dup func(V) V) *Table[K, V] {
	if m == nil {
		m = map[K]V{}
	}
	return &Table[K, V]{base: m, dup: dup, n: len(m)}
}

// Clone returns a table that sees the same entries and changes
// independently. Its cost is that of this table's own changes.
func (t *Table[K, V]) Clone() *Table[K, V] {
	c := &Table[K, V]{base: t.base, dup: t.dup, n: t.n}
	if len(t.own) > 0 || len(t.gone) > 0 {
		// Changes are not shared: each clone copies what it was given.
		c.own = make(map[K]V, len(t.own))
		for k, v := range t.own {
			c.own[k] = t.dup(v)
		}
		c.gone = maps.Clone(t.gone)
	}
	return c
}

// Get returns the value of k. It is shared: read it, do not change it.
func (t *Table[K, V]) Get(k K) (V, bool) {
	if v, ok := t.own[k]; ok {
		return v, true
	}
	if _, ok := t.gone[k]; ok {
		var zero V
		return zero, false
	}
	v, ok := t.base[k]
	return v, ok
}

// Has tells whether k is present.
func (t *Table[K, V]) Has(k K) bool {
	_, ok := t.Get(k)
	return ok
}

// Mut returns a value of k that this table owns and may change.
func (t *Table[K, V]) Mut(k K) (V, bool) {
	v, ok := t.mut(k)
	if ok && t.rec != nil {
		// The caller may change the tables inside the row: watch them.
		t.rec.watchWithin(t.recPath, keyText(k), v)
	}
	return v, ok
}

func (t *Table[K, V]) mut(k K) (V, bool) {
	if v, ok := t.own[k]; ok {
		if t.rec != nil {
			// The caller changes this very value: the record needs a copy.
			t.note(k, true)
		}
		return v, true
	}
	if t.rec != nil {
		t.note(k, false) // the caller changes a copy; the shared value stays
	}
	v, ok := t.Get(k)
	if !ok {
		return v, false
	}
	v = t.dup(v)
	t.setOwn(k, v)
	return v, true
}

// Set adds or replaces the value of k.
func (t *Table[K, V]) Set(k K, v V) {
	if t.rec != nil {
		t.note(k, false) // replaced, never changed in place
	}
	if !t.Has(k) {
		t.n++
	}
	t.setOwn(k, v)
}

func (t *Table[K, V]) setOwn(k K, v V) {
	if t.own == nil {
		t.own = map[K]V{}
	}
	t.own[k] = v
}

// Delete removes k; it reports whether k was there.
func (t *Table[K, V]) Delete(k K) bool {
	if !t.Has(k) {
		return false
	}
	if t.rec != nil {
		t.note(k, false) // dropped, never changed in place
	}
	delete(t.own, k)
	if _, inBase := t.base[k]; inBase {
		if t.gone == nil {
			t.gone = map[K]struct{}{}
		}
		t.gone[k] = struct{}{}
	}
	t.n--
	return true
}

// Len is the number of entries.
func (t *Table[K, V]) Len() int { return t.n }

// Keys returns every key, sorted.
func (t *Table[K, V]) Keys() []K {
	keys := make([]K, 0, t.n)
	for k := range t.base {
		if _, changed := t.own[k]; changed {
			continue
		}
		if _, deleted := t.gone[k]; !deleted {
			keys = append(keys, k)
		}
	}
	for k := range t.own {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// All yields every entry in key order; values are shared (see Get).
func (t *Table[K, V]) All() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for _, k := range t.Keys() {
			v, _ := t.Get(k)
			if !yield(k, v) {
				return
			}
		}
	}
}

// Map returns the entries as a plain map (shared values).
func (t *Table[K, V]) Map() map[K]V {
	m := make(map[K]V, t.n)
	for k, v := range t.All() {
		m[k] = v
	}
	return m
}

// MarshalJSON writes the table as a JSON object, as a map would be.
func (t *Table[K, V]) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.Map())
}

// Same is the copy function of a table whose values are never changed in
// place (strings, numbers, immutable pointers): Mut needs no copy.
func Same[V any](v V) V { return v }

// Shallow is the copy function of a table whose rows are pointers to
// structs of plain fields (no slice, map or table inside): a copy of the
// struct is a copy of the row.
func Shallow[T any](row *T) *T {
	c := *row
	return &c
}

// Unordered yields every entry in no particular order, without the cost
// of sorting: for lookups and scans whose result does not depend on order.
func (t *Table[K, V]) Unordered() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		for k, v := range t.own {
			if !yield(k, v) {
				return
			}
		}
		for k, v := range t.base {
			if _, changed := t.own[k]; changed {
				continue
			}
			if _, deleted := t.gone[k]; deleted {
				continue
			}
			if !yield(k, v) {
				return
			}
		}
	}
}

// watch starts (r non-nil) or stops noting changes for a Recorder; path
// names the table in the state.
func (t *Table[K, V]) watch(r *Recorder, path string) { t.rec, t.recPath = r, path }

// note records k's value before its first change while watched. Only a
// value about to be changed in place (Mut of a row this table owns) is
// copied; one that is replaced, dropped or copied on write stays as it
// was, so the record can keep it as it is.
func (t *Table[K, V]) note(k K, inPlace bool) {
	key := keyText(k)
	if t.rec.noted(t.recPath, key) {
		return // its value before is known: no copy
	}
	v, had := t.Get(k)
	if had && inPlace {
		v = t.snapshot(v)
	}
	t.rec.note(t.recPath, key, v, had, func() (any, bool) { return t.Get(k) })
}

// since lists the rows this table changed from the one it was loaded as:
// its own rows and its deletions, each with its loaded value.
func (t *Table[K, V]) since() []touchedRow {
	keys := t.changedKeys(nil)
	rows := make([]touchedRow, 0, len(keys))
	for _, k := range keys {
		v, had := t.base[k]
		rows = append(rows, touchedRow{key: keyText(k), before: v, had: had, after: func() (any, bool) { return t.Get(k) }})
	}
	return rows
}

// changedKeys lists, sorted, the keys this table (and o, when given) hold
// of their own or deleted: every key where they can differ from their base.
func (t *Table[K, V]) changedKeys(o *Table[K, V]) []K {
	set := map[K]struct{}{}
	for _, tab := range []*Table[K, V]{t, o} {
		if tab == nil {
			continue
		}
		for k := range tab.own {
			set[k] = struct{}{}
		}
		for k := range tab.gone {
			set[k] = struct{}{}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// diffTable implements recordable: the rows of other (a clone of t,
// changed since) that differ from t's. Both share a base, so only the
// rows either holds of its own can differ.
func (t *Table[K, V]) diffTable(out []Change, path []string, other any) []Change {
	o, ok := other.(*Table[K, V])
	if !ok || o == nil || t == nil {
		return out
	}
	if !sameBase(t.base, o.base) {
		// Not clones of one another: every row may differ.
		keys := slices.Sorted(maps.Keys(t.Map()))
		for k := range o.Unordered() {
			if !t.Has(k) {
				keys = append(keys, k)
			}
		}
		return t.diffKeys(out, path, o, keys)
	}
	return t.diffKeys(out, path, o, t.changedKeys(o))
}

func (t *Table[K, V]) diffKeys(out []Change, path []string, o *Table[K, V], keys []K) []Change {
	for _, k := range keys {
		if len(out) > MaxChanges {
			return out
		}
		bv, had := t.Get(k)
		av, has := o.Get(k)
		out = diffRow(out, append(slices.Clip(path), keyText(k)), bv, had, av, has)
	}
	return out
}

// sameBase tells whether two maps are one.
func sameBase[K comparable, V any](a, b map[K]V) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// snapshot copies a row for the record: deeply (dup) unless it holds
// tables, which are watched themselves and cost what their own changes
// cost to clone; then a shallow copy of its other fields, which such rows
// hold as plain values.
func (t *Table[K, V]) snapshot(v V) V {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return t.dup(v)
	}
	if tables, _ := tablesOf(v); len(tables) == 0 {
		return t.dup(v)
	}
	cp := reflect.New(rv.Elem().Type())
	cp.Elem().Set(rv.Elem())
	out, _ := cp.Interface().(V)
	return out
}

// FirstKey is the first key, in key order, whose value ok accepts: the
// credential `offboard token VENDOR` mints from a scenario's tokens.
func FirstKey[V any](t *Table[string, V], ok func(V) bool) (string, bool) {
	for k, v := range t.All() {
		if ok(v) {
			return k, true
		}
	}
	return "", false
}
