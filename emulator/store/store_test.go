package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator/kit"
)

type counter struct{ N int }

func (c *counter) Clone() kit.State { cc := *c; return &cc }

func bump(t *testing.T, s *Store, session string) int {
	t.Helper()
	var n int
	_ = s.Slot(session, "v").Do(func(st kit.State) error {
		st.(*counter).N++
		n = st.(*counter).N
		return nil
	})
	return n
}

func TestCloneOnFirstUseAndReset(t *testing.T) {
	base := &counter{N: 10}
	s := New(Snapshot{"v": base}, Options{})
	if n := bump(t, s, ""); n != 11 {
		t.Fatalf("shared: %d", n)
	}
	if n := bump(t, s, "a"); n != 11 {
		t.Fatalf("session a starts from the snapshot, got %d", n)
	}
	if base.N != 10 {
		t.Fatalf("the snapshot was changed: %d", base.N)
	}
	s.ResetSession("a")
	if n := bump(t, s, "a"); n != 11 {
		t.Fatalf("after session reset: %d", n)
	}
	if n := bump(t, s, ""); n != 12 {
		t.Fatalf("a session reset touched the shared session: %d", n)
	}
	s.Reset()
	if n := bump(t, s, ""); n != 11 {
		t.Fatalf("after reset: %d", n)
	}
}

func TestLoadKeepsSessionsWithTheirOwnScenario(t *testing.T) {
	s := New(Snapshot{"v": &counter{N: 0}}, Options{})
	s.LoadSession("own", Snapshot{"v": &counter{N: 100}})
	bump(t, s, "plain")
	s.Load(Snapshot{"v": &counter{N: 50}})
	if n := bump(t, s, "own"); n != 101 {
		t.Errorf("own scenario lost on global load: %d", n)
	}
	if n := bump(t, s, "plain"); n != 51 {
		t.Errorf("plain session did not follow the load: %d", n)
	}
}

func TestIdleSessionsAreSwept(t *testing.T) {
	now := time.Unix(0, 0)
	s := New(Snapshot{"v": &counter{}}, Options{Idle: time.Minute, Now: func() time.Time { return now }})
	bump(t, s, "a")
	bump(t, s, "")
	now = now.Add(2 * time.Minute)
	if n := bump(t, s, "a"); n != 1 {
		t.Errorf("idle session survived: %d", n)
	}
	if n := bump(t, s, ""); n != 2 {
		t.Errorf("the shared session was swept: %d", n)
	}
	if got := s.Sessions(); len(got) != 1 || got[0].ID != "a" {
		t.Errorf("sessions: %+v", got)
	}
	if !s.DropSession("a") || s.DropSession("a") {
		t.Error("DropSession")
	}
}

// TestSessionCapEvictsLeastRecentlyUsed: past the cap, the session unused
// for the longest goes first, and the drop is reported (issue 13, finding 4).
func TestSessionCapEvictsLeastRecentlyUsed(t *testing.T) {
	now := time.Unix(1000, 0)
	var dropped []string
	s := New(Snapshot{"v": &counter{}}, Options{Max: 3, Now: func() time.Time { return now },
		OnDrop: func(id, _ string) { dropped = append(dropped, id) }})
	for _, id := range []string{"a", "b", "c"} {
		now = now.Add(time.Second)
		bump(t, s, id)
	}
	now = now.Add(time.Second)
	bump(t, s, "a") // a is now the most recent; b the least
	now = now.Add(time.Second)
	bump(t, s, "d")
	if len(dropped) != 1 || dropped[0] != "b" {
		t.Fatalf("dropped %v, want [b]", dropped)
	}
	var ids []string
	for _, si := range s.Sessions() {
		ids = append(ids, si.ID)
	}
	if strings.Join(ids, ",") != "a,c,d" {
		t.Errorf("live sessions %v", ids)
	}
	bump(t, s, "") // the shared session never counts against the cap
	if len(dropped) != 1 {
		t.Errorf("the shared session evicted %v", dropped)
	}
}

