package table

import (
	"cmp"
	"slices"
	"time"
)

// MaxIssued bounds the tokens a vendor's login issues in one world (a
// scenario's own tokens do not count): a client that logs in and never
// logs out costs at most this many.
const MaxIssued = 10_000

// PruneIssued keeps at most MaxIssued issued tokens in a table, once it
// passes that: the expired ones go, then, if still too many, those that
// expire soonest, down to three quarters of the bound, so that a run of
// logins pays for a prune once in a quarter of MaxIssued. expiry tells
// whether a token was issued, and when it expires.
func PruneIssued[K cmp.Ordered, V any](t *Table[K, V], now time.Time, expiry func(V) (time.Time, bool)) {
	if t.Len() <= MaxIssued {
		return
	}
	type issued struct {
		key K
		at  time.Time
	}
	var live []issued
	for k, v := range t.Unordered() {
		at, ok := expiry(v)
		switch {
		case !ok:
		case !now.Before(at):
			t.Delete(k)
		default:
			live = append(live, issued{k, at})
		}
	}
	if len(live) <= MaxIssued {
		return
	}
	slices.SortFunc(live, func(a, b issued) int { return a.at.Compare(b.at) })
	for _, it := range live[:len(live)-MaxIssued*3/4] {
		t.Delete(it.key)
	}
}
