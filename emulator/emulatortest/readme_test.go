package emulatortest_test

import (
	"net/http"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

const joe = "a4d3bc73aada63052310652d421609f1" // the default scenario's Onedata user

// TestOffboarding is README's "Using it from Go tests", compiled and run.
func TestOffboarding(t *testing.T) {
	srv := emulatortest.New(t) // in-process; every answer is checked against the vendor's spec

	t.Run("joe leaves", func(t *testing.T) {
		s := srv.Session(t) // this test's own world, named t.Name(): "TestOffboarding/joe_leaves"

		// Point the code under test at s.URL() (or send s.Do's session header).
		req, _ := http.NewRequest("DELETE", s.URL()+"/api/v3/onezone/users/"+joe, nil)
		for k, v := range s.Credential(t, "onedata") {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 204 {
			t.Fatalf("delete: %s", resp.Status)
		}

		// What it sent: exactly one successful delete.
		if n := s.Count(t, emulator.Filter{Vendor: "onedata", Method: "DELETE", Status: 204}); n != 1 {
			t.Errorf("%d successful deletes, want 1", n)
		}
		// The state changed: a second delete gets the vendor's 404.
		if got := s.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/" + joe,
			Header: s.Credential(t, "onedata")}); got.Status != 404 {
			t.Errorf("second delete: %d %s", got.Status, got.Body)
		}
	})

	t.Run("onezone fails once", func(t *testing.T) {
		s := srv.Session(t) // joe is back: another session
		s.AddFaults(t, emulator.Fault{Vendor: "onedata", Operation: "remove_user", Status: 500, Times: 1})
		del := emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/" + joe,
			Header: s.Credential(t, "onedata")}
		if got := s.Do(t, del); got.Status != 500 {
			t.Fatalf("with the fault: %d", got.Status)
		}
		if got := s.Do(t, del); got.Status != 204 { // a retry succeeds
			t.Fatalf("the retry: %d %s", got.Status, got.Body)
		}
	})
}
