package journal

import (
	"fmt"
	"testing"
	"time"
)

func TestRingKeepsTheNewest(t *testing.T) {
	j := New(3)
	for i := range 5 {
		j.Add(Entry{Vendor: "v", Path: fmt.Sprintf("/%d", i), Status: 200 + i})
	}
	all := j.List(Filter{})
	if len(all) != 3 || all[0].Seq != 3 || all[2].Seq != 5 || all[2].Path != "/4" {
		t.Fatalf("kept %+v", all)
	}
	if n := j.Count(Filter{Status: 204}); n != 1 {
		t.Errorf("count status 204: %d", n)
	}
	if n := j.Clear(); n != 3 || j.Count(Filter{}) != 0 {
		t.Errorf("clear dropped %d, left %d", n, j.Count(Filter{}))
	}
	j.Add(Entry{})
	if got := j.List(Filter{}); got[0].Seq != 6 {
		t.Errorf("numbering went back after a clear: %d", got[0].Seq)
	}
	off := New(0)
	off.Add(Entry{})
	if off.Count(Filter{}) != 0 {
		t.Error("a journal of size 0 kept an entry")
	}
}

func TestFilter(t *testing.T) {
	at := time.Unix(100, 0)
	e := &Entry{Seq: 7, Time: at, Session: "", Vendor: "onedata", Operation: "remove_user", Method: "DELETE",
		Path: "/api/v3/onezone/users/x", Status: 204, DecidedBy: "handler"}
	for f, want := range map[*Filter]bool{
		{}:                               true,
		{Vendor: "onedata"}:              true,
		{Vendor: "huawei"}:               false,
		{Method: "delete"}:               true,
		{Path: "/api/v3/*/users/*"}:      true,
		{Path: "/api/v3/onezone/users"}:  false,
		{Session: InSession("")}:         true,
		{Session: InSession("job")}:      false,
		{Status: 404}:                    false,
		{DecidedBy: "handler"}:           true,
		{Since: at}:                      true,
		{Since: at.Add(time.Nanosecond)}: false,
		{AfterSeq: 6}:                    true,
		{AfterSeq: 7}:                    false,
	} {
		if got := f.Match(e); got != want {
			t.Errorf("%+v: %v, want %v", *f, got, want)
		}
	}
	if (Filter{Path: "["}).Check() == nil {
		t.Error("a bad glob passed Check")
	}
}

func TestSubscriptionsAreBounded(t *testing.T) {
	j := New(10)
	var subs []*Subscription
	for range MaxSubscriptions {
		s, ok := j.Subscribe()
		if !ok {
			t.Fatal("refused below the cap")
		}
		subs = append(subs, s)
	}
	if _, ok := j.Subscribe(); ok {
		t.Fatal("a subscription past the cap")
	}
	j.Add(Entry{Vendor: "v"})
	if e := <-subs[0].C(); e.Seq != 1 {
		t.Errorf("delivered %+v", e)
	}
	subs[0].Close()
	subs[0].Close() // twice is harmless
	if _, ok := j.Subscribe(); !ok {
		t.Error("a closed subscription kept its place")
	}
	// A subscriber that never reads does not hold requests up.
	for range 10 * subscriptionBuffer {
		j.Add(Entry{})
	}
}

func TestHeaderGet(t *testing.T) {
	h := Header{"Content-Type": {"application/json"}}
	if h.Get("content-type") != "application/json" || h.Get("Accept") != "" {
		t.Errorf("Get: %q", h.Get("content-type"))
	}
}
