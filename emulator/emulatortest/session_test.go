package emulatortest_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/emulator/remote"
)

// TestSessionLoadsItsOwnScenario: a session takes built-in names or YAML
// for itself, in-process and over HTTP alike, and the shared world keeps
// its own.
func TestSessionLoadsItsOwnScenario(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	remoteSrv := httptest.NewServer(srv.Emulator.AdminHandler())
	defer remoteSrv.Close()
	rc := remote.New(remoteSrv.URL)
	const joe = "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1"
	admin := map[string]string{"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="}
	for name, se := range map[string]*emulatortest.Session{
		"in-process": srv.Session(t),
		"remote":     emulatortest.NewSession(t, srv.URL, rc),
	} {
		t.Run(name, func(t *testing.T) {
			se.LoadScenario(t, "onedata-unknown-user")
			if got := se.Do(t, emulatortest.Request{Method: "GET", Path: joe, Header: admin}); got.Status != 404 {
				t.Errorf("joe in onedata-unknown-user: %d", got.Status)
			}
			se.LoadScenarioYAML(t, "mine.yaml", []byte("name: mine\nextends: default\nonedata:\n  users:\n    a5b469a2b0516b662a49da74d6d7d7bc: {username: admin, password: password, privileges: [oz_users_view]}\n    a4d3bc73aada63052310652d421609f1: {username: joe, fullName: Joe Mine}\n"))
			if got := se.Do(t, emulatortest.Request{Method: "GET", Path: joe, Header: admin}); !strings.Contains(string(got.Body), "Joe Mine") {
				t.Errorf("joe in mine.yaml: %d %s", got.Status, got.Body)
			}
		})
	}
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: joe, Header: admin}); !strings.Contains(string(got.Body), "Joe Doe") {
		t.Errorf("the shared world changed: %s", got.Body)
	}
}