// TestReadsDoNotCreateSessions: dumping a session that does not exist
// says so and leaves no session behind.
func TestReadsDoNotCreateSessions(t *testing.T) {
	s := New(Snapshot{"v": &counter{N: 3}}, Options{})
	if s.Dump("ghost", []string{"v"}, func(string, kit.State) {}) {
		t.Fatal("dump of a missing session reported it")
	}
	if s.Exists("ghost") || len(s.Sessions()) != 0 {
		t.Fatalf("a read created a session: %v", s.Sessions())
	}
	var n int
	if !s.Dump("", []string{"v"}, func(_ string, st kit.State) { n = st.(*counter).N }) || n != 3 {
		t.Fatalf("shared dump: %d", n)
	}
}

func TestValidSessionID(t *testing.T) {
	for id, want := range map[string]bool{
		"JOB-42": true, "suite-onedata-x_1.2~3": true, "": false, strings.Repeat("a", MaxSessionID): true,
		strings.Repeat("a", MaxSessionID+1): false, "a b": false, "a\x00": false, "a\tb": false, "\xff": false,
		"TestX/sub": true, "TestDelete/unknown_user#01": true, "Test/é/(1)=%": true, "a\u00a0b": false,
	} {
		if got := ValidSessionID(id); got != want {
			t.Errorf("ValidSessionID(%q) = %v", id, got)
		}
	}
}

// TestEvictionFollowsUse: past the cap, the session used least recently
// goes, whatever order they were made in (a use moves a session up).
func TestEvictionFollowsUse(t *testing.T) {
	var dropped []string
	now := time.Unix(0, 0)
	s := New(Snapshot{}, Options{Max: 3, Now: func() time.Time { now = now.Add(time.Second); return now },
		OnDrop: func(id, _ string) { dropped = append(dropped, id) }})
	for _, id := range []string{"a", "b", "c", "a", "d", "b", "e"} {
		s.Slot(id, "v")
	}
	// a b c, a used again, then d evicts b, b evicts c, e evicts a.
	if got := strings.Join(dropped, ","); got != "b,c,a" {
		t.Errorf("dropped %s, want b,c,a", got)
	}
	var live []string
	for _, info := range s.Sessions() {
		live = append(live, info.ID)
	}
	if got := strings.Join(live, ","); got != "b,d,e" {
		t.Errorf("live %s, want b,d,e", got)
	}
	if !s.DropSession("d") || s.DropSession("d") {
		t.Error("drop")
	}
	s.Slot("f", "v")
	s.Slot("g", "v")
	if got := strings.Join(dropped, ","); got != "b,c,a,b" {
		t.Errorf("after a drop and two new sessions, dropped %s, want b,c,a,b", got)
	}
}

// BenchmarkEvict: a new session past a cap of 20,000, each evicting the
// least recently used (issue 23: a scan of every session made each
// request with a new session cost ~10x).
func BenchmarkEvict(b *testing.B) {
	s := New(Snapshot{}, Options{Max: 20_000})
	for i := range 20_000 {
		s.Slot(fmt.Sprint("s", i), "v")
	}
	i := 20_000
	for b.Loop() {
		s.Slot(fmt.Sprint("s", i), "v")
		i++
	}
}

// TestSlotsAtIsSlotForOneRequest: the two slots of one turn are the
// session's own (the ones Slot gives), and the session's use is the
// request's time, not another clock reading.
func TestSlotsAtIsSlotForOneRequest(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := New(Snapshot{"v": &counter{}, "w": &counter{N: 5}}, Options{Now: func() time.Time { return clock }})
	at := clock.Add(time.Hour)
	v, w, _ := s.SlotsAt(at, "job", "v", "w")
	if v != s.Slot("job", "v") || w != s.Slot("job", "w") {
		t.Fatal("SlotsAt gave slots other than the session's")
	}
	if only, none, _ := s.SlotsAt(at, "job", "v", ""); only != v || none != nil {
		t.Fatalf("without another name: %p %v", only, none)
	}
	s2 := New(Snapshot{"v": &counter{}}, Options{Now: func() time.Time { return clock }})
	_, _, _ = s2.SlotsAt(at, "job", "v", "")
	if got := s2.Sessions()[0].LastUsed; !got.Equal(at) {
		t.Errorf("last used %v, want the request's time %v", got, at)
	}
}
