package emulator_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// TestSeededFaultsRepeat: a fault with a probability and a seed fires on
// the same requests every run.
func TestSeededFaultsRepeat(t *testing.T) {
	run := func() string {
		srv := emulatortest.New(t, emulator.WithScenarioYAML("f.yaml", []byte(`
onedata:
  users: {a: {username: admin, password: password, privileges: [oz_users_view]}}
faults:
  - {vendor: onedata, operation: get_user, status: 500, probability: 0.5, seed: 7}
`)))
		var b strings.Builder
		for range 40 {
			got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users/a", Header: map[string]string{"Authorization": basicAdm}})
			fmt.Fprintf(&b, "%d ", got.Status)
		}
		return b.String()
	}
	first, second := run(), run()
	if first != second {
		t.Fatalf("seeded faults differ between runs:\n%s\n%s", first, second)
	}
	if !strings.Contains(first, "200") || !strings.Contains(first, "500") {
		t.Errorf("a 0.5 probability gave one outcome only: %s", first)
	}
}

func TestFaultsAfterTimesAndRateLimit(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenarioYAML("f.yaml", []byte(`
onedata:
  users: {a: {username: admin, password: password, privileges: [oz_users_view, oz_users_list]}}
faults:
  - {vendor: onedata, operation: get_user, status: 500, after: 2, times: 1}
  - {vendor: onedata, operation: list_users, limit: 2, window: 1h}
`)))
	get := emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users/a", Header: map[string]string{"Authorization": basicAdm}}
	var seq []int
	for range 5 {
		seq = append(seq, srv.Do(t, get).Status)
	}
	if fmt.Sprint(seq) != "[200 200 500 200 200]" {
		t.Errorf("after 2, times 1: %v", seq)
	}
	list := emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users", Header: map[string]string{"Authorization": basicAdm}}
	for i := range 3 {
		got := srv.Do(t, list)
		if i < 2 && got.Status != 200 {
			t.Errorf("request %d under the limit: %d", i, got.Status)
		}
		if i == 2 && (got.Status != 429 || got.Header.Get("Retry-After") != "3600") {
			t.Errorf("over the limit: %d Retry-After=%q", got.Status, got.Header.Get("Retry-After"))
		}
	}
	// A reset rewinds the counters.
	srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/reset"})
	if got := srv.Do(t, list); got.Status != 200 {
		t.Errorf("after reset: %d", got.Status)
	}
}

func TestRuntimeFaultsAndDrop(t *testing.T) {
	srv := emulatortest.New(t)
	got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/faults", Body: `{"vendor":"onedata","operation":"remove_user","drop":true,"times":1}`})
	if got.Status != 201 {
		t.Fatalf("add fault: %d %s", got.Status, got.Body)
	}
	req, _ := http.NewRequest("DELETE", srv.URL+"/api/v3/onezone/users/"+joe, nil)
	req.Header.Set("Authorization", basicAdm)
	resp, err := srv.Client().Do(req)
	if err == nil {
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Fatalf("a dropped connection answered %d", resp.StatusCode)
	}
	if got := srv.Do(t, delJoe(nil)); got.Status != 204 {
		t.Errorf("after the one drop: %d", got.Status)
	}
	got = srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/faults", Body: `{"vendor":"onedata","status":"x"}`})
	if got.Status != 400 || !strings.Contains(string(got.Body), "error") {
		t.Errorf("bad fault: %d %s", got.Status, got.Body)
	}
	got = srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/__admin/faults"})
	if got.Status != 200 {
		t.Errorf("clear: %d", got.Status)
	}
}

func TestLatencyFault(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenarioYAML("f.yaml", []byte(`
onedata:
  users: {a: {username: admin, password: password, privileges: [oz_users_view]}}
faults:
  - {vendor: onedata, latency: 120ms}
`)))
	start := time.Now()
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users/a", Header: map[string]string{"Authorization": basicAdm}})
	if got.Status != 200 {
		t.Fatalf("status %d", got.Status)
	}
	if d := time.Since(start); d < 120*time.Millisecond {
		t.Errorf("answered after %v, before the 120ms latency", d)
	}
}

func TestFaultWithCustomBody(t *testing.T) {
	srv := emulatortest.New(t)
	got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/faults",
		Body: `{"vendor":"onedata","operation":"remove_user","status":503,"body":"<html>maintenance</html>","contentType":"text/html","after":1,"times":1}`})
	if got.Status != 201 {
		t.Fatalf("add fault: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, delJoe(map[string]string{emulator.HeaderSession: ""})); got.Status != 204 {
		t.Fatalf("first call passes: %d", got.Status)
	}
	got = srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/ffffffffffffffffffffffffffffffff", Header: map[string]string{"Authorization": basicAdm}})
	if got.Status != 503 || string(got.Body) != "<html>maintenance</html>" || got.Header.Get("Content-Type") != "text/html" {
		t.Fatalf("%d %q %v", got.Status, got.Body, got.Header)
	}
	got = srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/faults", Body: `{"vendor":"onedata","body":"x"}`})
	if got.Status != 400 || !strings.Contains(string(got.Body), "a body goes with a status") {
		t.Errorf("a body without a status: %d %s", got.Status, got.Body)
	}
	// The content type becomes a header every client parses and the
	// journal keeps: a media type, bounded.
	for _, ct := range []string{"text/html\\u0000", "not a type", "text/" + strings.Repeat("x", 300)} {
		got = srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/faults",
			Body: `{"vendor":"onedata","status":503,"contentType":"` + ct + `"}`})
		if got.Status != 400 || !strings.Contains(string(got.Body), "contentType") {
			t.Errorf("contentType %.20q: %d %s", ct, got.Status, got.Body)
		}
	}
}

// TestFailTwiceThenSucceed: two rules of times: 1 on one operation answer
// the first two deletes, and the third goes through (the second rule was
// once spent by the request the first answered, and the user was deleted
// behind a 404).
func TestFailTwiceThenSucceed(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenarioYAML("f.yaml", []byte(`
onedata:
  users:
    a: {username: admin, password: password, privileges: [oz_users_delete]}
    b: {username: leaver}
faults:
  - {vendor: onedata, operation: remove_user, status: 500, times: 1}
  - {vendor: onedata, operation: remove_user, status: 404, times: 1}
`)))
	del := emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/b", Header: map[string]string{"Authorization": basicAdm}}
	var seq []int
	for range 4 {
		seq = append(seq, srv.Do(t, del).Status)
	}
	if fmt.Sprint(seq) != "[500 404 204 404]" {
		t.Errorf("deletes answered %v, want [500 404 204 404]: two faults, the delete, then the user is gone", seq)
	}
}
