package faults

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var known = Known{"onedata": {"remove_user"}, "commvault": {"deleteUser", "listUsers"}}

func compile(t testing.TB, f Fault) *Rule {
	t.Helper()
	r, errs := Compile(f, known)
	if errs != nil {
		t.Fatalf("%+v: %v", f, errs)
	}
	return r
}

// TestWindowCountsPerBucket: a limit/window fault lets exactly limit
// through per window at a steady rate, whatever the limit, and its memory
// does not grow with the limit or the requests seen.
func TestWindowCountsPerBucket(t *testing.T) {
	r := compile(t, Fault{Vendor: "onedata", Limit: 3, Window: "1s"})
	now := time.Unix(0, 0)
	fired := 0
	for range 100_000 {
		now = now.Add(time.Millisecond) // 1,000 requests a second
		if r.fires(now) {
			fired++
		}
	}
	// 100 s at 1,000/s with 3 allowed per second: 300 let through, and 3
	// more when the last request opens a window (windows are counted to
	// 1/16 of their length).
	if let := 100_000 - fired; let < 300 || let > 303 {
		t.Errorf("%d requests let through, want 300 to 303", let)
	}
	huge := compile(t, Fault{Vendor: "onedata", Limit: 1 << 40, Window: "1h"})
	allocs := testing.AllocsPerRun(100_000, func() {
		now = now.Add(time.Microsecond)
		if huge.fires(now) {
			t.Fatal("a limit of 2^40 fired")
		}
	})
	if allocs != 0 {
		t.Errorf("a huge window allocates %.1f per request", allocs)
	}
}

// TestWindowWithAClockGoingBack: times before 1970 and a clock that goes
// back are counted, never a panic.
func TestWindowWithAClockGoingBack(t *testing.T) {
	r := compile(t, Fault{Vendor: "onedata", Limit: 2, Window: "1s"})
	for _, at := range []time.Time{time.Unix(-5, 0), time.Unix(-6, 0), time.Unix(-7, 0), {}} {
		r.fires(at)
	}
	if r.win.inWin != 2 {
		t.Errorf("counted %d in the window, want the limit 2", r.win.inWin)
	}
}

func faultsWith(t testing.TB, n int) *Set {
	st := &Set{}
	for i := range n {
		st.Add(compile(t, Fault{Vendor: "commvault", Operation: "deleteUser", Status: 500, Path: fmt.Sprintf("/x/%d", i)}))
	}
	return st
}

// BenchmarkUnmatchedRoute: 10,000 rules for another vendor's operation
// against none, on one route.
func BenchmarkUnmatchedRoute(b *testing.B) {
	now := time.Now()
	for _, n := range []int{0, 10_000} {
		st := faultsWith(b, n)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			for b.Loop() {
				_ = st.Decide("onedata", "remove_user", "DELETE", "/api/v3/onezone/users/x", now)
			}
		})
	}
}

// TestUnmatchedRouteSkipsOtherRules: the index means a request looks at
// no rule of another vendor or operation.
func TestUnmatchedRouteSkipsOtherRules(t *testing.T) {
	st := faultsWith(t, 10_000)
	st.Decide("onedata", "remove_user", "DELETE", "/api/v3/onezone/users/x", time.Now())
	st.Decide("commvault", "listUsers", "GET", "/webconsole/api/User", time.Now())
	for _, r := range st.Rules() {
		if r.Seen != 0 {
			t.Fatalf("a rule of another route counted a request: %+v", r)
		}
	}
}

// TestCompileRefuses: every mistake is reported, each by its field.
func TestCompileRefuses(t *testing.T) {
	for _, c := range []struct {
		f    Fault
		want []string // fields, in order
	}{
		{Fault{Vendor: "nope", Status: 500}, []string{"vendor"}},
		{Fault{Vendor: "onedata", Operation: "x", Status: 500}, []string{"operation"}},
		{Fault{Vendor: "onedata", Status: 700}, []string{"status"}},
		{Fault{Vendor: "onedata", Status: 99}, []string{"status"}},
		{Fault{Vendor: "onedata", Status: 500, Times: -1}, []string{"times"}},
		{Fault{Vendor: "onedata", Status: 500, After: -2, RetryAfter: -1}, []string{"after", "retryAfter"}},
		{Fault{Vendor: "onedata", Status: 500, ContentType: "text/plain\x00"}, []string{"contentType"}},
		{Fault{Vendor: "onedata", Status: 500, ContentType: "text/plain; a=\"\r\n\""}, []string{"contentType"}},
		{Fault{Vendor: "onedata", Status: 500, ContentType: "text/" + strings.Repeat("x", MaxContentType)}, []string{"contentType"}},
		{Fault{Vendor: "onedata", Latency: "soon"}, []string{"latency"}},
		{Fault{Vendor: "onedata", Limit: 3}, []string{"limit"}},
		{Fault{Vendor: "onedata", Limit: 3, Window: "x"}, []string{"window"}},
		{Fault{Vendor: "onedata", Status: 500, Rate: 2}, []string{"probability"}},
		{Fault{Vendor: "onedata", Body: "x"}, []string{"body", "status"}},
		{Fault{Vendor: "nope", Path: "[", Status: 1000, Times: -1}, []string{"vendor", "path", "times", "status"}},
	} {
		_, errs := Compile(c.f, known)
		var got []string
		for _, e := range errs {
			got = append(got, e.Field)
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%+v: fields %v, want %v (%v)", c.f, got, c.want, errs)
		}
	}
	for _, ok := range []Fault{
		{Vendor: "onedata", Status: 500},
		{Vendor: "onedata", Status: 100},
		{Vendor: "onedata", Drop: true},
		{Vendor: "onedata", Latency: "10ms"},
		{Vendor: "onedata", Limit: 2, Window: "1s"},
		{Vendor: "commvault", Operation: "listUsers", Status: 503, Body: "<html/>", ContentType: "text/html; charset=utf-8"},
	} {
		if _, errs := Compile(ok, known); errs != nil {
			t.Errorf("%+v refused: %v", ok, errs)
		}
	}
}

