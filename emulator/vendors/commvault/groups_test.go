package commvault_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// membership reads a user's groups (GET User/{id}) and a group's members
// (GET UserGroup/{id}), the two views cvpysdk reads.
func membership(t *testing.T, srv *emulatortest.Server, user, group string) (groups, members []string) {
	t.Helper()
	var u struct {
		Users []struct {
			Groups []struct {
				Name string `json:"userGroupName"`
			} `json:"associatedUserGroups"`
		} `json:"users"`
	}
	if err := json.Unmarshal(srv.Do(t, cvReq("GET", "/webconsole/api/User/"+user+"?Level=50", "")).Body, &u); err != nil || len(u.Users) != 1 {
		t.Fatalf("GET User/%s: %v", user, err)
	}
	for _, g := range u.Users[0].Groups {
		groups = append(groups, g.Name)
	}
	var g struct {
		UserGroups []struct {
			Users []struct {
				Name string `json:"userName"` // what cvpysdk's UserGroup.users reads
			} `json:"users"`
		} `json:"userGroups"`
	}
	if err := json.Unmarshal(srv.Do(t, cvReq("GET", "/webconsole/api/UserGroup/"+group, "")).Body, &g); err != nil || len(g.UserGroups) != 1 {
		t.Fatalf("GET UserGroup/%s: %v", group, err)
	}
	for _, m := range g.UserGroups[0].Users {
		members = append(members, m.Name)
	}
	return groups, members
}

// TestGroupsAsCvpysdkChangesThem walks cvpysdk's group requests as its
// source sends them (security/user.py _update_usergroup_request,
// usergroup.py _send_request): add a user to a group, see it in both
// views, remove it, overwrite, change the members from the group's side,
// delete the user and see every group without them.
func TestGroupsAsCvpysdkChangesThem(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenarioYAML("groups.yaml", []byte(`
extends: default
commvault:
  users:
    1: {name: admin, password: admin-password}
    6: {name: jsmith}
    7: {name: kjones}
  groups:
    22: {name: Tenant Admins, users: [1]}
    23: {name: Auditors}
  tokens:
    "QSDK 38568012f4d1e8ee1841d283a47aa3ba78e124ea58354b5fc60f4dab8a63347d05cf5552484dafda3bfa4c5db84e580b1cb37bcf8e65b39f7f8549a443e6f78a2c7be3f31b3d845e24776c835e498e8e883bb40c46bd15af4f40ca94e823acedcdd4e9659e74b34a07a85c4586cd2ed914b6dce015874783ef768fda78183a4208930954a377f66eb56c8b92cexampl4s437a19317ca6ce7f3233d5a01aca35dbad93468b833f2cf71010809006a937670adce711ca8be46638e8": {user: 1}
`)))
	ok := `{"response":[{"errorCode":0,"errorString":"","warningMessage":"","entity":{"userId":6,"userName":"jsmith"}}]}`
	step := func(what, body, want string, wantGroups, wantMembers []string) {
		t.Helper()
		if got := srv.Do(t, cvReq("POST", "/webconsole/api/User/6", body)); string(got.Body) != want {
			t.Fatalf("%s: %s", what, got.Body)
		}
		groups, members := membership(t, srv, "6", "22")
		if !slices.Equal(groups, wantGroups) || !slices.Equal(members, wantMembers) {
			t.Errorf("%s: jsmith's groups %v, Tenant Admins' members %v; want %v and %v", what, groups, members, wantGroups, wantMembers)
		}
	}
	step("add_usergroups", `{"users":[{"associatedUserGroupsOperationType":2,"associatedUserGroups":[{"userGroupName":"Tenant Admins"}]}]}`,
		ok, []string{"Tenant Admins"}, []string{"admin", "jsmith"})
	step("remove_usergroups", `{"users":[{"associatedUserGroupsOperationType":3,"associatedUserGroups":[{"userGroupName":"Tenant Admins"}]}]}`,
		ok, nil, []string{"admin"})
	step("overwrite_usergroups", `{"users":[{"associatedUserGroupsOperationType":1,"associatedUserGroups":[{"userGroupName":"Tenant Admins"},{"userGroupName":"Auditors"}]}]}`,
		ok, []string{"Tenant Admins", "Auditors"}, []string{"admin", "jsmith"})
	step("an unknown group changes nothing", `{"users":[{"associatedUserGroupsOperationType":2,"associatedUserGroups":[{"userGroupName":"Nobody"}]}]}`,
		`{"response":[{"errorCode":2,"errorString":"Failed to update user properties. User group [Nobody] does not exist.","warningMessage":""}]}`,
		[]string{"Tenant Admins", "Auditors"}, []string{"admin", "jsmith"})

	// From the group's side (update_usergroup_members): add kjones, delete admin.
	for _, body := range []string{`{"groups":[{"usersOperationType":2,"users":[{"userName":"kjones"}]}]}`,
		`{"groups":[{"usersOperationType":3,"users":[{"userName":"admin"}]}]}`} {
		if got := srv.Do(t, cvReq("POST", "/webconsole/api/UserGroup/22", body)); !strings.Contains(string(got.Body), `"errorCode":0`) {
			t.Fatalf("POST UserGroup/22 %s: %s", body, got.Body)
		}
	}
	if _, members := membership(t, srv, "7", "22"); !slices.Equal(members, []string{"jsmith", "kjones"}) {
		t.Errorf("after the group's own changes: %v", members)
	}

	// Delete jsmith: no group keeps him.
	if got := srv.Do(t, cvReq("DELETE", "/webconsole/api/User/6?newUserId=7&newUserGroupId=0", "")); !strings.Contains(string(got.Body), `"errorCode":0`) {
		t.Fatalf("delete: %s", got.Body)
	}
	for _, gid := range []string{"22", "23"} {
		if _, members := membership(t, srv, "7", gid); slices.Contains(members, "jsmith") {
			t.Errorf("group %s still lists the deleted user: %v", gid, members)
		}
	}
}

