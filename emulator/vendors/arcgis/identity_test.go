package arcgis_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %s", b)
	}
	return m
}

// TestSignInAndDiscovery walks what Esri's identity manager walks: a
// token for a login, the user it belongs to, the portal, another user,
// the Notebook Server's info, and the portal token traded for a server's.
func TestSignInAndDiscovery(t *testing.T) {
	srv := emulatortest.New(t)
	got := srv.Do(t, post("/arcgis/sharing/rest/generateToken", "username=siteadmin&password=siteadmin-password&f=json&expiration=20160"))
	var tok struct{ Token string }
	if err := json.Unmarshal(got.Body, &tok); err != nil || tok.Token == "" {
		t.Fatalf("generateToken: %s", got.Body)
	}
	me := decodeJSON(t, srv.Do(t, emulatortest.Request{Method: "GET", Path: "/arcgis/sharing/rest/community/self?f=json&token=" + tok.Token}).Body)
	if me["username"] != "siteadmin" || me["role"] != "org_admin" || me["orgId"] != "0123456789ABCDEF" {
		t.Errorf("community/self: %v", me)
	}
	portal := decodeJSON(t, srv.Do(t, emulatortest.Request{Method: "GET", Path: "/arcgis/sharing/rest/portals/self?f=json&token=" + tok.Token}).Body)
	if portal["isPortal"] != true || portal["id"] != "0123456789ABCDEF" || portal["user"].(map[string]any)["username"] != "siteadmin" {
		t.Errorf("portals/self: %v", portal)
	}
	ann := decodeJSON(t, srv.Do(t, emulatortest.Request{Method: "GET", Path: "/arcgis/sharing/rest/community/users/gis_ann?f=json&token=" + tok.Token}).Body)
	if ann["username"] != "gis_ann" || ann["role"] != "org_user" {
		t.Errorf("community/users/gis_ann: %v", ann)
	}
	nobody := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/arcgis/sharing/rest/community/users/nobody?f=json&token=" + tok.Token})
	if string(nobody.Body) != `{"error":{"code":400,"message":"User not found.","details":[]}}` {
		t.Errorf("an unknown user: %s", nobody.Body)
	}
	for _, path := range []string{"/arcgis/notebooks/rest/info", "/arcgis/rest/info", "/arcgis/notebooks/admin/system/containers/rest/info",
		"/arcgis/admin/dataaccess/deleteUserWorkspace/rest/info"} {
		info := decodeJSON(t, srv.Do(t, post(path, "f=json")).Body)
		auth, _ := info["authInfo"].(map[string]any)
		if info["owningSystemUrl"] != srv.URL+"/arcgis" || auth["tokenServicesUrl"] != srv.URL+"/arcgis/sharing/rest/generateToken" || auth["isTokenBasedSecurity"] != true {
			t.Errorf("%s: %v", path, info)
		}
	}
	// The exchange: no password, the portal token and the server's URL.
	got = srv.Do(t, post("/arcgis/sharing/rest/generateToken", "token="+tok.Token+"&serverUrl="+srv.URL+"/arcgis/notebooks&f=json"))
	var server struct{ Token string }
	if err := json.Unmarshal(got.Body, &server); err != nil || server.Token == "" || server.Token == tok.Token {
		t.Fatalf("the exchange: %s", got.Body)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/arcgis/notebooks/admin/system/containers?f=json&token=" + server.Token}); !strings.Contains(string(got.Body), `"containers"`) {
		t.Errorf("the server token on the admin API: %s", got.Body)
	}
	for body, want := range map[string]string{
		"token=forged&serverUrl=x&f=json":  `"code":498`,
		"token=" + tok.Token + "&f=json":   `Invalid or missing value for parameter 'serverUrl'.`,
		"f=json":                           `'username' must be specified.`,
		"username=siteadmin&f=json&pass=x": `Invalid username or password.`,
	} {
		if got := srv.Do(t, post("/arcgis/sharing/rest/generateToken", body)); !strings.Contains(string(got.Body), want) {
			t.Errorf("generateToken %s: %s, want %s", body, got.Body, want)
		}
	}
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/arcgis/sharing/rest/community/self?f=json"}); !strings.Contains(string(got.Body), `"code":499`) {
		t.Errorf("community/self without a token: %s", got.Body)
	}
}

// TestStandaloneServer: a server the scenario says is not federated names
// no owning system and its own token service.
func TestStandaloneServer(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenarioYAML("standalone.yaml", []byte("arcgis:\n  portal: {standalone: true}\n")))
	for path, want := range map[string]string{
		"/arcgis/notebooks/rest/info": "/arcgis/notebooks/admin/generateToken",
		"/arcgis/rest/info":           "/arcgis/admin/generateToken",
	} {
		info := decodeJSON(t, srv.Do(t, post(path, "f=json")).Body)
		if _, ok := info["owningSystemUrl"]; ok || info["authInfo"].(map[string]any)["tokenServicesUrl"] != srv.URL+want {
			t.Errorf("%s: %v", path, info)
		}
	}
}
