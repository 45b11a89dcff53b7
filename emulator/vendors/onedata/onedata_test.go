package onedata_test

import (
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

const (
	bodyUnauthorized = "{\n  \"error\": {\n    \"id\": \"unauthorized\",\n    \"description\": \"You must authenticate yourself to perform this operation.\"\n  }\n}"
	bodyForbidden    = "{\n  \"error\": {\n    \"id\": \"forbidden\",\n    \"description\": \"You are not authorized to perform this operation.\"\n  }\n}"
	bodyNotFound     = "{\n  \"error\": {\n    \"id\": \"notFound\",\n    \"description\": \"The resource could not be found.\"\n  }\n}"
)

func badAuthBody(id, desc string) string {
	return "{\n  \"error\": {\n    \"id\": \"unauthorized\",\n    \"details\": {\n      \"authError\": {\n        \"id\": \"" + id +
		"\",\n        \"description\": \"" + desc + "\"\n      }\n    },\n    \"description\": \"Provided authentication is not valid (see details).\"\n  }\n}"
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
// injected 400 answers exactly the documented example.
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
	emulatortest.Golden(t, "testdata/seed-bad-value-string.json", got.Body)
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
			`{"userId":"` + joe + `","fullName":"Joe Doe","username":"joe","linkedAccounts":[],"emails":["joe@example.com"],"basicAuthEnabled":false}`},
		{"ann views herself", ann, auth(basicAnn), 200,
			`{"userId":"` + ann + `","fullName":"Ann Smith","username":"ann","linkedAccounts":[],"emails":[],"basicAuthEnabled":true}`},
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
