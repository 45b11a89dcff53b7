package commvault_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/beevik/etree"
	"github.com/google/go-cmp/cmp"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

const (
	seed = "003_92fd1c602209581c.txt"
	// The seed's Authtoken, its six lines joined after "QSDK ".
	token = "QSDK 38568012f4d1e8ee1841d283a47aa3ba78e124ea58354b5fc6" +
		"0f4dab8a63347d05cf5552484dafda3bfa4c5db84e580b1cb37bcf8e65b39f7f" +
		"8549a443e6f78a2c7be3f31b3d845e24776c835e498e8e883bb40c46bd15af4f" +
		"40ca94e823acedcdd4e9659e74b34a07a85c4586cd2ed914b6dce015874783ef7" +
		"68fda78183a4208930954a377f66eb56c8b92cexampl4s437a19317ca6ce7f323" +
		"3d5a01aca35dbad93468b833f2cf71010809006a937670adce711ca8be46638e8"
	seedByID   = "/User/2?newUserGroupId=22&newUserId=0"
	seedByName = "/User/byName(userName='jsmith')?newUserId=byName(userName='kjones')&newUserGroupId=byName(userGroupName='')"
)

func hdr(accept string) map[string]string {
	h := map[string]string{"Authtoken": token}
	if accept != "" {
		h["Accept"] = accept
	}
	return h
}

func del(root, path, accept string) emulatortest.Request {
	return emulatortest.Request{Method: http.MethodDelete, Path: root + path, Header: hdr(accept)}
}

// TestSeedRequests sends both sample requests of the seed, under each web
// service root, and gets the sample response byte for byte.
func TestSeedRequests(t *testing.T) {
	emulatortest.SeedContains(t, seed, "testdata/seed-delete.xml")
	for _, root := range []string{"/commandcenter/api", "/webconsole/api", "/SearchSvc/CVWebService.svc", "/WEBCONSOLE/API", "/searchsvc/cvwebservice.svc"} {
		t.Run(root, func(t *testing.T) {
			srv := emulatortest.New(t, emulator.WithScenario("default"))
			got := srv.Do(t, del(root, seedByID, "application/xml"))
			if got.Status != 200 {
				t.Fatalf("by id: %d %s", got.Status, got.Body)
			}
			emulatortest.Golden(t, "testdata/delete-to-group.xml", got.Body)
			got = srv.Do(t, del(root, strings.Replace(seedByName, "/User/", "/user/", 1), "application/xml"))
			if got.Status != 200 || got.Header.Get("Content-Type") != "application/xml;charset=utf-8" {
				t.Fatalf("by name: %d %v", got.Status, got.Header)
			}
			emulatortest.Golden(t, "testdata/seed-delete.xml", got.Body)
		})
	}
}

func TestNegotiation(t *testing.T) {
	cases := []struct {
		accept, golden, ctype string
	}{
		{"application/json", "delete.json", "application/json;charset=utf-8"},
		{"application/xml", "seed-delete.xml", "application/xml;charset=utf-8"},
		{"", "seed-delete.xml", "application/xml;charset=utf-8"},
		{"*/*", "seed-delete.xml", "application/xml;charset=utf-8"},
		{"application/xml;q=0.5, application/json", "delete.json", "application/json;charset=utf-8"},
		{"application/json, application/xml", "delete.json", "application/json;charset=utf-8"},
		{"text/html", "seed-delete.xml", "application/xml;charset=utf-8"},
	}
	for _, c := range cases {
		t.Run(c.accept, func(t *testing.T) {
			srv := emulatortest.New(t, emulator.WithScenario("default"))
			req := del("/commandcenter/api", seedByName, c.accept)
			if c.accept == "" {
				req.Header["Accept"] = "" // sent empty
			}
			got := srv.Do(t, req)
			if got.Status != 200 || got.Header.Get("Content-Type") != c.ctype {
				t.Fatalf("%d %q", got.Status, got.Header.Get("Content-Type"))
			}
			emulatortest.Golden(t, "testdata/"+c.golden, got.Body)
		})
	}
}

type deleteJSON struct {
	Response []struct {
		ErrorCode   int    `json:"errorCode"`
		ErrorString string `json:"errorString"`
		Entity      *struct {
			UserID int `json:"userId"`
		} `json:"entity"`
	} `json:"response"`
}

