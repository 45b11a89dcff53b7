package emulator_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/vendors/onedata"
	"github.com/offboard/offboard/scenarios"
)

const (
	joe      = "a4d3bc73aada63052310652d421609f1"
	basicAdm = "Basic YWRtaW46cGFzc3dvcmQ="
)

func delJoe(hdr map[string]string) emulatortest.Request {
	h := map[string]string{"Authorization": basicAdm}
	for k, v := range hdr {
		h[k] = v
	}
	return emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/" + joe, Header: h}
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %v: %s", err, b)
	}
	return m
}

func TestEveryBuiltinScenarioLoads(t *testing.T) {
	list := scenarios.Builtins()
	if len(list) < 2 {
		t.Fatalf("built-in scenarios: %v", list)
	}
	for _, s := range list {
		if s.Description == "" || strings.HasPrefix(s.Description, "(broken") {
			t.Errorf("%s: description %q", s.Name, s.Description)
		}
		if _, err := emulator.New(emulator.WithScenario(s.Name)); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
}

// TestScenarioErrorsNameFileLineField: a bad scenario is refused with
// file:line:col and the field at fault.
func TestScenarioErrorsNameFileLineField(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"typo in a field", "onedata:\n  users:\n    u1:\n      usrname: x\n", `bad.yaml:4:7: onedata.users.u1.usrname: unknown field "usrname"`},
		{"unknown vendor section", "name: x\nonedatta: {}\n", `bad.yaml:2:1: onedatta: unknown section`},
		{"wrong type", "arcgis:\n  users:\n    gis_joe:\n      containers: running\n", `bad.yaml:4:19: arcgis.users.gis_joe.containers: expected a list`},
		{"dangling reference", "onedata:\n  tokens:\n    t1: {user: ghost}\n", `bad.yaml:3:16: onedata.tokens.t1.user: token acts for a user the scenario does not define`},
		{"unknown privilege", "onedata:\n  users:\n    u1: {privileges: [oz_user_delete]}\n", `bad.yaml:3:23: onedata.users.u1.privileges[0]: unknown privilege "oz_user_delete"`},
		{"container twice", "arcgis:\n  users:\n    a: {containers: [c1]}\n    b: {containers: [c1]}\n", `bad.yaml:4:22: arcgis.users.b.containers[0]: container "c1" already runs for a`},
		{"unknown role", "arcgis:\n  tokens:\n    t: {role: admin}\n", `bad.yaml:3:15: arcgis.tokens.t.role: unknown role "admin"`},
		{"syntax error", "onedata:\n  users: [\n", `bad.yaml:3:1: `},
		{"not a mapping", "- a\n- b\n", `bad.yaml:1:1: a scenario is a mapping`},
		{"bad time", "arcgis:\n  tokens:\n    t: {expires: soon}\n", `bad.yaml:3:18: arcgis.tokens.t.expires: expected a time`},
		{"fault for an unknown vendor", "faults:\n  - {vendor: nobody, status: 500}\n", `bad.yaml:2:14: faults[0].vendor: unknown vendor "nobody"`},
		{"fault without effect", "faults:\n  - {vendor: onedata}\n", `faults[0].status: a fault needs a status`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := emulator.New(emulator.WithScenarioYAML("bad.yaml", []byte(c.yaml)))
			if err == nil {
				t.Fatal("loaded without error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q\nwant it to contain %q", err, c.want)
			}
			var se *scenarios.Error
			if !errors.As(err, &se) || se.Line == 0 {
				t.Errorf("error is not positioned: %#v", err)
			}
		})
	}
}

