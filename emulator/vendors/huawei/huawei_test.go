package huawei_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

const (
	seed   = "001_390b67ba9aae9fba.txt"
	member = "2d032145d82546b5b83cd7a6fd7d0afc" // the seed's example user
	other  = "7c1e2d3f4a5b46c7d8e9f0a1b2c3d4e5"
	base   = "/v2/demo-project/demo-workspace"
	// The seed's example request, pasted as is.
	seedBody = "{\n\"user_ids\" : [ \"2d032145d82546b5b83cd7a6fd7d0afc\" ]\n}"
)

var fixedNow = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func newServer(t *testing.T, scenario string) *emulatortest.Server {
	return emulatortest.New(t, emulator.WithScenario(scenario), emulator.WithClock(func() time.Time { return fixedNow }))
}

func deleteReq(hdr map[string]string, body string) emulatortest.Request {
	h := map[string]string{"Content-Type": "application/json;charset=UTF-8"}
	for k, v := range hdr {
		h[k] = v
	}
	return emulatortest.Request{Method: http.MethodPost, Path: base + "/delete-users", Header: h, Body: body}
}

var token = map[string]string{"X-Auth-Token": "demo-token"}

// TestSeedPayloads reproduces the seed's three documented responses byte
// for byte, each from the scenario that produces it.
func TestSeedPayloads(t *testing.T) {
	for _, c := range []struct{ scenario, golden string }{
		{"default", "seed-200.json"},
		{"huawei-bad-request", "seed-400.json"},
		{"huawei-internal-error", "seed-500.json"},
	} {
		t.Run(c.golden, func(t *testing.T) {
			emulatortest.SeedContains(t, seed, "testdata/"+c.golden)
			srv := newServer(t, c.scenario)
			got := srv.Do(t, deleteReq(token, seedBody))
			emulatortest.Golden(t, "testdata/"+c.golden, got.Body)
			if ct := got.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
			if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(got.Header.Get("X-Request-Id")) {
				t.Errorf("x-request-id %q", got.Header.Get("X-Request-Id"))
			}
		})
	}
}

type page struct {
	Count     int `json:"count"`
	TotalPage int `json:"total_page"`
	Data      []struct {
		UserID string `json:"user_id"`
	} `json:"data"`
}