// TestRefusals: HTTP 200, errorCode 2 and a reason; nothing changes.
func TestRefusals(t *testing.T) {
	cases := []struct{ name, path, reason string }{
		{"unknown user by id", "/User/99?newUserId=7&newUserGroupId=0", "Failed to delete user. User with id [99] does not exist."},
		{"unknown user by name", "/User/byName(userName='nobody')?newUserId=7", "Failed to delete user. User [nobody] does not exist."},
		{"not an id", "/User/abc?newUserId=7", "Failed to delete user. Invalid user id [abc]."},
		{"unknown target user", "/User/6?newUserId=99&newUserGroupId=0", "Failed to delete user. The new owner user with id [99] does not exist."},
		{"unknown target user by name", "/User/6?newUserId=byName(userName='ghost')&newUserGroupId=byName(userGroupName='')", "Failed to delete user. The new owner user [ghost] does not exist."},
		{"unknown target group", "/User/6?newUserId=0&newUserGroupId=99", "Failed to delete user. The new owner user group with id [99] does not exist."},
		{"unknown target group by name", "/User/6?newUserGroupId=byName(userGroupName='Ghosts')", "Failed to delete user. The new owner user group [Ghosts] does not exist."},
		{"both targets", "/User/6?newUserId=7&newUserGroupId=22", "Failed to delete user. Provide either a new user or a new user group to transfer ownership to, not both."},
		{"neither target", "/User/6?newUserId=0&newUserGroupId=0", "Failed to delete user. Provide a new user or a new user group to transfer ownership to."},
		{"no target at all", "/User/6", "Failed to delete user. Provide a new user or a new user group to transfer ownership to."},
		{"to itself", "/User/6?newUserId=6", "Failed to delete user. Ownership cannot be transferred to the user being deleted."},
		{"byName without quotes", "/User/byName(userName=jsmith)?newUserId=7", "Failed to delete user. Invalid user [byName(userName=jsmith)]: the name must be in single quotes and the form must end with ')."},
		{"byName with a lone quote", "/User/byName(userName='o'brien')?newUserId=7", "Failed to delete user. Invalid user [byName(userName='o'brien')]: a quote inside the name must be doubled."},
		{"byName with a doubled quote, unknown", "/User/byName(userName='o''brien')?newUserId=7", "Failed to delete user. User [o'brien] does not exist."},
		{"byName with escapes", "/User/byName(userName='%3Cscript%3E%22')?newUserId=7", "Failed to delete user. User [<script>\"] does not exist."},
		{"byName of another key", "/User/byName(userGroupName='x')?newUserId=7", "Failed to delete user. Invalid user [byName(userGroupName='x')]: expected byName(userName='...')."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := emulatortest.New(t, emulator.WithScenario("default"))
			before := srv.Do(t, emulatortest.Request{Method: http.MethodGet, Path: "/webconsole/api/User", Header: hdr("application/json")})
			got := srv.Do(t, del("/webconsole/api", c.path, "application/json"))
			var body deleteJSON
			if err := json.Unmarshal(got.Body, &body); err != nil || got.Status != 200 || len(body.Response) != 1 {
				t.Fatalf("%d %s", got.Status, got.Body)
			}
			if r := body.Response[0]; r.ErrorCode != 2 || r.ErrorString != c.reason {
				t.Errorf("got %d %q\nwant 2 %q", r.ErrorCode, r.ErrorString, c.reason)
			}
			after := srv.Do(t, emulatortest.Request{Method: http.MethodGet, Path: "/webconsole/api/User", Header: hdr("application/json")})
			if diff := cmp.Diff(string(before.Body), string(after.Body)); diff != "" {
				t.Errorf("a refused delete changed the users:\n%s", diff)
			}
		})
	}
	t.Run("XML refusal", func(t *testing.T) {
		srv := emulatortest.New(t, emulator.WithScenario("default"))
		got := srv.Do(t, del("/webconsole/api", "/User/byName(userName='o''brien')?newUserId=7", ""))
		want := "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\" ?>\n <App_DeleteUserResponse>\n   <response errorCode=\"2\" errorString=\"Failed to delete user. User [o&apos;brien] does not exist.\"/>\n </App_DeleteUserResponse>"
		if got.Status != 200 || string(got.Body) != want {
			t.Fatalf("%d\n%s\nwant\n%s", got.Status, got.Body, want)
		}
	})
}

type usersJSON struct {
	Users []struct {
		UserEntity struct {
			UserID   int    `json:"userId"`
			UserName string `json:"userName"`
		} `json:"userEntity"`
		Owned map[string][]string `json:"ownedEntities"`
	} `json:"users"`
}

type groupsJSON struct {
	UserGroups []struct {
		Entity struct {
			ID int `json:"userGroupId"`
		} `json:"userGroupEntity"`
		Users []struct {
			ID int `json:"userId"`
		} `json:"users"`
		Owned map[string][]string `json:"ownedEntities"`
	} `json:"userGroups"`
}

func getJSON(t *testing.T, srv *emulatortest.Server, path string, v any) {
	t.Helper()
	got := srv.Do(t, emulatortest.Request{Method: http.MethodGet, Path: "/commandcenter/api" + path, Header: hdr("application/json")})
	if got.Status != 200 {
		t.Fatalf("GET %s: %d %s", path, got.Status, got.Body)
	}
	if err := json.Unmarshal(got.Body, v); err != nil {
		t.Fatal(err)
	}
}

