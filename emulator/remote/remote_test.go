package remote_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/emulator/remote"
)

// TestBothDoorsAgree drives one emulator through the remote client and
// reads it back in-process (and the other way round): the same names give
// the same answers and the same kinds of error.
func TestBothDoorsAgree(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	em := srv.Emulator
	c := remote.New(srv.URL)

	h, err := c.Health()
	if err != nil || !cmp.Equal(h, em.Health()) {
		t.Errorf("Health: %+v, %v; in-process %+v", h, err, em.Health())
	}
	if names, err := c.VendorNames(); err != nil || !cmp.Equal(names, em.VendorNames()) {
		t.Errorf("VendorNames: %v, %v", names, err)
	}
	if list, err := c.Scenarios(); err != nil || !cmp.Equal(list, em.Scenarios()) {
		t.Errorf("Scenarios: %d, %v", len(list), err)
	}
	if routes, err := c.Routes(); err != nil || !cmp.Equal(routes, em.Routes()) {
		t.Errorf("Routes: %d, %v", len(routes), err)
	}
	spec, err := c.Spec("onedata")
	if want, _ := em.Spec("onedata"); err != nil || string(spec) != string(want) {
		t.Errorf("Spec: %d bytes, %v", len(spec), err)
	}
	cat, err := c.Catalogue()
	if want, _ := em.Catalogue(); err != nil || !cmp.Equal(cat, want) {
		t.Errorf("Catalogue: %v", err)
	}

	// A session made over HTTP, seen in-process.
	const id = "remote/a_session"
	if err := c.LoadSessionRefs(id, "default"); err != nil {
		t.Fatal(err)
	}
	if !em.SessionExists(id) {
		t.Fatal("the session loaded over HTTP does not exist in-process")
	}
	if ok, err := c.SessionExists(id); err != nil || !ok {
		t.Errorf("SessionExists: %v, %v", ok, err)
	}
	header, value, err := c.CredentialIn(id, "onedata")
	if err != nil || header == "" || value == "" {
		t.Fatalf("CredentialIn: %q %q %v", header, value, err)
	}
	// A fault added over HTTP fires in-process and shows on both sides.
	if n, err := c.AddFaults(id, emulator.Fault{Vendor: "onedata", Operation: "list_users", Status: 503, Times: 1}); err != nil || n != 1 {
		t.Fatalf("AddFaults: %d, %v", n, err)
	}
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users",
		Header: map[string]string{header: value, emulator.HeaderSession: emulator.SessionWire(id)}})
	if got.Status != 503 {
		t.Errorf("the fault did not fire: %d %s", got.Status, got.Body)
	}
	rules, err := c.Faults(id)
	want, _ := em.Faults(id)
	if err != nil || len(rules) != 1 || rules[0].Fired != 1 || !cmp.Equal(rules[0].Fault, want[0].Fault) {
		t.Errorf("Faults: %+v, %v", rules, err)
	}
	if err := c.RemoveFault(id, 0); err != nil {
		t.Error(err)
	}
	if left, _ := em.Faults(id); len(left) != 0 {
		t.Errorf("RemoveFault over HTTP left %d rules in-process", len(left))
	}
	if _, err := c.AddFaults(id, emulator.Fault{Vendor: "onedata", Status: 500}); err != nil {
		t.Fatal(err)
	}
	if err := c.ClearFaults(id); err != nil {
		t.Error(err)
	}

	// The journal, both ways.
	f := emulator.Filter{Vendor: "onedata", Session: emulator.InSession(id)}
	entries, err := c.Requests(f, 0)
	inproc, _ := em.Requests(f, 0)
	if err != nil || len(entries) != 1 || entries[0].Seq != inproc[0].Seq || entries[0].Status != 503 || entries[0].DecidedBy != "fault" {
		t.Errorf("Requests: %+v, %v", entries, err)
	}
	if n, err := c.CountRequests(f); err != nil || n != 1 {
		t.Errorf("CountRequests: %d, %v", n, err)
	}
	if later, err := c.Requests(emulator.Filter{AfterSeq: entries[0].Seq}, 0); err != nil || len(later) != 0 {
		t.Errorf("Requests after the last: %d, %v", len(later), err)
	}

	// State and export of the session.
	st, err := c.State(id)
	inst, _ := em.State(id)
	if err != nil || !cmp.Equal(jsonOf(t, st), jsonOf(t, inst)) {
		t.Errorf("State differs from in-process: %v", err)
	}
	if y, err := c.Export(id); err != nil || !strings.Contains(string(y), "onedata:") {
		t.Errorf("Export: %v\n%.300s", err, y)
	}
	if err := c.ResetSession(id); err != nil {
		t.Error(err)
	}
	if err := c.DropSession(id); err != nil {
		t.Error(err)
	}
	if em.SessionExists(id) {
		t.Error("DropSession over HTTP left the session")
	}

	// Scenarios: by name, from a file, as YAML; a mistake is ErrInvalid.
	if err := c.LoadRefs("commvault-expired-token"); err != nil {
		t.Error(err)
	}
	if em.ScenarioName() != "commvault-expired-token" {
		t.Errorf("LoadRefs by name: the scenario is %q", em.ScenarioName())
	}
	file := filepath.Join(t.TempDir(), "mine.yaml")
	if err := os.WriteFile(file, []byte("name: mine\nextends: default\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.LoadRefs(file); err != nil || em.ScenarioName() != "mine" {
		t.Errorf("LoadRefs from a file: %v, scenario %q", err, em.ScenarioName())
	}
	err = c.LoadYAML("bad.yaml", []byte("name: bad\nonedata:\n  users:\n    u1: {privileges: [nope]}\n"))
	if !errors.Is(err, emulator.ErrInvalid) || !regexp.MustCompile(`:4:\d+: onedata\.users\.u1\.privileges`).MatchString(err.Error()) {
		t.Errorf("LoadYAML of a bad scenario: %v", err)
	}
	if err := c.Reset(); err != nil {
		t.Error(err)
	}

	// The same error kinds as in-process.
	if err := c.DropSession("nobody"); !errors.Is(err, emulator.ErrNotFound) {
		t.Errorf("DropSession of nothing: %v", err)
	}
	if _, _, err := c.Credential("nope"); !errors.Is(err, emulator.ErrNotFound) {
		t.Errorf("Credential of an unknown vendor: %v", err)
	}
	if _, err := c.AddFaults("", emulator.Fault{Vendor: "onedata", Status: 42}); !errors.Is(err, emulator.ErrInvalid) {
		t.Errorf("AddFaults of a bad fault: %v", err)
	}
	if n, err := c.ClearRequests(); err != nil || n == 0 {
		t.Errorf("ClearRequests: %d, %v", n, err)
	}
}

