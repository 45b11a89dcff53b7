package journal

import (
	"fmt"
	"strings"
	"testing"
)

// TestGetByNumber: an entry is found by its number in constant time,
// across the ring's wrap and a clear, and entries that left are not.
func TestGetByNumber(t *testing.T) {
	j := New(3)
	for range 5 {
		j.Add(Entry{Path: "/p"})
	}
	for seq, want := range map[uint64]bool{0: false, 1: false, 2: false, 3: true, 4: true, 5: true, 6: false} {
		e, ok := j.Get(seq)
		if ok != want || ok && e.Seq != seq {
			t.Errorf("Get(%d) = #%d, %v; want held: %v", seq, e.Seq, ok, want)
		}
	}
	j.Clear()
	if _, ok := j.Get(5); ok {
		t.Error("an entry outlived Clear")
	}
	j.Add(Entry{})
	if e, ok := j.Get(6); !ok || e.Seq != 6 {
		t.Errorf("after Clear, Get(6) = #%d, %v", e.Seq, ok)
	}
}

// TestWalkReleasesTheLock: a walk over the journal does not hold the lock
// while it matches entries, so a request can be journaled meanwhile (here
// from inside the walk itself, which would deadlock if it held it), and
// the walk visits what was there when it began, each entry once.
func TestWalkReleasesTheLock(t *testing.T) {
	j := New(10 * scanChunk)
	for i := range 3 * scanChunk {
		j.Add(Entry{Path: fmt.Sprint("/", i)})
	}
	seen := map[uint64]int{}
	j.each(Filter{}, func(e *Entry) {
		seen[e.Seq]++
		j.Add(Entry{Path: "/during"})
	})
	if len(seen) != 3*scanChunk {
		t.Errorf("visited %d entries, want the %d there when the walk began", len(seen), 3*scanChunk)
	}
	for seq, n := range seen {
		if n != 1 || seq < 1 || seq > 3*scanChunk {
			t.Errorf("entry #%d visited %d times", seq, n)
		}
	}
}

// TestWalkSkipsWhatLeft: entries dropped from the ring while a walk runs
// are skipped, never visited twice or as another entry.
func TestWalkSkipsWhatLeft(t *testing.T) {
	j := New(scanChunk + 10)
	for range scanChunk + 10 {
		j.Add(Entry{})
	}
	var got []uint64
	j.each(Filter{}, func(e *Entry) {
		got = append(got, e.Seq)
		if len(got) == 1 {
			for range scanChunk + 10 { // the whole ring turns over
				j.Add(Entry{})
			}
		}
	})
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("visited #%d after #%d", got[i], got[i-1])
		}
	}
	if len(got) != scanChunk {
		t.Errorf("visited %d, want the first chunk only (the rest left the ring)", len(got))
	}
}

// TestContainsFold: the search finds text in any case, ASCII or not, as
// lowering both would.
func TestContainsFold(t *testing.T) {
	for _, tc := range []struct {
		s, lower string
		want     bool
	}{
		{"Needle_In_Body", "needle_in", true}, {"needle", "needles", false}, {"xxNEEDLE", "needle", true},
		{"a", "", true}, {"ÜBER", "über", true}, {"über", "uber", false}, {"x@Y[z", "@y[", true}, {"`", "@", false},
	} {
		if got := containsFold(tc.s, tc.lower); got != tc.want || got != strings.Contains(strings.ToLower(tc.s), tc.lower) {
			t.Errorf("containsFold(%q, %q) = %v, want %v", tc.s, tc.lower, got, tc.want)
		}
	}
}
