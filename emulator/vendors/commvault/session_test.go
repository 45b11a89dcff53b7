package commvault_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

func TestAuthtoken(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	for name, h := range map[string]map[string]string{
		"missing":           {"Accept": "application/xml"},
		"unknown":           {"Authtoken": "QSDK 00", "Accept": "application/xml"},
		"without the QSDK ": {"Authtoken": strings.TrimPrefix(token, "QSDK "), "Accept": "application/xml"},
	} {
		t.Run(name, func(t *testing.T) {
			got := srv.Do(t, emulatortest.Request{Method: http.MethodDelete, Path: "/webconsole/api" + seedByName, Header: h})
			if got.Status != 401 {
				t.Fatalf("%d %s", got.Status, got.Body)
			}
			emulatortest.Golden(t, "testdata/unauthorized.xml", got.Body)
		})
	}
	got := srv.Do(t, emulatortest.Request{Method: http.MethodGet, Path: "/webconsole/api/User", Header: map[string]string{"Accept": "application/json"}})
	if got.Status != 401 || string(got.Body) != `{"errorCode":5,"errorString":"Access denied. The Authtoken is missing, invalid or expired."}` {
		t.Fatalf("JSON 401: %d %s", got.Status, got.Body)
	}
}

func login(t *testing.T, srv *emulatortest.Server, user, password, accept string) emulatortest.Response {
	t.Helper()
	body := `{"username":"` + user + `","password":"` + base64.StdEncoding.EncodeToString([]byte(password)) + `"}`
	return srv.Do(t, emulatortest.Request{Method: http.MethodPost, Path: "/webconsole/api/Login",
		Header: map[string]string{"Content-Type": "application/json", "Accept": accept}, Body: body})
}

func TestLogin(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	got := login(t, srv, "admin", "admin-password", "application/json")
	var ok struct {
		Token    string `json:"token"`
		UserName string `json:"userName"`
	}
	if err := json.Unmarshal(got.Body, &ok); err != nil || !strings.HasPrefix(ok.Token, "QSDK ") || ok.UserName != "admin" {
		t.Fatalf("%d %s", got.Status, got.Body)
	}
	// The new token works.
	del := emulatortest.Request{Method: http.MethodDelete, Path: "/commandcenter/api/User/7?newUserId=1",
		Header: map[string]string{"Authtoken": ok.Token, "Accept": "application/json"}}
	if got := srv.Do(t, del); !strings.Contains(string(got.Body), `"errorCode":0`) {
		t.Fatalf("delete with the new token: %s", got.Body)
	}
	bad := login(t, srv, "admin", "wrong", "application/json")
	if bad.Status != 200 || string(bad.Body) != `{"errList":[{"errLogMessage":"Invalid Username or Password","errorCode":5}]}` {
		t.Fatalf("bad login: %d %s", bad.Status, bad.Body)
	}
	badXML := login(t, srv, "nobody", "x", "")
	want := "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?>\n <DM2ContentIndexing_CheckCredentialResp>\n   <errList errLogMessage=\"Invalid Username or Password\" errorCode=\"5\"/>\n </DM2ContentIndexing_CheckCredentialResp>"
	if string(badXML.Body) != want {
		t.Fatalf("bad login, XML:\n%s", badXML.Body)
	}
	notB64 := srv.Do(t, emulatortest.Request{Method: http.MethodPost, Path: "/webconsole/api/Login",
		Header: map[string]string{"Content-Type": "application/json", "Accept": "application/json"}, Body: `{"username":"admin","password":"admin-password"}`})
	if !strings.Contains(string(notB64.Body), "errList") {
		t.Fatalf("a plain-text password must not log in: %s", notB64.Body)
	}
}

func cvReq(method, path, body string) emulatortest.Request {
	return emulatortest.Request{Method: method, Path: path, Body: body,
		Header: map[string]string{"Authtoken": token, "Accept": "application/json", "Content-Type": "application/json"}}
}