func list(t *testing.T, srv *emulatortest.Server, query string) page {
	t.Helper()
	got := srv.Do(t, emulatortest.Request{Method: http.MethodGet, Path: base + "/users" + query, Header: token})
	if got.Status != 200 {
		t.Fatalf("list: %d %s", got.Status, got.Body)
	}
	var p page
	if err := json.Unmarshal(got.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDeleteThenList(t *testing.T) {
	srv := newServer(t, "default")
	if p := list(t, srv, ""); p.Count != 2 || len(p.Data) != 2 {
		t.Fatalf("before: %+v", p)
	}
	if p := list(t, srv, "?limit=1&offset=1"); p.Count != 2 || p.TotalPage != 2 || len(p.Data) != 1 || p.Data[0].UserID != other {
		t.Fatalf("page 2: %+v", p)
	}
	if got := srv.Do(t, deleteReq(token, seedBody)); got.Status != 200 {
		t.Fatalf("delete: %d %s", got.Status, got.Body)
	}
	if p := list(t, srv, ""); p.Count != 1 || p.Data[0].UserID != other {
		t.Fatalf("after: %+v", p)
	}
	again := srv.Do(t, deleteReq(token, seedBody))
	want := "{\n\"error_code\" : \"DAYU.4402\",\n\"error_msg\" : \"The operation failed, detail msg user " + member + " is not a member of workspace demo-workspace.\"\n}"
	if again.Status != 400 || string(again.Body) != want {
		t.Fatalf("second delete: %d %s", again.Status, again.Body)
	}
}

func TestDeleteIsAllOrNothing(t *testing.T) {
	srv := newServer(t, "default")
	got := srv.Do(t, deleteReq(token, `{"user_ids":["`+other+`","ffffffffffffffffffffffffffffffff"]}`))
	if got.Status != 400 {
		t.Fatalf("status %d %s", got.Status, got.Body)
	}
	if p := list(t, srv, ""); p.Count != 2 {
		t.Fatalf("a partial delete happened: %+v", p)
	}
}

func TestRejectedDelete(t *testing.T) {
	srv := newServer(t, "huawei-rejected")
	got := srv.Do(t, deleteReq(token, seedBody))
	want := "{\n\"message\" : \"The workspace user cannot be deleted: the user still owns running jobs.\",\n\"is_success\" : false\n}"
	if got.Status != 200 || string(got.Body) != want {
		t.Fatalf("%d %s", got.Status, got.Body)
	}
	if p := list(t, srv, ""); p.Count != 1 {
		t.Fatalf("rejected delete changed state: %+v", p)
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name   string
		req    emulatortest.Request
		status int
		code   string
	}{
		{"malformed JSON", deleteReq(token, `{"user_ids":`), 400, "DAYU.4402"},
		{"empty list", deleteReq(token, `{"user_ids":[]}`), 400, "DAYU.4402"},
		{"ids not strings", deleteReq(token, `{"user_ids":[1,2]}`), 400, "DAYU.4402"},
		{"an object, as the page calls it", deleteReq(token, `{"user_ids":{"id":"x"}}`), 400, "DAYU.4402"},
		{"empty body", deleteReq(token, ""), 400, "DAYU.4402"},
		{"wrong content type", emulatortest.Request{Method: http.MethodPost, Path: base + "/delete-users",
			Header: map[string]string{"X-Auth-Token": "demo-token", "Content-Type": "text/xml"}, Body: "<a/>"}, 400, "DAYU.4402"},
		{"unknown workspace", emulatortest.Request{Method: http.MethodPost, Path: "/v2/demo-project/nope/delete-users",
			Header: map[string]string{"X-Auth-Token": "demo-token", "Content-Type": "application/json"}, Body: seedBody}, 400, "DAYU.4402"},
		{"bad limit", emulatortest.Request{Method: http.MethodGet, Path: base + "/users?limit=0", Header: token}, 400, "DAYU.4402"},
		{"wrong method", emulatortest.Request{Method: http.MethodDelete, Path: base + "/delete-users", Header: token}, 404, "APIGW.0101"},
		{"unknown route", emulatortest.Request{Method: http.MethodGet, Path: "/v2/demo-project/nope", Header: token}, 404, "APIGW.0101"},
		{"huge body", deleteReq(token, `{"user_ids":["`+strings.Repeat("a", 2<<20)+`"]}`), 413, "APIGW.0201"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newServer(t, "default")
			got := srv.Do(t, c.req)
			var body struct {
				Code string `json:"error_code"`
				Msg  string `json:"error_msg"`
			}
			if err := json.Unmarshal(got.Body, &body); err != nil || got.Status != c.status || body.Code != c.code || body.Msg == "" {
				t.Fatalf("%d %s (%v), want %d %s", got.Status, got.Body, err, c.status, c.code)
			}
			if p := list(t, srv, ""); p.Count != 2 {
				t.Fatalf("state changed: %+v", p)
			}
		})
	}
}

func jsonReq(method, path, body string) emulatortest.Request {
	return emulatortest.Request{Method: method, Path: path, Body: body,
		Header: map[string]string{"X-Auth-Token": "demo-token", "Content-Type": "application/json;charset=UTF-8"}}
}

// TestAddChangeRolesDelete walks what Huawei's terraform provider does with
// a workspace user: add with roles, read the list, change the roles, delete.
func TestAddChangeRolesDelete(t *testing.T) {
	srv := newServer(t, "default")
	const newID = "9f8e7d6c5b4a43210fedcba987654321"
	add := `{"user_ids":[{"user_id":"` + newID + `","user_name":"temp_user","domain_id":"0833a5736980d53b0f22c0102ffcbfc0","domain_name":"demo-domain","is_domain_owner":"false"}],"roles_ids":[{"role_id":"r00003"}],"type":0}`
	if got := srv.Do(t, jsonReq("POST", base+"/users", add)); got.Status != 200 || string(got.Body) != "{\n\"message\" : null,\n\"is_success\" : true\n}" {
		t.Fatalf("add: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, jsonReq("POST", base+"/users", add)); got.Status != 400 || !strings.Contains(string(got.Body), "is already a member") {
		t.Errorf("add twice: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, jsonReq("POST", base+"/users", `{"user_ids":[{"user_id":"x"}],"roles_ids":[{"role_id":"r09999"}],"type":0}`)); got.Status != 400 ||
		!strings.Contains(string(got.Body), "role r09999 does not exist") {
		t.Errorf("unknown role: %d %s", got.Status, got.Body)
	}
	member := func() map[string]any {
		got := srv.Do(t, jsonReq("GET", base+"/users?limit=100&offset=0", ""))
		var page struct{ Data []map[string]any }
		if err := json.Unmarshal(got.Body, &page); err != nil {
			t.Fatalf("list: %s", got.Body)
		}
		for _, u := range page.Data {
			if u["user_id"] == newID {
				return u
			}
		}
		return nil
	}
	u := member()
	if u == nil || u["user_name"] != "temp_user" || u["create_user"] != "demo-admin" {
		t.Fatalf("the added member: %v", u)
	}
	if roles := fmt.Sprint(u["roles"]); roles != "[map[description:Runs and monitors jobs. role_code:OPERATOR role_id:r00003 role_name:Operator]]" {
		t.Errorf("roles: %s", roles)
	}
	if got := srv.Do(t, jsonReq("PUT", base+"/users/"+newID, `{"user_ids":[{"user_id":"`+newID+`"}],"roles_ids":[{"role_id":"r00004"},{"role_id":"r00002"}],"type":0}`)); got.Status != 200 {
		t.Fatalf("change roles: %d %s", got.Status, got.Body)
	}
	if roles := fmt.Sprint(member()["roles"]); !strings.Contains(roles, "role_id:r00004") || !strings.Contains(roles, "role_id:r00002") || strings.Contains(roles, "r00003") {
		t.Errorf("roles after the change: %s", roles)
	}
	if got := srv.Do(t, jsonReq("PUT", base+"/users/nobody", `{"roles_ids":[{"role_id":"r00004"}],"type":0}`)); got.Status != 400 {
		t.Errorf("change an unknown member: %d", got.Status)
	}
	if got := srv.Do(t, deleteReq(token, `{"user_ids":["`+newID+`"]}`)); got.Status != 200 {
		t.Fatalf("delete: %d %s", got.Status, got.Body)
	}
	if member() != nil {
		t.Error("the member is still listed")
	}
}

// TestListRoles: ListWorkspaceRoles is an array of ApigRoleVo (role_id,
// role_code, role_name, description; deviation 14).
func TestListRoles(t *testing.T) {
	srv := newServer(t, "default")
	got := srv.Do(t, jsonReq("GET", "/v2/demo-project/users/role?workspace_id=demo-workspace", ""))
	var roles []map[string]string
	if err := json.Unmarshal(got.Body, &roles); err != nil || len(roles) != 5 {
		t.Fatalf("%d %s", got.Status, got.Body)
	}
	for _, r := range roles {
		for _, k := range []string{"role_id", "role_code", "role_name", "description"} {
			if r[k] == "" {
				t.Errorf("role without %s: %v", k, r)
			}
		}
	}
	if roles[0]["role_id"] != "r00001" || roles[0]["role_code"] != "ADMIN" {
		t.Errorf("first role %v", roles[0])
	}
}
