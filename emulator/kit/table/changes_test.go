package table

import (
	"encoding/json"
	"strings"
	"testing"
)

type member struct {
	Role string `json:"role"`
}

type space struct {
	Note    string                  `json:"note"`
	Members *Table[string, *member] `json:"members"`
	Tags    []string                `json:"tags"`
}

type world struct {
	Spaces *Table[string, *space] `json:"spaces"`
	Counts *Table[int, int]       `json:"counts"`
}

func (w *world) Clone() *world { return &world{Spaces: w.Spaces.Clone(), Counts: w.Counts.Clone()} }

func dupSpace(s *space) *space {
	return &space{Note: s.Note, Members: s.Members.Clone(), Tags: append([]string(nil), s.Tags...)}
}

func newWorld() *world {
	members := map[string]*member{"ann": {Role: "admin"}, "bob": {Role: "viewer"}}
	return &world{
		Spaces: New(map[string]*space{"s1": {Note: "first", Members: New(members, func(m *member) *member { c := *m; return &c })}}, dupSpace),
		Counts: New(map[int]int{1: 10}, Same[int]),
	}
}

func lines(cs []Change) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.Kind + " " + strings.Join(c.Path, "/"))
		if c.Before != nil {
			b.WriteString(" " + string(c.Before))
		}
		if c.After != nil {
			b.WriteString(" -> " + string(c.After))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestRecorderTellsWhatOneRequestChanged(t *testing.T) {
	loaded := newWorld()
	w := loaded.Clone()

	// An earlier request: bob leaves s1 (not recorded).
	s1, _ := w.Spaces.Mut("s1")
	s1.Members.Delete("bob")

	var rec Recorder
	rec.Start(w)
	s1, _ = w.Spaces.Mut("s1") // already owned: the same row, changed in place
	s1.Note = "renamed"
	s1.Tags = append(s1.Tags, "x")
	m, _ := s1.Members.Mut("ann")
	m.Role = "viewer"
	s1.Members.Set("cy", &member{Role: "admin"})
	w.Counts.Set(1, 11)
	w.Counts.Set(2, 5)
	w.Counts.Delete(2)
	got := lines(rec.Finish())
	want := `changed spaces/s1/note "first" -> "renamed"
changed spaces/s1/tags null -> ["x"]
changed spaces/s1/members/ann/role "admin" -> "viewer"
added spaces/s1/members/cy -> {"role":"admin"}
changed counts/1 10 -> 11
`
	if got != want {
		t.Errorf("changes:\n%s\nwant:\n%s", got, want)
	}
	// Watching ended: a later change is not noted.
	n := len(rec.touched)
	w.Counts.Set(3, 1)
	if s1, _ := w.Spaces.Mut("s1"); s1 != nil {
		s1.Members.Delete("cy")
		s1.Members.Set("cy", &member{Role: "admin"})
	}
	if len(rec.touched) != n {
		t.Errorf("%d rows noted after Finish", len(rec.touched)-n)
	}

	since := lines(ChangesSinceLoad(w))
	for _, line := range []string{
		"removed spaces/s1/members/bob",
		`changed spaces/s1/members/ann/role "admin" -> "viewer"`,
		"added spaces/s1/members/cy",
		"added counts/3 -> 1",
	} {
		if !strings.Contains(since, line) {
			t.Errorf("since load lacks %q:\n%s", line, since)
		}
	}
	var before map[string]any
	for _, c := range ChangesSinceLoad(w) {
		if strings.Join(c.Path, "/") == "spaces/s1/members/bob" {
			_ = json.Unmarshal(c.Before, &before)
		}
	}
	if before["role"] != "viewer" {
		t.Errorf("bob's row before: %v", before)
	}
	if len(ChangesSinceLoad(loaded)) != 0 {
		t.Error("the loaded world itself shows changes")
	}
}

func TestChangesAreBounded(t *testing.T) {
	w := newWorld().Clone()
	var rec Recorder
	rec.Start(w)
	for i := range 500 {
		w.Counts.Set(100+i, i)
	}
	if n := len(rec.Finish()); n != MaxChanges {
		t.Errorf("%d changes kept, want %d", n, MaxChanges)
	}
	big := strings.Repeat("x", 5000)
	if got := string(cut([]byte(`"` + big + `"`))); got != `"(5002 bytes)"` {
		t.Errorf("a long value: %s", got)
	}
}

// TestRecorderAllocatesNothingWhenNothingChanges: watching a request that
// only reads (a row got, a table walked in no order) costs no allocation,
// the Recorder's tables worked out once per type.
func TestRecorderAllocatesNothingWhenNothingChanges(t *testing.T) {
	w := newWorld().Clone()
	var rec Recorder
	allocs := testing.AllocsPerRun(1000, func() {
		rec.Start(w)
		if s, ok := w.Spaces.Get("s1"); !ok || s.Note == "" {
			t.Fatal("the world has no s1")
		}
		for _, n := range w.Counts.Unordered() {
			if n == 0 {
				t.Fatal("a count of 0")
			}
		}
		if changes := rec.Finish(); len(changes) != 0 {
			t.Fatalf("a read recorded %v", changes)
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations a watched request that changes nothing, want 0", allocs)
	}
}

// TestShallowCopiesTheRow: a row changed through Mut of a Shallow table
// is a copy; the loaded row stays as it was.
func TestShallowCopiesTheRow(t *testing.T) {
	type plain struct {
		Name string
		On   bool
	}
	loaded := New(map[string]*plain{"a": {Name: "ann", On: true}}, Shallow[plain])
	w := loaded.Clone()
	row, ok := w.Mut("a")
	if !ok {
		t.Fatal("no row a")
	}
	row.On = false
	if before, _ := loaded.Get("a"); !before.On || before == row {
		t.Errorf("the loaded row changed with its copy: %+v", before)
	}
	if after, _ := w.Get("a"); after.On || after.Name != "ann" {
		t.Errorf("the copy: %+v", after)
	}
}