// TestOwnershipMoves deletes as the seed does and reads the new owners.
func TestOwnershipMoves(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	for _, p := range []string{seedByID, seedByName} {
		if got := srv.Do(t, del("/commandcenter/api", p, "application/json")); !strings.Contains(string(got.Body), `"errorCode":0`) {
			t.Fatalf("%s: %s", p, got.Body)
		}
	}
	var users usersJSON
	getJSON(t, srv, "/User", &users)
	byName := map[string]map[string][]string{}
	for _, u := range users.Users {
		byName[u.UserEntity.UserName] = u.Owned
	}
	if _, ok := byName["jsmith"]; ok {
		t.Errorf("jsmith still listed")
	}
	if _, ok := byName["tjones"]; ok {
		t.Errorf("tjones (user 2) still listed")
	}
	want := map[string][]string{"alerts": {"Disk space low"}, "schedulePolicies": {"Nightly file system backup"}, "workflows": {"Offboarding approval"}}
	if diff := cmp.Diff(want, byName["kjones"]); diff != "" {
		t.Errorf("kjones owns (-want +got):\n%s", diff)
	}
	var groups groupsJSON
	getJSON(t, srv, "/usergroup", &groups)
	g := groups.UserGroups[0]
	if len(g.Users) != 1 || g.Users[0].ID != 1 {
		t.Errorf("group 22 members: %+v", g.Users)
	}
	wantG := map[string][]string{"alerts": {"Backup job failed"}, "schedulePolicies": {"Weekly SQL full"}, "workflows": {}}
	if diff := cmp.Diff(wantG, g.Owned); diff != "" {
		t.Errorf("group 22 owns (-want +got):\n%s", diff)
	}
	// A second delete is refused: the user is gone.
	got := srv.Do(t, del("/commandcenter/api", seedByName, "application/json"))
	if !strings.Contains(string(got.Body), `"errorString":"Failed to delete user. User [jsmith] does not exist."`) {
		t.Errorf("second delete: %s", got.Body)
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name   string
		req    emulatortest.Request
		status int
	}{
		{"malformed JSON login", emulatortest.Request{Method: http.MethodPost, Path: "/webconsole/api/Login",
			Header: map[string]string{"Content-Type": "application/json", "Accept": "application/json"}, Body: `{"username":`}, 400},
		{"XML login body of another document", emulatortest.Request{Method: http.MethodPost, Path: "/webconsole/api/Login",
			Header: map[string]string{"Content-Type": "application/xml", "Accept": "application/json"}, Body: `<Other/>`}, 400},
		{"malformed XML login body", emulatortest.Request{Method: http.MethodPost, Path: "/webconsole/api/Login",
			Header: map[string]string{"Content-Type": "application/xml", "Accept": "application/json"}, Body: `<DM2ContentIndexing_CheckCredentialReq`}, 400},
		{"huge login body", emulatortest.Request{Method: http.MethodPost, Path: "/webconsole/api/Login",
			Header: map[string]string{"Content-Type": "application/json", "Accept": "application/json"}, Body: `{"username":"` + strings.Repeat("a", 2<<20) + `"}`}, 413},
		{"wrong method", emulatortest.Request{Method: http.MethodPut, Path: "/webconsole/api/User/6", Header: hdr("application/json")}, 405},
		{"unknown resource", emulatortest.Request{Method: http.MethodGet, Path: "/webconsole/api/Nothing", Header: hdr("application/json")}, 404},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := emulatortest.New(t, emulator.WithScenario("default"))
			got := srv.Do(t, c.req)
			var body struct {
				ErrorCode   int    `json:"errorCode"`
				ErrorString string `json:"errorString"`
			}
			if err := json.Unmarshal(got.Body, &body); err != nil || got.Status != c.status || body.ErrorCode == 0 || body.ErrorString == "" {
				t.Fatalf("%d %s, want %d", got.Status, got.Body, c.status)
			}
			var users usersJSON
			getJSON(t, srv, "/User", &users)
			if len(users.Users) != 4 {
				t.Fatalf("state changed: %d users", len(users.Users))
			}
		})
	}
}

func TestConcurrentDeletes(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	var wg sync.WaitGroup
	var mu sync.Mutex
	okCount := 0
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := srv.Do(t, del("/webconsole/api", seedByName, "application/json"))
			if strings.Contains(string(got.Body), `"errorCode":0`) {
				mu.Lock()
				okCount++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if okCount != 1 {
		t.Fatalf("%d deletes succeeded, want 1", okCount)
	}
}

// TestXMLAlwaysParses: a control character in a name (it reaches the
// errorString) is replaced, so the XML answer stays well-formed.
func TestXMLAlwaysParses(t *testing.T) {
	srv := emulatortest.New(t)
	for c := byte(0); c < 0x20; c++ {
		got := srv.Do(t, emulatortest.Request{Method: "DELETE",
			Path:   fmt.Sprintf("/webconsole/api/User/byName(userName='a%%%02Xb')", c),
			Header: map[string]string{"Authtoken": token, "Accept": "application/xml"}})
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(got.Body); err != nil {
			t.Errorf("byte %#x: the answer does not parse: %v\n%s", c, err, got.Body)
		}
	}
}
