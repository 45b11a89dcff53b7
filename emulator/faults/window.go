package faults

import "time"

// windowBuckets is how finely a window counts: a request leaves the
// window within 1/windowBuckets of its length after it arrived.
const windowBuckets = 16

// slidingWindow counts the requests let through in the last window, per
// bucket of window/windowBuckets, so that its size does not depend on the
// limit: a limit of a billion costs what a limit of three does.
type slidingWindow struct {
	limit  int
	width  int64 // nanoseconds per bucket
	counts [windowBuckets]int
	last   int64 // the newest bucket seen
	seen   bool  // last is set
	inWin  int   // the sum of counts
}

func newWindow(limit int, window time.Duration) *slidingWindow {
	return &slidingWindow{limit: limit, width: max(int64(window)/windowBuckets, 1)}
}

// allow counts one request at now and tells whether it is let through:
// fewer than limit were let through in the window before it.
func (w *slidingWindow) allow(now time.Time) bool {
	b := now.UnixNano() / w.width
	if !w.seen {
		w.last, w.seen = b, true
	}
	if b > w.last {
		// Buckets that left the window are emptied, at most all of them.
		for i := w.last + 1; i <= b && i <= w.last+windowBuckets; i++ {
			slot := bucket(i)
			w.inWin -= w.counts[slot]
			w.counts[slot] = 0
		}
		w.last = b
	}
	// A clock that went back counts in the newest bucket.
	if w.inWin >= w.limit {
		return false
	}
	w.counts[bucket(w.last)]++
	w.inWin++
	return true
}

// bucket is where bucket number b counts, for any b (a clock before 1970
// gives negative numbers).
func bucket(b int64) int {
	return int((b%windowBuckets + windowBuckets) % windowBuckets)
}