// TestWhatCvpysdkCallsAroundTheDelete: the service probe, GET User and
// UserGroup properties, create and modify (disable), with the answers
// cvpysdk reads (issue 10, deviations 7 and 8; the create and disable steps).
func TestWhatCvpysdkCallsAroundTheDelete(t *testing.T) {
	srv := emulatortest.New(t)
	for _, root := range []string{"/webconsole/api/", "/commandcenter/api/", "/SearchSvc/CVWebService.svc/"} {
		if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: root}); got.Status != 200 {
			t.Errorf("probe %s: %d %s", root, got.Status, got.Body)
		}
	}
	steps := []struct {
		req  emulatortest.Request
		want string
	}{
		{cvReq("GET", "/webconsole/api/User/6?Level=50", ""),
			`{"users":[{"userEntity":{"userId":6,"userName":"jsmith","userGUID":"00000000-0000-0000-0000-000000000006"},"email":"jsmith@example.com","fullName":"John Smith","description":"","enableUser":true,"associatedUserGroups":[],"ownedEntities":{"alerts":["Disk space low"],"schedulePolicies":["Nightly file system backup"],"workflows":["Offboarding approval"]}}]}`},
		{cvReq("GET", "/webconsole/api/User/byName(userName='jsmith')", ""),
			`{"users":[{"userEntity":{"userId":6,"userName":"jsmith","userGUID":"00000000-0000-0000-0000-000000000006"},"email":"jsmith@example.com","fullName":"John Smith","description":"","enableUser":true,"associatedUserGroups":[],"ownedEntities":{"alerts":["Disk space low"],"schedulePolicies":["Nightly file system backup"],"workflows":["Offboarding approval"]}}]}`},
		{cvReq("GET", "/webconsole/api/User/99", ""), `{"errorCode":2,"errorString":"User with id [99] does not exist."}`},
		{cvReq("GET", "/webconsole/api/UserGroup/22", ""),
			`{"userGroups":[{"userGroupEntity":{"userGroupId":22,"userGroupName":"Tenant Admins"},"description":"Administrators of the tenant.","users":[{"userId":1,"userName":"admin","userGUID":"00000000-0000-0000-0000-000000000001"},{"userId":2,"userName":"tjones","userGUID":"00000000-0000-0000-0000-000000000002"}],"ownedEntities":{"alerts":[],"schedulePolicies":[],"workflows":[]}}]}`},
		{cvReq("GET", "/webconsole/api/usergroup/byName(userGroupName='Tenant Admins')", ""),
			`{"userGroups":[{"userGroupEntity":{"userGroupId":22,"userGroupName":"Tenant Admins"},"description":"Administrators of the tenant.","users":[{"userId":1,"userName":"admin","userGUID":"00000000-0000-0000-0000-000000000001"},{"userId":2,"userName":"tjones","userGUID":"00000000-0000-0000-0000-000000000002"}],"ownedEntities":{"alerts":[],"schedulePolicies":[],"workflows":[]}}]}`},
		{cvReq("GET", "/webconsole/api/UserGroup/23", ""), `{"errorCode":2,"errorString":"User group [23] does not exist."}`},
		{cvReq("POST", "/webconsole/api/User", `{"users":[{"userEntity":{"userName":"tempuser"},"email":"t@example.com","fullName":"Temp","password":"dGVtcC1wYXNz","systemGeneratePassword":false,"securityAssociations":{},"associatedUserGroups":[{"userGroupName":"Tenant Admins"}]}]}`),
			`{"response":[{"errorCode":0,"errorString":"","warningMessage":"","entity":{"userId":8,"userName":"tempuser"}}]}`},
		{cvReq("POST", "/webconsole/api/User", `{"users":[{"userEntity":{"userName":"TempUser"}}]}`),
			`{"response":[{"errorCode":2,"errorString":"Failed to create user. User [TempUser] already exists.","warningMessage":""}]}`},
		{cvReq("POST", "/webconsole/api/User/8", `{"users":[{"enableUser":false}]}`),
			`{"response":[{"errorCode":0,"errorString":"","warningMessage":"","entity":{"userId":8,"userName":"tempuser"}}]}`},
		{cvReq("GET", "/webconsole/api/User/8", ""),
			`{"users":[{"userEntity":{"userId":8,"userName":"tempuser","userGUID":"00000000-0000-0000-0000-000000000008"},"email":"t@example.com","fullName":"Temp","description":"","enableUser":false,"associatedUserGroups":[{"userGroupId":22,"userGroupName":"Tenant Admins"}],"ownedEntities":{"alerts":[],"schedulePolicies":[],"workflows":[]}}]}`},
		{cvReq("DELETE", "/webconsole/api/User/8?newUserId=0&newUserGroupId=22", ""),
			`{"processinginstructioninfo":{"attributes":[{"name":"exitval","value":"0"}]},"response":[{"errorCode":0,"errorString":"This user may have created some schedules. Ownership of such schedules is changed to user group Tenant Admins.","warningMessage":"","entity":{"userId":8,"userName":"tempuser"}}]}`},
		{cvReq("GET", "/webconsole/api/User/8", ""), `{"errorCode":2,"errorString":"User with id [8] does not exist."}`},
	}
	for i, s := range steps {
		got := srv.Do(t, s.req)
		if got.Status != 200 || string(got.Body) != s.want {
			t.Fatalf("step %d %s %s:\ngot  %d %s\nwant %s", i, s.req.Method, s.req.Path, got.Status, got.Body, s.want)
		}
	}
	// The disabled user could not have logged in.
	srv2 := emulatortest.New(t)
	srv2.Do(t, cvReq("POST", "/webconsole/api/User/1", `{"users":[{"enableUser":false}]}`))
	if got := login(t, srv2, "admin", "admin-password", "application/json"); !strings.Contains(string(got.Body), "User account is disabled.") {
		t.Errorf("a disabled user's login: %s", got.Body)
	}
	if got := srv2.Do(t, cvReq("GET", "/webconsole/api/User", "")); got.Status != 401 {
		t.Errorf("a disabled user's token: %d", got.Status)
	}
}