// TestLockedAccountsAndTwoFactor: a locked user cannot log in until POST
// User/Unlock (as cvpysdk's User.unlock sends it); Unlock is never taken
// for a user id; the two-factor status cvpysdk asks on every User
// refresh comes from the scenario.
func TestLockedAccountsAndTwoFactor(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenarioYAML("locked.yaml", []byte(`
extends: default
commvault:
  users:
    1: {name: admin, password: admin-password}
    6: {name: jsmith, password: jsmith-password, locked: true, twoFactor: true}
  tokens:
    "QSDK 38568012f4d1e8ee1841d283a47aa3ba78e124ea58354b5fc60f4dab8a63347d05cf5552484dafda3bfa4c5db84e580b1cb37bcf8e65b39f7f8549a443e6f78a2c7be3f31b3d845e24776c835e498e8e883bb40c46bd15af4f40ca94e823acedcdd4e9659e74b34a07a85c4586cd2ed914b6dce015874783ef768fda78183a4208930954a377f66eb56c8b92cexampl4s437a19317ca6ce7f3233d5a01aca35dbad93468b833f2cf71010809006a937670adce711ca8be46638e8": {user: 1}
`)))
	if got := login(t, srv, "jsmith", "jsmith-password", "application/json"); !strings.Contains(string(got.Body), "locked") {
		t.Errorf("a locked user's login: %s", got.Body)
	}
	if got := srv.Do(t, cvReq("GET", "/webconsole/api/User/6", "")); !strings.Contains(string(got.Body), `"isAccountLocked":true`) {
		t.Errorf("GET User/6 does not say it is locked: %s", got.Body)
	}
	inXML := cvReq("GET", "/webconsole/api/User/6", "")
	inXML.Header["Accept"] = "application/xml"
	if got := srv.Do(t, inXML); !strings.Contains(string(got.Body), `enableUser="true" isAccountLocked="true">`) {
		t.Errorf("GET User/6 in XML does not say it is locked, after enableUser: %s", got.Body)
	}
	unlock := `{"lockedAccounts":[{"user":{"userName":"jsmith","userId":6}}]}`
	if got := srv.Do(t, cvReq("POST", "/webconsole/api/User/Unlock", unlock)); string(got.Body) != `{"lockedAccounts":[{"status":"Unlock successful for user account","statusCode":0,"user":{"userId":6,"userName":"jsmith"}}]}` {
		t.Fatalf("unlock: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, cvReq("POST", "/webconsole/api/user/unlock", unlock)); !strings.Contains(string(got.Body), "User account is not locked") {
		t.Errorf("a second unlock (paths in any case): %s", got.Body)
	}
	if got := login(t, srv, "jsmith", "jsmith-password", "application/json"); !strings.Contains(string(got.Body), `"token":"QSDK `) {
		t.Errorf("login after the unlock: %s", got.Body)
	}
	for _, method := range []string{"GET", "DELETE"} {
		if got := srv.Do(t, cvReq(method, "/webconsole/api/User/Unlock", "")); got.Status != 405 || got.Header.Get("Allow") != "POST" {
			t.Errorf("%s User/Unlock reached another operation: %d %s", method, got.Status, got.Body)
		}
	}
	if got := srv.Do(t, cvReq("GET", "/webconsole/api/Security/TwoFactorAuth/Status?username=jsmith", "")); string(got.Body) != `{"errorCode":0,"twoFactorInfo":{"isTwoFactorAuthenticationEnabled":true,"userName":"jsmith"}}` {
		t.Errorf("two-factor status: %s", got.Body)
	}
	if got := srv.Do(t, cvReq("GET", "/webconsole/api/Security/TwoFactorAuth/Status?username=admin", "")); !strings.Contains(string(got.Body), `"isTwoFactorAuthenticationEnabled":false`) {
		t.Errorf("two-factor status of admin: %s", got.Body)
	}
}