func TestScenarioFileOnDisk(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "mine.yaml")
	if err := os.WriteFile(good, []byte("name: mine\ndescription: joe only\nonedata:\n  users:\n    "+joe+": {username: joe}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := emulatortest.New(t, emulator.WithScenario(good))
	if got := srv.Do(t, delJoe(nil)); got.Status != 401 {
		t.Errorf("no admin in this scenario, want 401, got %d", got.Status)
	}
	if err := srv.Emulator.Check(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("a missing file checked fine")
	}
}

// TestEveryOperationHasAHandler: the spec and the code describe one API.
func TestEveryOperationHasAHandler(t *testing.T) {
	if _, err := emulator.New(emulator.WithVendors(missingOp{onedata.New()})); err == nil || !strings.Contains(err.Error(), "get_user has no handler") {
		t.Errorf("an operation without a handler: %v", err)
	}
	if _, err := emulator.New(emulator.WithVendors(extraOp{onedata.New()})); err == nil || !strings.Contains(err.Error(), "handler frobnicate has no operation") {
		t.Errorf("a handler without an operation: %v", err)
	}
}

type missingOp struct{ onedata.Vendor }

func (m missingOp) Operations() map[string]kit.Handler {
	ops := m.Vendor.Operations()
	delete(ops, "get_user")
	return ops
}

type extraOp struct{ onedata.Vendor }

func (m extraOp) Operations() map[string]kit.Handler {
	ops := m.Vendor.Operations()
	ops["frobnicate"] = ops["get_user"]
	return ops
}

func TestUnknownPathListsRoutes(t *testing.T) {
	srv := emulatortest.New(t)
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/no/such/thing"})
	m := decode(t, got.Body)
	routes, _ := m["routes"].([]any)
	if got.Status != 404 || len(routes) == 0 || !strings.Contains(fmt.Sprint(routes), "DELETE /api/v3/onezone/users/{id}") {
		t.Errorf("got %d %s", got.Status, got.Body)
	}
}

func TestAdminAPI(t *testing.T) {
	srv := emulatortest.New(t)
	admin := func(method, path, body string) (int, map[string]any) {
		got := srv.Do(t, emulatortest.Request{Method: method, Path: path, Body: body})
		return got.Status, decode(t, got.Body)
	}
	if s, m := admin("GET", "/__admin/health", ""); s != 200 || m["status"] != "ok" || m["scenario"] != "default" {
		t.Errorf("health: %d %v", s, m)
	}
	if got := srv.Do(t, delJoe(nil)); got.Status != 204 {
		t.Fatalf("delete: %d", got.Status)
	}
	if got := srv.Do(t, delJoe(nil)); got.Status != 404 {
		t.Fatalf("second delete: %d", got.Status)
	}
	if s, _ := admin("POST", "/__admin/reset", ""); s != 200 {
		t.Fatalf("reset: %d", s)
	}
	if got := srv.Do(t, delJoe(nil)); got.Status != 204 {
		t.Fatalf("reset did not bring joe back: %d", got.Status)
	}
	if s, m := admin("GET", "/__admin/scenarios", ""); s != 200 || !strings.Contains(fmt.Sprint(m["builtin"]), "onedata-no-privilege") {
		t.Errorf("scenarios: %d %v", s, m)
	}
	// Load by name.
	if s, m := admin("PUT", "/__admin/scenario", "onedata-no-privilege"); s != 200 || m["scenario"] != "onedata-no-privilege" {
		t.Fatalf("load by name: %d %v", s, m)
	}
	if got := srv.Do(t, delJoe(nil)); got.Status != 403 {
		t.Errorf("after loading onedata-no-privilege: %d", got.Status)
	}
	// A bad scenario is refused with its position, and the old state stays.
	s, m := admin("PUT", "/__admin/scenario", "name: broken\nonedata:\n  users:\n    x: {fullname: y}\n")
	if s != 400 || !strings.Contains(fmt.Sprint(m["error"]), "request body:4:9: onedata.users.x.fullname: unknown field") {
		t.Errorf("bad scenario: %d %v", s, m)
	}
	if _, m := admin("GET", "/__admin/health", ""); m["scenario"] != "onedata-no-privilege" {
		t.Errorf("a refused scenario replaced the loaded one: %v", m)
	}
	// A YAML scenario in the body.
	if s, m := admin("PUT", "/__admin/scenario", "name: mine\nonedata:\n  users:\n    "+joe+": {username: joe}\n    a: {username: admin, password: password, privileges: [oz_users_delete]}\n"); s != 200 || m["scenario"] != "mine" {
		t.Fatalf("load YAML: %d %v", s, m)
	}
	if got := srv.Do(t, delJoe(nil)); got.Status != 204 {
		t.Errorf("after loading mine: %d", got.Status)
	}
	// The state dump shows the effect.
	s, m = admin("GET", "/__admin/state", "")
	users := m["vendors"].(map[string]any)["onedata"].(map[string]any)["users"].(map[string]any)
	if s != 200 || len(users) != 1 || users["a"] == nil {
		t.Errorf("state: %d %v", s, users)
	}
	if s, m := admin("PUT", "/__admin/scenario", "no-such-scenario"); s != 400 || !strings.Contains(fmt.Sprint(m["error"]), "no built-in scenario") {
		t.Errorf("unknown name: %d %v", s, m)
	}
	if s, _ := admin("PUT", "/__admin/scenario", ""); s != 400 {
		t.Errorf("empty body: %d", s)
	}
	if s, m := admin("GET", "/__admin/nope", ""); s != 404 || m["error"] == nil {
		t.Errorf("unknown control path: %d %v", s, m)
	}
	if s, m := admin("DELETE", "/__admin/health", ""); s != 405 || m["error"] == nil {
		t.Errorf("wrong method: %d %v", s, m)
	}
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/specs/onedata.yaml"})
	if got.Status != 200 || !strings.Contains(string(got.Body), "operationId: remove_user") {
		t.Errorf("spec: %d", got.Status)
	}
	if s, _ := admin("GET", "/__admin/specs/nobody.yaml", ""); s != 404 {
		t.Errorf("unknown spec: %d", s)
	}
}

// TestSessionsAreIsolated: two sessions run the same delete in parallel,
// each sees its own user, and neither touches the shared state.
func TestSessionsAreIsolated(t *testing.T) {
	srv := emulatortest.New(t)
	var wg sync.WaitGroup
	results := make([][2]int, 2)
	for i, sess := range []string{"job-a", "job-b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := srv.Do(t, delJoe(map[string]string{emulator.HeaderSession: sess})).Status
			second := srv.Do(t, delJoe(map[string]string{emulator.HeaderSession: sess})).Status
			results[i] = [2]int{first, second}
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r != [2]int{204, 404} {
			t.Errorf("session %d: %v, want [204 404]", i, r)
		}
	}
	// The path prefix names a session too, for clients that only set a base URL.
	got := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/__session/job-c/api/v3/onezone/users/" + joe, Header: map[string]string{"Authorization": basicAdm}})
	if got.Status != 204 {
		t.Errorf("path-prefix session: %d", got.Status)
	}
	got = srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/" + joe, Header: map[string]string{"Authorization": basicAdm, emulator.HeaderSession: "job-c"}})
	if got.Status != 404 {
		t.Errorf("header and prefix name the same session: %d", got.Status)
	}
	if got := srv.Do(t, delJoe(nil)); got.Status != 204 {
		t.Errorf("the shared session was touched: %d", got.Status)
	}
	// Reset one session alone.
	got = srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/sessions/job-a/reset"})
	if got.Status != 200 {
		t.Fatalf("session reset: %d", got.Status)
	}
	if got := srv.Do(t, delJoe(map[string]string{emulator.HeaderSession: "job-a"})); got.Status != 204 {
		t.Errorf("after session reset: %d", got.Status)
	}
	if got := srv.Do(t, delJoe(map[string]string{emulator.HeaderSession: "job-b"})); got.Status != 404 {
		t.Errorf("resetting job-a reset job-b: %d", got.Status)
	}
	// A session loads a scenario of its own.
	got = srv.Do(t, emulatortest.Request{Method: "PUT", Path: "/__admin/sessions/job-d/scenario", Body: "onedata-no-privilege"})
	if got.Status != 200 {
		t.Fatalf("session scenario: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, delJoe(map[string]string{emulator.HeaderSession: "job-d"})); got.Status != 403 {
		t.Errorf("job-d's own scenario: %d", got.Status)
	}
	got = srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/sessions"})
	for _, id := range []string{"job-a", "job-b", "job-c", "job-d"} {
		if !strings.Contains(string(got.Body), `"id": "`+id+`"`) {
			t.Errorf("session %s not listed: %s", id, got.Body)
		}
	}
}

func TestIdleSessionsAreDropped(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := emulatortest.New(t, emulator.WithClock(clock), emulator.WithSessionIdle(time.Minute))
	if got := srv.Do(t, delJoe(map[string]string{emulator.HeaderSession: "old"})); got.Status != 204 {
		t.Fatal(got.Status)
	}
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	if got := srv.Do(t, delJoe(map[string]string{emulator.HeaderSession: "old"})); got.Status != 204 {
		t.Errorf("an idle session kept its state: %d", got.Status)
	}
}
