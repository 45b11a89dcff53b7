package onedata_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

const (
	seed     = "002_71ec787b0d9d9bed.txt"
	joe      = "a4d3bc73aada63052310652d421609f1" // the seed's example user
	admin    = "a5b469a2b0516b662a49da74d6d7d7bc"
	ann      = "0c58d30c5a6e4e5b9c3a1f2e7d6b8a90"
	basicAdm = "Basic YWRtaW46cGFzc3dvcmQ=" // admin:password, as the seed's curl -u sends it
	basicAnn = "Basic YW5uOmFubi1wYXNzd29yZA=="
	usersURL = "/api/v3/onezone/users/"
)

func del(id string, hdr map[string]string) emulatortest.Request {
	return emulatortest.Request{Method: http.MethodDelete, Path: usersURL + id, Header: hdr}
}

func auth(v string) map[string]string { return map[string]string{"Authorization": v} }

// Bodies on the wire are compact with sorted keys, as oz-worker (jiffy
// over Erlang maps) writes them.
const (
	bodyUnauthorized = `{"error":{"description":"You must authenticate yourself to perform this operation.","id":"unauthorized"}}`
	bodyForbidden    = `{"error":{"description":"You are not authorized to perform this operation.","id":"forbidden"}}`
	bodyNotFound     = `{"error":{"description":"The resource could not be found.","id":"notFound"}}`
)

func badAuthBody(id, desc string) string {
	return `{"error":{"description":"Provided authentication is not valid (see details).","details":{"authError":{"description":"` +
		desc + `","id":"` + id + `"}},"id":"unauthorized"}}`
}

// TestRemoveUserCases walks every documented outcome and the real server's
// order of checks: bad credentials, unknown user, no credentials, privilege.
func TestRemoveUserCases(t *testing.T) {
	cases := []struct {
		name     string
		scenario string
		req      emulatortest.Request
		status   int
		body     string
	}{
		{"seed example: admin:password removes the user", "default", del(joe, auth(basicAdm)), 204, ""},
		{"X-Auth-Token", "default", del(joe, map[string]string{"X-Auth-Token": "onedata-admin-token"}), 204, ""},
		{"Bearer token", "default", del(joe, auth("Bearer onedata-admin-token")), 204, ""},
		{"no credentials, existing user", "default", del(joe, nil), 401, bodyUnauthorized},
		{"no credentials, unknown user: 404 comes first", "default", del("ffffffffffffffffffffffffffffffff", nil), 404, bodyNotFound},
		{"unprivileged, unknown user: 404 comes first", "default", del("ffffffffffffffffffffffffffffffff", auth(basicAnn)), 404, bodyNotFound},
		{"unprivileged caller", "default", del(joe, auth(basicAnn)), 403, bodyForbidden},
		{"unprivileged token", "default", del(joe, map[string]string{"X-Auth-Token": "onedata-ann-token"}), 403, bodyForbidden},
		{"admin without oz_users_delete", "onedata-no-privilege", del(joe, auth(basicAdm)), 403, bodyForbidden},
		{"unknown user", "onedata-unknown-user", del(joe, auth(basicAdm)), 404, bodyNotFound},
		{"bad token beats unknown user", "default", del("ffffffffffffffffffffffffffffffff", map[string]string{"X-Auth-Token": "nonsense"}), 401,
			badAuthBody("badToken", "Provided token could not be understood by the server.")},
		{"revoked token", "default", del(joe, auth("Bearer onedata-revoked-token")), 401,
			badAuthBody("tokenRevoked", "Provided token has been revoked.")},
		{"wrong password", "default", del(joe, auth("Basic YWRtaW46d3Jvbmc=")), 401,
			badAuthBody("badBasicCredentials", "Invalid username or password.")},
		{"malformed basic credentials", "default", del(joe, auth("Basic !!!")), 401,
			badAuthBody("badBasicCredentials", "Invalid username or password.")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := emulatortest.New(t, emulator.WithScenario(c.scenario))
			got := srv.Do(t, c.req)
			if got.Status != c.status {
				t.Fatalf("status %d, want %d; body %s", got.Status, c.status, got.Body)
			}
			if string(got.Body) != c.body {
				t.Errorf("body:\n%s\nwant:\n%s", got.Body, c.body)
			}
			if c.status != 204 && got.Header.Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", got.Header.Get("Content-Type"))
			}
		})
	}
}

