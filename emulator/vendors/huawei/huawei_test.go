package huawei_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
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

func gatewayBody(t *testing.T, got emulatortest.Response, msg string) {
	t.Helper()
	id := got.Header.Get("X-Request-Id")
	want := fmt.Sprintf(`{"error_msg":"Incorrect IAM authentication information: %s","error_code":"APIGW.0301","request_id":"%s"}`, msg, id)
	if string(got.Body) != want {
		t.Errorf("body\n%s\nwant\n%s", got.Body, want)
	}
	if got.Header.Get("Server") != "api-gateway" || len(id) != 32 {
		t.Errorf("headers %v", got.Header)
	}
}

// sdkSign signs as huaweicloud-sdk-go-v3's core/auth/signer does, written
// apart from the emulator's verifier so that one cannot mirror a mistake
// of the other: every request header is signed, keys lower-cased.
func sdkSign(req *http.Request, body []byte, ak, sk string, at time.Time) {
	date := at.UTC().Format("20060102T150405Z")
	req.Header.Set("X-Sdk-Date", date)
	headers := map[string]string{}
	for k := range req.Header {
		headers[strings.ToLower(k)] = req.Header.Get(k)
	}
	var names []string
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, k := range names {
		canonHeaders.WriteString(k + ":" + strings.TrimSpace(headers[k]) + "\n")
	}
	path := req.URL.Path
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	var query []string
	for k, vs := range req.URL.Query() {
		for _, v := range vs {
			query = append(query, url.QueryEscape(strings.ToLower(k))+"="+url.QueryEscape(v))
		}
	}
	sort.Strings(query)
	bodySum := sha256.Sum256(body)
	canonical := strings.Join([]string{req.Method, path, strings.Join(query, "&"), canonHeaders.String(),
		strings.Join(names, ";"), hex.EncodeToString(bodySum[:])}, "\n")
	reqSum := sha256.Sum256([]byte(canonical))
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte("SDK-HMAC-SHA256\n" + date + "\n" + hex.EncodeToString(reqSum[:])))
	req.Header.Set("Authorization", fmt.Sprintf("SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%x",
		ak, strings.Join(names, ";"), mac.Sum(nil)))
}

func signed(t *testing.T, srv *emulatortest.Server, method, path, body, sk string, at time.Time) emulatortest.Response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("X-Project-Id", "demo-project")
	sdkSign(req, []byte(body), "DEMOACCESSKEY", sk, at)
	hdr := map[string]string{}
	for k := range req.Header {
		hdr[k] = req.Header.Get(k)
	}
	return srv.Do(t, emulatortest.Request{Method: method, Path: path, Header: hdr, Body: body})
}

// TestKnownSignature pins one signature computed outside Go (Python's
// hmac and hashlib) from the published algorithm.
func TestKnownSignature(t *testing.T) {
	srv := newServer(t, "default")
	body := `{"user_ids":["2d032145d82546b5b83cd7a6fd7d0afc"]}`
	got := srv.Do(t, deleteReq(map[string]string{
		"X-Project-Id":  "demo-project",
		"X-Sdk-Date":    "20261124T090000Z",
		"Authorization": "SDK-HMAC-SHA256 Access=DEMOACCESSKEY, SignedHeaders=content-type;x-project-id;x-sdk-date, Signature=a2801919e3146b1fcfc83373dfa687512a14a71fc7b2a7fbafa3944e79628256",
	}, body))
	if got.Status != 200 {
		t.Fatalf("status %d: %s (%s)", got.Status, got.Body, got.Header.Get("X-Offboard-Detail"))
	}
}

func TestAuthentication(t *testing.T) {
	t.Run("signed as the SDK signs, host included", func(t *testing.T) {
		srv := newServer(t, "default")
		got := signed(t, srv, http.MethodPost, base+"/delete-users", seedBody, "DEMOSECRETKEY", fixedNow)
		if got.Status != 200 {
			t.Fatalf("status %d: %s (%s)", got.Status, got.Body, got.Header.Get("X-Offboard-Detail"))
		}
	})
	t.Run("signed GET with a query", func(t *testing.T) {
		srv := newServer(t, "default")
		got := signed(t, srv, http.MethodGet, base+"/users?limit=1&offset=1", "", "DEMOSECRETKEY", fixedNow)
		if got.Status != 200 {
			t.Fatalf("status %d: %s (%s)", got.Status, got.Body, got.Header.Get("X-Offboard-Detail"))
		}
	})
	cases := []struct {
		name string
		do   func(*testing.T, *emulatortest.Server) emulatortest.Response
		msg  string
	}{
		{"no credentials", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return s.Do(t, deleteReq(nil, seedBody))
		}, "x-auth-token not found"},
		{"unknown token", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return s.Do(t, deleteReq(map[string]string{"X-Auth-Token": "nope"}, seedBody))
		}, "decrypt token fail"},
		{"expired token", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return s.Do(t, deleteReq(map[string]string{"X-Auth-Token": "demo-expired-token"}, seedBody))
		}, "token expires, expires_at: 2020-01-01T00:00:00.000000Z"},
		{"unknown AK: the gateway masks it (deviation 13)", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			req, _ := http.NewRequest(http.MethodPost, s.URL+base+"/delete-users", nil)
			req.Header.Set("Content-Type", "application/json;charset=UTF-8")
			sdkSign(req, []byte(seedBody), "NOSUCHACCESSKEY", "DEMOSECRETKEY", fixedNow)
			return s.Do(t, deleteReq(map[string]string{"Authorization": req.Header.Get("Authorization"),
				"X-Sdk-Date": req.Header.Get("X-Sdk-Date")}, seedBody))
		}, "Get secretKey failed,ak:******,err:ak not exist"},
		{"wrong SK", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return signed(t, s, http.MethodPost, base+"/delete-users", seedBody, "WRONGSECRET", fixedNow)
		}, "verify aksk signature fail"},
		{"stale X-Sdk-Date", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return signed(t, s, http.MethodPost, base+"/delete-users", seedBody, "DEMOSECRETKEY", fixedNow.Add(-time.Hour))
		}, "verify aksk signature fail"},
		{"body changed after signing", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			req, _ := http.NewRequest(http.MethodPost, s.URL+base+"/delete-users", nil)
			req.Header.Set("Content-Type", "application/json;charset=UTF-8")
			sdkSign(req, []byte(seedBody), "DEMOACCESSKEY", "DEMOSECRETKEY", fixedNow)
			return s.Do(t, deleteReq(map[string]string{"Authorization": req.Header.Get("Authorization"),
				"X-Sdk-Date": req.Header.Get("X-Sdk-Date")}, `{"user_ids":["`+other+`"]}`))
		}, "verify aksk signature fail"},
		{"not a signature", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return s.Do(t, deleteReq(map[string]string{"Authorization": "Bearer demo-token"}, seedBody))
		}, "verify aksk signature fail"},
		{"auth before validation: bad body, no credentials", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return s.Do(t, deleteReq(nil, "{not json"))
		}, "x-auth-token not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newServer(t, "default")
			got := c.do(t, srv)
			if got.Status != 401 {
				t.Fatalf("status %d: %s", got.Status, got.Body)
			}
			gatewayBody(t, got, c.msg)
			// Nothing changed.
			list := srv.Do(t, emulatortest.Request{Method: http.MethodGet, Path: base + "/users", Header: token})
			if !strings.Contains(string(list.Body), member) {
				t.Errorf("member gone after a refused request: %s", list.Body)
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