// TestSessionCalls: Login with the documented XML body, WhoAmI, Logout,
// RenewLoginToken (with an expired token, as cvpysdk does after a 401),
// and Authorization: Bearer (deviations 9, 10 and 12).
func TestSessionCalls(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("commvault-expired-token"))
	if got := srv.Do(t, cvReq("GET", "/webconsole/api/User", "")); got.Status != 401 {
		t.Fatalf("expired token: %d", got.Status)
	}
	got := srv.Do(t, cvReq("POST", "/webconsole/api/RenewLoginToken", `{"sessionId":"`+token+`","deviceId":"d1"}`))
	var renewed struct{ Token string }
	if err := json.Unmarshal(got.Body, &renewed); err != nil || !strings.HasPrefix(renewed.Token, "QSDK ") {
		t.Fatalf("renew: %d %s", got.Status, got.Body)
	}
	use := func(hdr map[string]string, path string) emulatortest.Response {
		hdr["Accept"] = "application/json"
		return srv.Do(t, emulatortest.Request{Method: "POST", Path: path, Header: hdr})
	}
	if got := use(map[string]string{"Authtoken": renewed.Token}, "/webconsole/api/WhoAmI"); string(got.Body) != `{"user":{"userId":1,"userName":"admin","userGUID":"00000000-0000-0000-0000-000000000001"}}` {
		t.Errorf("WhoAmI: %d %s", got.Status, got.Body)
	}
	bearer := strings.TrimPrefix(renewed.Token, "QSDK ")
	if got := use(map[string]string{"Authorization": "Bearer " + bearer}, "/webconsole/api/WhoAmI"); got.Status != 200 {
		t.Errorf("WhoAmI with Authorization: Bearer: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, cvReq("POST", "/webconsole/api/RenewLoginToken", `{"sessionId":"`+token+`"}`)); !strings.Contains(string(got.Body), `"errLogMessage"`) {
		t.Errorf("a renewed token renewed again: %s", got.Body)
	}
	if got := use(map[string]string{"Authtoken": renewed.Token}, "/webconsole/api/Logout"); got.Status != 200 || string(got.Body) != "User logged out" {
		t.Errorf("Logout: %d %s", got.Status, got.Body)
	}
	if got := use(map[string]string{"Authtoken": renewed.Token}, "/webconsole/api/WhoAmI"); got.Status != 401 {
		t.Errorf("after logout: %d", got.Status)
	}
	badXML := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/webconsole/api/Login",
		Header: map[string]string{"Content-Type": "application/xml", "Accept": "application/json"},
		Body:   `<DM2ContentIndexing_CheckCredentialReq username="admin" password="x"/>`})
	if string(badXML.Body) != `{"errList":[{"errLogMessage":"Invalid Username or Password","errorCode":5}]}` {
		t.Errorf("XML login with a bad password: %d %s", badXML.Status, badXML.Body)
	}
	xmlLogin := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/webconsole/api/Login",
		Header: map[string]string{"Content-Type": "application/xml", "Accept": "application/xml"},
		Body:   `<DM2ContentIndexing_CheckCredentialReq username="admin" password="YWRtaW4tcGFzc3dvcmQ="/>`})
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(xmlLogin.Body); err != nil || doc.Root() == nil || !strings.HasPrefix(doc.Root().SelectAttrValue("token", ""), "QSDK ") {
		t.Fatalf("XML login: %d %s", xmlLogin.Status, xmlLogin.Body)
	}
	who := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/webconsole/api/WhoAmI",
		Header: map[string]string{"Authtoken": doc.Root().SelectAttrValue("token", "")}})
	if !strings.Contains(string(who.Body), `<CvEntities_ProcessingInstructionInfo>`) || !strings.Contains(string(who.Body), `userName="admin"`) {
		t.Errorf("WhoAmI in XML: %s", who.Body)
	}
}