// TestSeedErrorExample reproduces the seed's documented error payload: an
// injected 400 answers the documented example's value, compact with
// sorted keys as the real server encodes it; the seed's pretty print is
// kept as a structural golden.
func TestSeedErrorExample(t *testing.T) {
	emulatortest.SeedContains(t, seed, "testdata/seed-bad-value-string.json")
	srv := emulatortest.New(t, emulator.WithScenarioYAML("fault.yaml", []byte(`
onedata:
  users: {`+joe+`: {username: joe}}
faults:
  - {vendor: onedata, operation: remove_user, status: 400}
`)))
	got := srv.Do(t, del(joe, auth(basicAdm)))
	if got.Status != 400 || got.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %q", got.Status, got.Header.Get("Content-Type"))
	}
	emulatortest.GoldenJSON(t, "testdata/seed-bad-value-string.json", got.Body)
	want := `{"error":{"description":"Bad value: provided \"name\" must be a string.","details":{"key":"name"},"id":"badValueString"}}`
	if string(got.Body) != want {
		t.Errorf("wire bytes:\n%s\nwant\n%s", got.Body, want)
	}
}

func TestDeleteTwiceThenList(t *testing.T) {
	srv := emulatortest.New(t)
	if got := srv.Do(t, del(joe, auth(basicAdm))); got.Status != 204 || len(got.Body) != 0 {
		t.Fatalf("first delete: %d %q", got.Status, got.Body)
	}
	if got := srv.Do(t, del(joe, auth(basicAdm))); got.Status != 404 || string(got.Body) != bodyNotFound {
		t.Fatalf("second delete: %d %s", got.Status, got.Body)
	}
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users", Header: auth(basicAdm)})
	if got.Status != 200 || string(got.Body) != `{"users":["`+ann+`","`+admin+`"]}` {
		t.Fatalf("list after delete: %d %s", got.Status, got.Body)
	}
	got = srv.Do(t, emulatortest.Request{Method: "GET", Path: usersURL + joe, Header: auth(basicAdm)})
	if got.Status != 404 {
		t.Fatalf("get after delete: %d %s", got.Status, got.Body)
	}
}

func TestGetUser(t *testing.T) {
	srv := emulatortest.New(t)
	cases := []struct {
		name   string
		id     string
		hdr    map[string]string
		status int
		body   string
	}{
		{"admin views joe", joe, auth(basicAdm), 200,
			`{"alias":"joe","basicAuthEnabled":false,"blocked":false,"creationTime":1704067200,"emailList":["joe@example.com"],"emails":["joe@example.com"],` +
				`"fullName":"Joe Doe","linkedAccounts":[],"login":"joe","name":"Joe Doe","userId":"` + joe + `","username":"joe"}`},
		{"ann views herself", ann, auth(basicAnn), 200,
			`{"alias":"ann","basicAuthEnabled":true,"blocked":false,"creationTime":1704067200,"emailList":[],"emails":[],` +
				`"fullName":"Ann Smith","linkedAccounts":[],"login":"ann","name":"Ann Smith","userId":"` + ann + `","username":"ann"}`},
		{"ann views joe", joe, auth(basicAnn), 403, bodyForbidden},
		{"anonymous", joe, nil, 401, bodyUnauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := srv.Do(t, emulatortest.Request{Method: "GET", Path: usersURL + c.id, Header: c.hdr})
			if got.Status != c.status || string(got.Body) != c.body {
				t.Errorf("got %d %s\nwant %d %s", got.Status, got.Body, c.status, c.body)
			}
		})
	}
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users", Header: auth(basicAnn)}); got.Status != 403 {
		t.Errorf("list without oz_users_list: %d", got.Status)
	}
}

