package emulator_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/scenarios"
)

// TestOutcomesByVendorSemantics: each vendor's answer is judged as that
// vendor means it, whatever the HTTP status; the journal keeps the outcome
// and the vendor's error, the control API filters on them, and every
// vendor error carries X-Offboard-Detail (issue 21: Commvault's refusals
// read as green 200s).
func TestOutcomesByVendorSemantics(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	_, arcgis, err := srv.Emulator.Credential("arcgis")
	if err != nil {
		t.Fatal(err)
	}
	_, commvault, _ := srv.Emulator.Credential("commvault")
	_, securid, _ := srv.Emulator.Credential("securid")
	for _, tc := range []struct {
		name     string
		scenario string
		req      emulatortest.Request
		status   int
		outcome  string
		vendor   string // the vendor's error identity
	}{
		{"onedata success", "default", delJoe(nil), 204, "ok", ""},
		{"onedata not found", "default", emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/ffffffffffffffffffffffffffffffff", Header: map[string]string{"Authorization": basicAdm}}, 404, "error", "notFound"},
		{"commvault refusal in a 200, JSON", "default", emulatortest.Request{Method: "DELETE", Path: "/webconsole/api/User/6?newUserId=999",
			Header: map[string]string{"Authtoken": commvault, "Accept": "application/json"}}, 200, "error", "errorCode 2"},
		{"commvault refusal in a 200, XML", "default", emulatortest.Request{Method: "GET", Path: "/webconsole/api/User/999",
			Header: map[string]string{"Authtoken": commvault}}, 200, "error", "errorCode 2"},
		{"commvault success, XML", "default", emulatortest.Request{Method: "GET", Path: "/webconsole/api/User/6",
			Header: map[string]string{"Authtoken": commvault}}, 200, "ok", ""},
		{"commvault login refused", "default", emulatortest.Request{Method: "POST", Path: "/webconsole/api/Login",
			Header: map[string]string{"Content-Type": "application/json", "Accept": "application/json"}, Body: `{"username":"admin","password":"bm9wZQ=="}`}, 200, "error", "errorCode 5"},
		{"huawei is_success false", "huawei-rejected", emulatortest.Request{Method: "POST", Path: "/v2/demo-project/demo-workspace/delete-users",
			Header: map[string]string{"X-Auth-Token": "demo-token", "Content-Type": "application/json"}, Body: `{"user_ids":["2d032145d82546b5b83cd7a6fd7d0afc"]}`}, 200, "error", "is_success false"},
		{"huawei gateway 401", "default", emulatortest.Request{Method: "GET", Path: "/v2/demo-project/demo-workspace/users"}, 401, "error", "APIGW.0301"},
		{"arcgis envelope in a 200", "arcgis-running-containers", emulatortest.Request{Method: "POST", Path: "/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace",
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: "userName=gis_joe&f=json&token=" + strings.TrimPrefix(arcgis, "Bearer ")}, 200, "error", "500"},
		{"arcgis error page in a 200", "default", emulatortest.Request{Method: "GET", Path: "/arcgis/notebooks/admin/system/containers"}, 200, "error", "499"},
		{"securid 409", "securid-enabled-user", emulatortest.Request{Method: "DELETE", Path: "/AdminInterface/restapi/v1/users/eb2e12ae-1112-451b-98e1-dfe4e6afd60d",
			Header: map[string]string{"Authorization": securid}}, 409, "error", "409 Conflict"},
		{"securid 403", "default", emulatortest.Request{Method: "DELETE", Path: "/AdminInterface/restapi/v1/users/eb2e12ae-1112-451b-98e1-dfe4e6afd60d"}, 403, "error", "403 *"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := srv.Session(t)
			f, err := scenarios.Builtin(tc.scenario)
			if err != nil {
				t.Fatal(err)
			}
			if err := srv.Emulator.LoadSessionScenario(s.ID, f); err != nil {
				t.Fatal(err)
			}
			got := s.Do(t, tc.req)
			if tc.status != 0 && got.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", got.Status, tc.status, got.Body)
			}
			detail := got.Header.Get(emulator.HeaderDetail)
			if (tc.outcome == "error") != (detail != "") {
				t.Errorf("X-Offboard-Detail %q for a %s", detail, tc.outcome)
			}
			entries, err := srv.Emulator.Requests(emulator.Filter{Session: emulator.InSession(s.ID)}, 1)
			if err != nil || len(entries) != 1 {
				t.Fatalf("journal: %v %d", err, len(entries))
			}
			e := entries[0]
			if e.Outcome != tc.outcome {
				t.Errorf("outcome %q, want %q (vendorError %q, body %.200s)", e.Outcome, tc.outcome, e.VendorError, got.Body)
			}
			if ok := globMatch(tc.vendor, e.VendorError); !ok {
				t.Errorf("vendorError %q, want %q", e.VendorError, tc.vendor)
			}
			// The filters find it by outcome and by its vendor error.
			filter := emulator.Filter{Session: emulator.InSession(s.ID), Outcome: tc.outcome, VendorError: tc.vendor}
			if n, err := srv.Emulator.CountRequests(filter); err != nil || n != 1 {
				t.Errorf("filtered by outcome %q and vendorError %q: %d, %v", tc.outcome, tc.vendor, n, err)
			}
		})
	}
}

// TestJournalTextSearch: a request is found by a fragment of its body,
// in any case, through the control API.
func TestJournalTextSearch(t *testing.T) {
	srv := emulatortest.New(t)
	s := srv.Session(t)
	s.Do(t, emulatortest.Request{Method: "POST", Path: "/api/v3/onezone/users", Header: map[string]string{"Authorization": basicAdm, "Content-Type": "application/json"},
		Body: `{"username":"Needle_In_Body","password":"s3cret-pass"}`})
	s.Do(t, delJoe(nil))
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/requests?q=needle_in&session=" + emulator.SessionWire(s.ID)})
	if got.Status != http.StatusOK || !strings.Contains(string(got.Body), `"count": 1`) || !strings.Contains(string(got.Body), "Needle_In_Body") {
		t.Errorf("search by a body fragment: %d %.400s", got.Status, got.Body)
	}
	if n, _ := srv.Emulator.CountRequests(emulator.Filter{Session: emulator.InSession(s.ID), Text: "NOTFOUND-NOWHERE"}); n != 0 {
		t.Errorf("a fragment in no request matched %d", n)
	}
	bad := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/requests?outcome=maybe"})
	if bad.Status != http.StatusBadRequest {
		t.Errorf("outcome=maybe: %d", bad.Status)
	}
}

func globMatch(pattern, s string) bool {
	if pattern == "" || !strings.Contains(pattern, "*") {
		return pattern == s
	}
	prefix, _, _ := strings.Cut(pattern, "*")
	return strings.HasPrefix(s, prefix) && s != ""
}
