package emulator_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// TestCatalogue: every vendor's documented errors come from its spec, and
// each entry's fault makes the next call answer exactly that example.
func TestCatalogue(t *testing.T) {
	em, err := emulator.New()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := em.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range emulator.Vendors() {
		if len(cat[v]) < 3 {
			t.Errorf("%s: %d documented errors", v, len(cat[v]))
		}
	}
	find := func(vendor, op string, status int, name string) emulator.CatalogueEntry {
		t.Helper()
		for _, c := range cat[vendor] {
			if c.Operation == op && c.Status == status && (name == "" || c.Name == name) {
				return c
			}
		}
		t.Fatalf("%s %s %d %s not in the catalogue", vendor, op, status, name)
		return emulator.CatalogueEntry{}
	}
	for _, c := range []struct {
		vendor, op string
		status     int
		name       string
		req        emulatortest.Request
	}{
		{"onedata", "remove_user", 500, "", delJoe(nil)},
		{"onedata", "remove_user", 400, "badValueString", delJoe(nil)},
		{"arcgis", "deleteUserWorkspace", 200, "runningContainers", emulatortest.Request{Method: "POST", Path: "/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace",
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: "userName=gis_joe&f=json&token=" + arcgisSeedToken}},
	} {
		t.Run(c.vendor+"/"+c.op+"/"+c.name, func(t *testing.T) {
			entry := find(c.vendor, c.op, c.status, c.name)
			srv := emulatortest.New(t, emulator.WithScenario("default"))
			b, _ := json.Marshal(entry.Fault)
			if got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/faults", Header: map[string]string{"Content-Type": "application/json"}, Body: string(b)}); got.Status >= 300 {
				t.Fatalf("adding %s: %d %s", b, got.Status, got.Body)
			}
			got := srv.Do(t, c.req)
			if got.Status != entry.Status || !jsonEqual(got.Body, []byte(entry.Example)) {
				t.Fatalf("answered %d %s, want %d %s", got.Status, got.Body, entry.Status, entry.Example)
			}
			if again := srv.Do(t, c.req); again.Status == entry.Status && string(again.Body) == string(got.Body) && c.status >= 400 {
				t.Errorf("the fault fired twice; it is for the next call only")
			}
		})
	}
	got := emulatortest.New(t).Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/errors"})
	if got.Status != 200 || !strings.Contains(string(got.Body), `"badValueString"`) {
		t.Errorf("GET /__admin/errors: %d", got.Status)
	}
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}

// TestRemoveOneFault: one rule goes, the next keeps working.
func TestRemoveOneFault(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	add := `[{"vendor":"onedata","operation":"remove_user","status":503},{"vendor":"onedata","operation":"remove_user","status":500}]`
	if got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/faults", Header: map[string]string{"Content-Type": "application/json"}, Body: add}); got.Status >= 300 {
		t.Fatalf("add: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/__admin/faults/0"}); got.Status != 200 {
		t.Fatalf("remove: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, delJoe(nil)); got.Status != 500 {
		t.Errorf("after removing the 503 rule: %d, want the 500 rule's answer", got.Status)
	}
	for path, want := range map[string]int{"/__admin/faults/1": 404, "/__admin/faults/x": 400, "/__admin/faults/0?session=nobody": 404} {
		if got := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: path}); got.Status != want {
			t.Errorf("DELETE %s: %d, want %d", path, got.Status, want)
		}
	}
}