// TestBadInput: odd requests get Onezone's shape and change nothing.
func TestBadInput(t *testing.T) {
	srv := emulatortest.New(t)
	cases := []struct {
		name   string
		req    emulatortest.Request
		status int
		id     string
	}{
		{"wrong method", emulatortest.Request{Method: "PATCH", Path: usersURL + joe, Header: auth(basicAdm)}, 405, "notSupported"},
		{"unknown route under the prefix", emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/groups"}, 404, "notFound"},
		{"trailing slash", emulatortest.Request{Method: "DELETE", Path: usersURL, Header: auth(basicAdm)}, 404, "notFound"},
		{"dot segments are not cleaned into a redirect", emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/x/../users/" + joe, Header: auth(basicAdm)}, 404, "notFound"},
		{"escaped slash in the id", emulatortest.Request{Method: "DELETE", Path: usersURL + "a%2Fb", Header: auth(basicAdm)}, 404, "notFound"},
		{"percent-encoded id of an unknown user", emulatortest.Request{Method: "DELETE", Path: usersURL + "%E2%98%83", Header: auth(basicAdm)}, 404, "notFound"},
		{"a body on DELETE is ignored, unknown user", emulatortest.Request{Method: "DELETE", Path: usersURL + "nobody", Header: auth(basicAdm), Body: "{not json"}, 404, "notFound"},
		{"huge body", emulatortest.Request{Method: "DELETE", Path: usersURL + joe, Header: auth(basicAdm), Body: strings.Repeat("x", 10<<20)}, 400, "malformedData"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := srv.Do(t, c.req)
			var b struct {
				Error struct{ ID, Description string }
			}
			if err := json.Unmarshal(got.Body, &b); err != nil {
				t.Fatalf("body is not Onezone's error JSON: %v: %q", err, got.Body)
			}
			if got.Status != c.status || b.Error.ID != c.id || b.Error.Description == "" {
				t.Errorf("got %d %s, want %d %s", got.Status, got.Body, c.status, c.id)
			}
			if got.Header.Get(emulator.HeaderDetail) == "" {
				t.Errorf("no %s header saying why", emulator.HeaderDetail)
			}
		})
	}
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: usersURL + joe, Header: auth(basicAdm)})
	if got.Status != 200 {
		t.Fatalf("bad input lost state: joe is gone (%d)", got.Status)
	}
}

// TestConcurrentDeletes: of 64 simultaneous deletes of one user exactly one wins.
func TestConcurrentDeletes(t *testing.T) {
	srv := emulatortest.New(t)
	const n = 64
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses <- srv.Do(t, del(joe, auth(basicAdm))).Status
		}()
	}
	close(start)
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[204] != 1 || count[404] != n-1 {
		t.Fatalf("want one 204 and %d 404s, got %v", n-1, count)
	}
}

// TestUserMayDeleteThemself: oz-worker's user_logic_plugin.erl authorizes
// every operation of a user on their own record, and its test suite checks
// that a user can delete himself (issue 10, deviation 1).
func TestUserMayDeleteThemself(t *testing.T) {
	srv := emulatortest.New(t)
	if got := srv.Do(t, del(ann, auth(basicAnn))); got.Status != 204 {
		t.Fatalf("ann deleting herself: %d %s", got.Status, got.Body)
	}
	// Her own credentials are now a bad login.
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: usersURL + ann, Header: auth(basicAnn)}); got.Status != 401 {
		t.Errorf("after self-delete: %d %s", got.Status, got.Body)
	}
	// DELETE /user removes the caller's own account.
	if got := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/user", Header: map[string]string{"X-Auth-Token": "onedata-admin-token"}}); got.Status != 204 {
		t.Fatalf("DELETE /user: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/user"}); got.Status != 401 || string(got.Body) != bodyUnauthorized {
		t.Errorf("DELETE /user anonymously: %d %s", got.Status, got.Body)
	}
}

// TestMacaroonHeader: the deprecated "macaroon" header still carries a
// token (the swagger's info section shows it; deviation 4).
func TestMacaroonHeader(t *testing.T) {
	srv := emulatortest.New(t)
	if got := srv.Do(t, del(joe, map[string]string{"Macaroon": "onedata-admin-token"})); got.Status != 204 {
		t.Fatalf("macaroon: %d %s", got.Status, got.Body)
	}
	got := srv.Do(t, del(admin, map[string]string{"macaroon": "nope"}))
	if got.Status != 401 || string(got.Body) != badAuthBody("badToken", "Provided token could not be understood by the server.") {
		t.Errorf("bad macaroon: %d %s", got.Status, got.Body)
	}
}