// TestAdminToken: a client with the token passes, one without is told.
func TestAdminToken(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithAdminToken("s3cret"))
	if _, err := remote.New(srv.URL, remote.WithAdminToken("s3cret")).Sessions(); err != nil {
		t.Errorf("with the token: %v", err)
	}
	_, err := remote.New(srv.URL).Sessions()
	var re *remote.Error
	if !errors.As(err, &re) || re.Status != http.StatusUnauthorized {
		t.Errorf("without the token: %v", err)
	}
}

// TestEveryControlMethodHasARemoteOne: each Go method the control API
// names (x-go-method) is on the remote client too, or is one that has no
// meaning over one HTTP call (a live subscription, the control API's own
// spec) or takes a parsed scenario (loaded over HTTP from a name, a file
// or YAML instead).
func TestEveryControlMethodHasARemoteOne(t *testing.T) {
	em, err := emulator.New()
	if err != nil {
		t.Fatal(err)
	}
	spec := em.ControlSpec()
	methods := map[string]bool{}
	for _, m := range regexp.MustCompile(`x-go-method: (\w+)`).FindAllStringSubmatch(string(spec), -1) {
		methods[m[1]] = true
	}
	if len(methods) < 15 {
		t.Fatalf("only %d x-go-methods found in the control spec", len(methods))
	}
	instead := map[string][]string{
		"SubscribeRequests":   nil, // a stream: GET /__admin/requests/stream
		"ControlSpec":         nil,
		"LoadScenario":        {"LoadRefs", "LoadYAML"},
		"LoadSessionScenario": {"LoadSessionRefs", "LoadSessionYAML"},
	}
	client := reflect.TypeOf(&remote.Client{})
	for m := range methods {
		names, special := instead[m]
		if !special {
			names = []string{m}
		}
		for _, name := range names {
			if _, ok := client.MethodByName(name); !ok {
				t.Errorf("the control API's %s has no remote.Client.%s", m, name)
			}
		}
	}
}

func jsonOf(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Both doors are an emulatortest.Controller: a test's session helper works
// the same on an emulator in-process and on one in a container.
var (
	_ emulatortest.Controller = (*emulator.Emulator)(nil)
	_ emulatortest.Controller = (*remote.Client)(nil)
)

func TestSessionOverHTTP(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	se := emulatortest.NewSession(t, srv.URL, remote.New(srv.URL))
	const joe = "a4d3bc73aada63052310652d421609f1"
	del := se.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/" + joe, Header: se.Credential(t, "onedata")})
	if del.Status != http.StatusNoContent {
		t.Fatalf("delete in the session: %d %s", del.Status, del.Body)
	}
	if n := se.Count(t, emulator.Filter{Method: "DELETE", Status: http.StatusNoContent}); n != 1 {
		t.Errorf("the session's journal counts %d deletes", n)
	}
	// The shared world still has joe.
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users/" + joe,
		Header: map[string]string{"X-Auth-Token": "onedata-admin-token"}})
	if got.Status != http.StatusOK {
		t.Errorf("the shared world lost joe: %d", got.Status)
	}
}

// TestLoadingByBothDoors: LoadRefs layers several built-ins over HTTP as
// in-process, and LoadYAML's name is the one a mistake is reported under.
func TestLoadingByBothDoors(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	c := remote.New(srv.URL)
	if err := c.LoadRefs("default", "arcgis-running-containers"); err != nil {
		t.Fatal(err)
	}
	if got := srv.Emulator.ScenarioName(); got != "default+arcgis-running-containers" {
		t.Errorf("after layering two built-ins the scenario is %q", got)
	}
	if err := c.LoadRefs("default", "./mine.yaml"); !errors.Is(err, emulator.ErrInvalid) {
		t.Errorf("a file among several refs: %v, want ErrInvalid", err)
	}
	bad := []byte("name: bad\nonedata:\n  users:\n    u1: {privileges: [nope]}\n")
	for _, door := range []struct {
		name string
		load func() error
	}{{"remote", func() error { return c.LoadYAML("mine.yaml", bad) }}, {"in-process", func() error { return srv.Emulator.LoadYAML("mine.yaml", bad) }}} {
		if err := door.load(); err == nil || !strings.Contains(err.Error(), "mine.yaml:4:") {
			t.Errorf("%s: LoadYAML's mistake %v, want it under mine.yaml:4:", door.name, err)
		}
	}
}
