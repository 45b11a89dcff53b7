package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
)

// bigRequests are single ordinary requests whose cost grows with what
// they name or touch: a Huawei delete of n members, a Commvault delete of
// a user owning n entities, a Commvault group change naming n members.
// Each once cost the square of n (29,000 ids: 1.95 s; 32,000 entities:
// 8.1 s; 60,000 members: 11.2 s).
type bigRequest struct {
	name     string
	scenario func(n int) string
	request  func(n int) *http.Request
}

var bigRequests = []bigRequest{
	{"huawei delete-users", func(n int) string {
		var b strings.Builder
		b.WriteString("huawei:\n  tokens:\n    t: {user: admin}\n  projects:\n    p:\n      workspaces:\n        w:\n          users:\n")
		for i := range n {
			fmt.Fprintf(&b, "            m%d: {name: u%d}\n", i, i)
		}
		return b.String()
	}, func(n int) *http.Request {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprint("m", i)
		}
		body, _ := json.Marshal(map[string]any{"user_ids": ids})
		r := httptest.NewRequest("POST", "/v2/p/w/delete-users", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Auth-Token", "t")
		return r
	}},
	{"commvault delete owner", func(n int) string {
		var b strings.Builder
		b.WriteString("commvault:\n  tokens:\n    QSDK t: {user: 1}\n  users:\n    1: {name: admin}\n    2: {name: heir}\n    3: {name: leaver}\n  alerts:\n")
		for i := range n {
			fmt.Fprintf(&b, "    a%d: {user: 3}\n", i)
		}
		return b.String()
	}, func(int) *http.Request {
		r := httptest.NewRequest("DELETE", "/webconsole/api/User/3?newUserId=2&newUserGroupId=0", nil)
		r.Header.Set("Authtoken", "QSDK t")
		r.Header.Set("Accept", "application/json")
		return r
	}},
	{"commvault group add", func(n int) string {
		var b strings.Builder
		b.WriteString("commvault:\n  tokens:\n    QSDK t: {user: 1}\n  groups:\n    5: {name: g}\n  users:\n    1: {name: admin}\n")
		for i := range n {
			fmt.Fprintf(&b, "    %d: {name: u%d}\n", i+10, i)
		}
		return b.String()
	}, func(n int) *http.Request {
		users := make([]map[string]string, n)
		for i := range users {
			users[i] = map[string]string{"userName": fmt.Sprint("u", i)}
		}
		body, _ := json.Marshal(map[string]any{"groups": []any{map[string]any{"usersOperationType": "ADD", "users": users}}})
		r := httptest.NewRequest("POST", "/webconsole/api/UserGroup/5", strings.NewReader(string(body)))
		r.Header.Set("Authtoken", "QSDK t")
		r.Header.Set("Accept", "application/json")
		r.Header.Set("Content-Type", "application/json")
		return r
	}},
}

// runBig loads c's world of n and sends its request once, returning what
// the request alone allocated and its journaled changes.
func runBig(tb testing.TB, c bigRequest, n, journal int) (allocated uint64, changes int) {
	tb.Helper()
	em, err := emulator.New(emulator.WithScenarioYAML("big.yaml", []byte(c.scenario(n))), emulator.WithJournalSize(journal),
		emulator.WithMaxBodyBytes(64<<20))
	if err != nil {
		tb.Fatal(err)
	}
	req := c.request(n)
	w := httptest.NewRecorder()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	em.ServeHTTP(w, req)
	runtime.ReadMemStats(&after)
	if w.Code != 200 || strings.Contains(w.Body.String(), `"errorCode":2`) {
		tb.Fatalf("%s answered %d: %.300s", c.name, w.Code, w.Body.String())
	}
	if journal > 0 {
		list, err := em.Requests(emulator.Filter{}, 1)
		if err != nil || len(list) != 1 {
			tb.Fatalf("journal: %v %d", err, len(list))
		}
		changes = len(list[0].Changes)
	}
	return after.TotalAlloc - before.TotalAlloc, changes
}

// TestBigRequestsAreLinear: doubling what one request names at most about
// doubles what it allocates, and recording its changes costs a small
// multiple of the same request with the journal off (allocation is the
// measure a test can hold exactly; BenchmarkBigRequest gives the times).
func TestBigRequestsAreLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("loads worlds of 40,000")
	}
	const n = 20_000
	for _, c := range bigRequests {
		t.Run(c.name, func(t *testing.T) {
			a1, ch := runBig(t, c, n, 100)
			a2, _ := runBig(t, c, 2*n, 100)
			off, _ := runBig(t, c, 2*n, 0)
			if r := float64(a2) / float64(a1); r > 2.3 {
				t.Errorf("2x the request allocated %.2fx (%d -> %d bytes)", r, a1, a2)
			}
			if r := float64(a2) / float64(off); r > 6 {
				t.Errorf("with the journal on it allocated %.2fx what it does with the journal off (%d vs %d)", r, a2, off)
			}
			if ch == 0 || ch > 100 {
				t.Errorf("journaled %d changes, want 1 to 100", ch)
			}
		})
	}
}

// BenchmarkBigRequest times each big request at n and 2n, journal on and
// off: the ratios between sizes stay near 2 (scripts/bench prints them).
func BenchmarkBigRequest(b *testing.B) {
	for _, c := range bigRequests {
		for _, n := range []int{20_000, 40_000} {
			for _, journal := range []int{1000, 0} {
				b.Run(fmt.Sprintf("%s/n=%d/journal=%d", strings.ReplaceAll(c.name, " ", "_"), n, journal), func(b *testing.B) {
					data := []byte(c.scenario(n))
					em, err := emulator.New(emulator.WithScenarioYAML("big.yaml", data), emulator.WithJournalSize(journal), emulator.WithMaxBodyBytes(64<<20))
					if err != nil {
						b.Fatal(err)
					}
					for b.Loop() {
						b.StopTimer()
						em.Reset()
						req := c.request(n)
						b.StartTimer()
						em.ServeHTTP(httptest.NewRecorder(), req)
					}
				})
			}
		}
	}
}