// TestProtectedInfoCarriesTheOfficialFields: GET /users/{id} holds every
// field UserProtectedInfo requires (deviation 2).
func TestProtectedInfoCarriesTheOfficialFields(t *testing.T) {
	srv := emulatortest.New(t)
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: usersURL + joe, Header: auth(basicAdm)})
	var m map[string]any
	if err := json.Unmarshal(got.Body, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"userId", "fullName", "username", "linkedAccounts", "emails", "basicAuthEnabled", "blocked", "creationTime",
		"name", "login", "alias", "emailList"} {
		if _, ok := m[k]; !ok {
			t.Errorf("no %q in %s", k, got.Body)
		}
	}
}

// TestBlockCreateAndRemove walks the offboarding flow with the operations
// beyond the seed: create a user, block them (their credentials stop
// working and GET shows it), remove them, check they are gone.
func TestBlockCreateAndRemove(t *testing.T) {
	srv := emulatortest.New(t)
	admHdr := map[string]string{"Authorization": basicAdm, "Content-Type": "application/json"}
	got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/api/v3/onezone/users", Header: admHdr,
		Body: `{"username":"temp","password":"temp-password","fullName":"Temp User"}`})
	loc := got.Header.Get("Location")
	if got.Status != 201 || !strings.HasPrefix(loc, srv.URL+"/api/v3/onezone/users/") || len(got.Body) != 0 {
		t.Fatalf("create: %d %q %s", got.Status, loc, got.Body)
	}
	id := loc[strings.LastIndex(loc, "/")+1:]
	if len(id) != 32 {
		t.Errorf("id %q", id)
	}
	basicTemp := "Basic " + base64.StdEncoding.EncodeToString([]byte("temp:temp-password"))
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: usersURL + id, Header: auth(basicTemp)}); got.Status != 200 ||
		!strings.Contains(string(got.Body), `"basicAuthEnabled":true`) || !strings.Contains(string(got.Body), `"fullName":"Temp User"`) {
		t.Fatalf("the new user reads themself: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/api/v3/onezone/users", Header: admHdr, Body: `{"username":"temp"}`}); got.Status != 400 ||
		string(got.Body) != `{"error":{"description":"Bad value: provided identifier (\"username\") is already occupied.","details":{"key":"username"},"id":"badValueIdentifierOccupied"}}` {
		t.Errorf("a taken username: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/api/v3/onezone/users", Header: map[string]string{"Authorization": basicAnn, "Content-Type": "application/json"}, Body: `{}`}); got.Status != 403 {
		t.Errorf("create without oz_users_create: %d %s", got.Status, got.Body)
	}

	block := func(hdr map[string]string, body string) emulatortest.Response {
		return srv.Do(t, emulatortest.Request{Method: "PATCH", Path: usersURL + id + "/access_block", Header: hdr, Body: body})
	}
	if got := block(admHdr, `{"blocked":true}`); got.Status != 204 {
		t.Fatalf("block: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: usersURL + id, Header: auth(basicTemp)}); got.Status != 401 ||
		string(got.Body) != badAuthBody("userBlocked", "This user account has been blocked by the administrator and cannot be used unless it is unblocked again.") {
		t.Errorf("a blocked user's login: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: usersURL + id, Header: auth(basicAdm)}); !strings.Contains(string(got.Body), `"blocked":true`) {
		t.Errorf("GET after block: %s", got.Body)
	}
	if got := block(map[string]string{"Authorization": basicAnn, "Content-Type": "application/json"}, `{"blocked":false}`); got.Status != 403 {
		t.Errorf("block without oz_users_update: %d", got.Status)
	}
	if got := block(admHdr, `{"blocked":"yes"}`); got.Status != 400 {
		t.Errorf("a string for blocked: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "PATCH", Path: usersURL + "ffffffffffffffffffffffffffffffff/access_block", Header: admHdr, Body: `{"blocked":true}`}); got.Status != 404 {
		t.Errorf("block an unknown user: %d", got.Status)
	}
	if got := srv.Do(t, del(id, auth(basicAdm))); got.Status != 204 {
		t.Fatalf("remove: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: usersURL + id, Header: auth(basicAdm)}); got.Status != 404 {
		t.Errorf("gone: %d", got.Status)
	}
}
