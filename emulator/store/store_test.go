package store

import (
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
	s := New(Snapshot{"v": base}, 0, nil)
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
	s := New(Snapshot{"v": &counter{N: 0}}, 0, nil)
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
	s := New(Snapshot{"v": &counter{}}, time.Minute, func() time.Time { return now })
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
