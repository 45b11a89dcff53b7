package emulator_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// TestSubtestNamedSessions: any t.Name() names a session, the same way
// over every door: the header and the path prefix (percent-encoded), the
// control API's paths and queries, and the Go API.
func TestSubtestNamedSessions(t *testing.T) {
	srv := emulatortest.New(t)
	for _, name := range []string{"plain", "odd=chars,(1)#01", "ünïcode", "50%_done"} {
		t.Run(name, func(t *testing.T) {
			s := srv.Session(t)
			if !strings.Contains(s.ID, "/") {
				t.Fatalf("a subtest's name without a slash: %q", s.ID)
			}
			wire := emulator.SessionWire(s.ID)
			// The header.
			if got := s.Do(t, delJoe(nil)); got.Status != 204 {
				t.Fatalf("delete in session %q: %d %s", s.ID, got.Status, got.Body)
			}
			// The path prefix reaches the same world: joe is gone there.
			if got := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/__session/" + wire + "/api/v3/onezone/users/" + joe,
				Header: map[string]string{"Authorization": basicAdm}}); got.Status != 404 {
				t.Fatalf("delete by the prefix %s: %d %s", wire, got.Status, got.Body)
			}
			// The shared world still has joe.
			if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users/" + joe,
				Header: map[string]string{"Authorization": basicAdm}}); got.Status != 200 {
				t.Fatalf("the shared world lost joe: %d", got.Status)
			}
			// The control API, by path and by query.
			state := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/sessions/" + wire + "/state"})
			var st struct{ Session string }
			if state.Status != 200 || json.Unmarshal(state.Body, &st) != nil || st.Session != s.ID {
				t.Fatalf("state of %s: %d %.200s", wire, state.Status, state.Body)
			}
			q := url.QueryEscape(s.ID)
			for _, p := range []string{"/__admin/state?session=" + q, "/__admin/faults?session=" + q, "/__admin/credentials/onedata?session=" + q} {
				if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: p}); got.Status != 200 {
					t.Errorf("%s: %d %s", p, got.Status, got.Body)
				}
			}
			if n := s.Count(t, emulator.Filter{Vendor: "onedata", Method: "DELETE"}); n != 2 {
				t.Errorf("journal counted %d deletes in the session, want 2", n)
			}
			journal := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/requests?session=" + q})
			if !strings.Contains(string(journal.Body), `"count": 2`) {
				t.Errorf("the journal by ?session=: %.300s", journal.Body)
			}
			// The Go API and the console's reset, then drop.
			if _, _, err := srv.Emulator.CredentialIn(s.ID, "onedata"); err != nil {
				t.Errorf("CredentialIn: %v", err)
			}
			if got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/sessions/" + wire + "/reset"}); got.Status != 200 {
				t.Errorf("reset: %d %s", got.Status, got.Body)
			}
			if got := s.Do(t, delJoe(nil)); got.Status != 204 {
				t.Errorf("after reset joe is back: %d", got.Status)
			}
			if got := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/__admin/sessions/" + wire}); got.Status != 200 {
				t.Errorf("drop: %d %s", got.Status, got.Body)
			}
			if srv.Emulator.SessionExists(s.ID) {
				t.Error("the session outlived its drop")
			}
		})
	}
}

// TestBadSessionIDsEverywhere: an id no session may have is refused by
// every door alike.
func TestBadSessionIDsEverywhere(t *testing.T) {
	srv := emulatortest.New(t)
	for _, id := range []string{"a b", "tab\there", strings.Repeat("x", 257)} {
		if _, _, err := srv.Emulator.CredentialIn(id, "onedata"); err == nil {
			t.Errorf("CredentialIn(%q) accepted", id)
		}
		if _, err := srv.Emulator.AddFaults(id, emulator.Fault{Vendor: "onedata", Status: 500}); err == nil {
			t.Errorf("AddFaults(%q) accepted", id)
		}
		wire := emulator.SessionWire(id)
		if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/sessions/" + wire + "/state"}); got.Status != 400 {
			t.Errorf("state of %q: %d %s", id, got.Status, got.Body)
		}
		if got := srv.Do(t, delJoe(map[string]string{emulator.HeaderSession: wire})); got.Status != 400 {
			t.Errorf("header %q: %d %s", wire, got.Status, got.Body)
		}
	}
}