// TestTimesAfterAndRemaining: after lets requests through, times stops
// the fault, and what remains exports as the faults that behave alike.
func TestTimesAfterAndRemaining(t *testing.T) {
	st := &Set{}
	st.Add(compile(t, Fault{Vendor: "onedata", Status: 500, After: 1, Times: 2}))
	now := time.Now()
	var got []int
	for range 5 {
		got = append(got, st.Decide("onedata", "remove_user", "DELETE", "/u", now).Status)
	}
	if fmt.Sprint(got) != "[0 500 500 0 0]" {
		t.Fatalf("statuses %v", got)
	}
	if !st.Rules()[0].Spent() || len(st.Remaining()) != 0 {
		t.Errorf("a spent rule: %+v, remaining %+v", st.Rules()[0], st.Remaining())
	}
	st2 := &Set{}
	st2.Add(compile(t, Fault{Vendor: "onedata", Status: 500, After: 3, Times: 2}))
	st2.Decide("onedata", "remove_user", "DELETE", "/u", now)
	c := st2.Clone()
	st2.Decide("onedata", "remove_user", "DELETE", "/u", now)
	if rem := c.Remaining(); len(rem) != 1 || rem[0].After != 2 || rem[0].Times != 2 {
		t.Errorf("the clone's remaining faults: %+v", rem)
	}
	if !st2.Remove(0) || st2.Remove(0) || st2.Len() != 0 {
		t.Errorf("remove: %d left", st2.Len())
	}
}

// TestOnlyTheDecidingRuleIsCharged: of the rules a request matches, the
// first that answers is the only answering rule that counts it; latency
// rules count every request. Two rules of times: 1 fail twice, then the
// call goes through, and an export keeps a rule that never answered.
func TestOnlyTheDecidingRuleIsCharged(t *testing.T) {
	var s Set
	s.Add(compile(t, Fault{Vendor: "onedata", Operation: "remove_user", Status: 500, Times: 1}),
		compile(t, Fault{Vendor: "onedata", Operation: "remove_user", Status: 404, Times: 1}),
		compile(t, Fault{Vendor: "onedata", Latency: "10ms"}))
	var got []int
	for range 3 {
		d := s.Decide("onedata", "remove_user", "DELETE", "/users/x", time.Unix(0, 0))
		got = append(got, d.Status)
		if d.Delay != 10*time.Millisecond {
			t.Errorf("delay %v, want the latency rule's 10ms on every request", d.Delay)
		}
	}
	if fmt.Sprint(got) != "[500 404 0]" {
		t.Errorf("statuses %v, want [500 404 0]: fail twice, then succeed", got)
	}
	rules := s.Rules()
	for i, want := range []struct{ seen, fired int }{{3, 1}, {2, 1}, {3, 3}} {
		if rules[i].Seen != want.seen || rules[i].Fired != want.fired {
			t.Errorf("rule %d seen %d fired %d, want %d and %d", i, rules[i].Seen, rules[i].Fired, want.seen, want.fired)
		}
	}

	// Before the second request, the export still holds the 404 rule.
	var fresh Set
	fresh.Add(compile(t, Fault{Vendor: "onedata", Status: 500, Times: 1}), compile(t, Fault{Vendor: "onedata", Status: 404, Times: 1}))
	fresh.Decide("onedata", "remove_user", "DELETE", "/users/x", time.Unix(0, 0))
	if rem := fresh.Remaining(); len(rem) != 1 || rem[0].Status != 404 || rem[0].Times != 1 {
		t.Errorf("remaining after one request: %+v, want the 404 rule untouched", rem)
	}
}

// TestWindowBehindADecidingRule: a rate limit behind a rule that answered
// does not count the calls that rule answered.
func TestWindowBehindADecidingRule(t *testing.T) {
	var s Set
	s.Add(compile(t, Fault{Vendor: "onedata", Status: 503, Times: 5}),
		compile(t, Fault{Vendor: "onedata", Limit: 2, Window: "1m"}))
	now := time.Unix(100, 0)
	var got []int
	for range 8 {
		got = append(got, s.Decide("onedata", "remove_user", "DELETE", "/users/x", now).Status)
	}
	if fmt.Sprint(got) != "[503 503 503 503 503 0 0 429]" {
		t.Errorf("statuses %v: five 503s, then the window's 2 let through, then 429", got)
	}
}
