package securid_test

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/emulator/signing"
	"github.com/offboard/offboard/emulator/vendors/securid"
)

const (
	seedUser = "eb2e12ae-1112-451b-98e1-dfe4e6afd60d" // the seed's example user, Disabled in default
	enabled  = "5b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4"
	pending  = "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d"
	scim     = "c4d5e6f7-0819-4a2b-8c3d-4e5f60718293"
	azure    = "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6"
	accessID = "offboard-test-access-id"
	users    = "/AdminInterface/restapi/v1/users/"
)

var now = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func testKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	pem, err := os.ReadFile("testdata/test-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	k, err := jwt.ParseRSAPrivateKeyFromPEM(pem)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newServer(t *testing.T, scenario string) *emulatortest.Server {
	return emulatortest.New(t, emulator.WithScenario(scenario), emulator.WithClock(func() time.Time { return now }))
}

func bearer(t testing.TB) string {
	t.Helper()
	tok, err := signing.SecurIDToken(testKey(t), accessID, securid.DefaultAudience, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok
}

func del(auth, id string) emulatortest.Request {
	return emulatortest.Request{Method: http.MethodDelete, Path: users + id,
		Header: map[string]string{"Authorization": auth, "Content-Type": "application/json"}}
}

func put(auth, id, op, body string) emulatortest.Request {
	return emulatortest.Request{Method: http.MethodPut, Path: users + id + "/" + op,
		Header: map[string]string{"Authorization": auth, "Content-Type": "application/json"}, Body: body}
}

func errBody(status int, text, msg string) string {
	return `{"status":` + strconv.Itoa(status) + `,"error":"` + text + `","message":"` + msg + `"}`
}

var (
	body403  = errBody(403, "Forbidden", "Not authorized to perform the request.")
	body404  = errBody(404, "Not Found", "User is not found.")
	body405  = errBody(405, "Method Not Allowed", "Method Not Allowed. The method you are using is not allowed for users in the SCIM Managed and Azure Active Directory (SCIM) identity sources.")
	body409e = errBody(409, "Conflict", "The operation is not performed. User is in enabled state.")
	body409p = errBody(409, "Conflict", "The operation is not performed. User is in pending deletion state.")
	body429  = errBody(429, "Too Many Requests", "Too many requests.")
	body500  = errBody(500, "Internal Server Error", "Internal error occurred when processing the request.")
)

// TestDeleteCases walks every documented status of the seed.
func TestDeleteCases(t *testing.T) {
	cases := []struct {
		name, scenario, id string
		status             int
		body               string
	}{
		{"seed example: disabled user deleted", "default", seedUser, 200, ""},
		{"unknown user", "default", "00000000-0000-0000-0000-000000000000", 404, body404},
		{"SCIM-managed identity source", "default", scim, 405, body405},
		{"Azure AD (SCIM) identity source", "default", azure, 405, body405},
		{"enabled user", "default", enabled, 409, body409e},
		{"pending deletion", "default", pending, 409, body409p},
		{"enabled (scenario)", "securid-enabled-user", seedUser, 409, body409e},
		{"internal error (scenario)", "securid-internal-error", seedUser, 500, body500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newServer(t, c.scenario)
			got := srv.Do(t, del(bearer(t), c.id))
			if got.Status != c.status || string(got.Body) != c.body {
				t.Fatalf("got %d %q, want %d %q", got.Status, got.Body, c.status, c.body)
			}
			if c.status != 200 && got.Header.Get("Content-Type") != "application/json" {
				t.Errorf("content type %q", got.Header.Get("Content-Type"))
			}
		})
	}
}

func TestDeleteTwice(t *testing.T) {
	srv := newServer(t, "default")
	if got := srv.Do(t, del(bearer(t), seedUser)); got.Status != 200 {
		t.Fatalf("first: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, del(bearer(t), seedUser)); got.Status != 404 || string(got.Body) != body404 {
		t.Fatalf("second: %d %s", got.Status, got.Body)
	}
}

func TestRateLimited(t *testing.T) {
	srv := newServer(t, "securid-rate-limited")
	if got := srv.Do(t, del(bearer(t), enabled)); got.Status != 409 {
		t.Fatalf("first call within the limit: %d %s", got.Status, got.Body)
	}
	got := srv.Do(t, del(bearer(t), seedUser))
	if got.Status != 429 || string(got.Body) != body429 || got.Header.Get("Retry-After") != "30" {
		t.Fatalf("%d %s Retry-After=%q", got.Status, got.Body, got.Header.Get("Retry-After"))
	}
	// The refused delete changed nothing.
	if got := srv.Do(t, emulatortest.Request{Method: http.MethodPost, Path: users + "lookup",
		Header: map[string]string{"Authorization": bearer(t), "Content-Type": "application/json"}, Body: `{"email":"jdoe@example.com"}`}); got.Status != 200 {
		t.Fatalf("lookup after 429: %d %s", got.Status, got.Body)
	}
}

// TestStateMoves enables nothing by hand: an Enabled user is disabled,
// a pending deletion is withdrawn, and each then deletes.
func TestStateMoves(t *testing.T) {
	srv := newServer(t, "default")
	auth := bearer(t)
	steps := []struct {
		req    emulatortest.Request
		status int
		body   string
	}{
		{del(auth, enabled), 409, body409e},
		{put(auth, enabled, "userStatus", `{"userStatus":"Disabled"}`), 200, `{"id":"` + enabled + `","userStatus":"Disabled"}`},
		{del(auth, enabled), 200, ""},
		{del(auth, pending), 409, body409p},
		{put(auth, pending, "markDeleted", `{"markDeleted":true}`), 409, errBody(409, "Conflict", "The operation is not performed. User is already in pending deletion state.")},
		{put(auth, pending, "markDeleted", `{"markDeleted":false}`), 200, `{"id":"` + pending + `","markDeleted":false}`},
		{del(auth, pending), 200, ""},
		{put(auth, seedUser, "markDeleted", `{"markDeleted":true}`), 200, `{"id":"` + seedUser + `","markDeleted":true}`},
		{del(auth, seedUser), 409, body409p},
		{put(auth, scim, "userStatus", `{"userStatus":"Enabled"}`), 405, body405},
		{put(auth, "nobody", "userStatus", `{"userStatus":"Enabled"}`), 404, body404},
	}
	for i, s := range steps {
		got := srv.Do(t, s.req)
		if got.Status != s.status || string(got.Body) != s.body {
			t.Fatalf("step %d %s %s: got %d %s, want %d %s", i, s.req.Method, s.req.Path, got.Status, got.Body, s.status, s.body)
		}
	}
}

func TestBadInput(t *testing.T) {
	auth := "" // filled per test
	cases := []struct {
		name   string
		req    func() emulatortest.Request
		status int
	}{
		{"malformed JSON", func() emulatortest.Request { return put(auth, seedUser, "userStatus", `{"userStatus":`) }, 400},
		{"unknown status", func() emulatortest.Request { return put(auth, seedUser, "userStatus", `{"userStatus":"Gone"}`) }, 400},
		{"wrong content type", func() emulatortest.Request {
			r := put(auth, seedUser, "userStatus", `<userStatus>Enabled</userStatus>`)
			r.Header["Content-Type"] = "application/xml"
			return r
		}, 400},
		{"huge body", func() emulatortest.Request {
			return put(auth, seedUser, "markDeleted", `{"markDeleted":true,"x":"`+strings.Repeat("x", 2<<20)+`"}`)
		}, 413},
		{"wrong method", func() emulatortest.Request {
			return emulatortest.Request{Method: http.MethodPatch, Path: users + seedUser, Header: map[string]string{"Authorization": auth}}
		}, 405},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newServer(t, "default")
			auth = bearer(t)
			got := srv.Do(t, c.req())
			if got.Status != c.status || !strings.HasPrefix(string(got.Body), `{"status":`) {
				t.Fatalf("%d %s, want %d", got.Status, got.Body, c.status)
			}
			if got := srv.Do(t, del(auth, seedUser)); got.Status != 200 {
				t.Fatalf("state changed by bad input: %d %s", got.Status, got.Body)
			}
		})
	}
}

func TestConcurrentDeletes(t *testing.T) {
	srv := newServer(t, "default")
	auth := bearer(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := map[int]int{}
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := srv.Do(t, del(auth, seedUser))
			mu.Lock()
			counts[got.Status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if counts[200] != 1 || counts[404] != 63 {
		t.Fatalf("statuses %v, want one 200 and 63 404", counts)
	}
}

// TestMarkDeletedTakesTheDocumentedString: the page's example sends
// {"markDeleted": "true"}; a client copying it must not fail (deviation 18).
func TestMarkDeletedTakesTheDocumentedString(t *testing.T) {
	srv := newServer(t, "default")
	if got := srv.Do(t, put(bearer(t), seedUser, "markDeleted", `{"markDeleted": "true"}`)); got.Status != 200 ||
		string(got.Body) != `{"id":"`+seedUser+`","markDeleted":true}` {
		t.Fatalf("%d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, put(bearer(t), seedUser, "markDeleted", `{"markDeleted": "false"}`)); got.Status != 200 {
		t.Fatalf("%d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, put(bearer(t), seedUser, "markDeleted", `{"markDeleted": "yes"}`)); got.Status != 400 {
		t.Errorf("yes: %d %s", got.Status, got.Body)
	}
}

// TestLookupWrongContentType: lookup documents 415 (deviation 17); the
// state changes, which do not, answer 400.
func TestLookupWrongContentType(t *testing.T) {
	srv := newServer(t, "default")
	got := srv.Do(t, emulatortest.Request{Method: "POST", Path: users + "lookup", Body: `email=x`,
		Header: map[string]string{"Authorization": bearer(t), "Content-Type": "application/x-www-form-urlencoded"}})
	if got.Status != 415 || string(got.Body) != errBody(415, "Unsupported Media Type", "Unsupported media type.") {
		t.Errorf("lookup: %d %s", got.Status, got.Body)
	}
	r := put(bearer(t), seedUser, "userStatus", `x`)
	r.Header["Content-Type"] = "text/plain"
	if got := srv.Do(t, r); got.Status != 400 {
		t.Errorf("userStatus: %d %s", got.Status, got.Body)
	}
}

// TestSearch: POST /v1/users/search is a search, not a user id (before,
// it answered 405), on v1 and v2, paged.
func TestSearch(t *testing.T) {
	srv := newServer(t, "default")
	for _, path := range []string{"/AdminInterface/restapi/v1/users/search", "/AdminInterface/restapi/v2/users/search"} {
		got := srv.Do(t, emulatortest.Request{Method: "POST", Path: path, Body: `{"searchText":"EXAMPLE.COM","pageSize":2,"pageNumber":1}`,
			Header: map[string]string{"Authorization": bearer(t), "Content-Type": "application/json"}})
		var page struct {
			Users                     []map[string]any
			PageNumber, PageSize      int
			TotalElements, TotalPages int
		}
		if err := json.Unmarshal(got.Body, &page); err != nil || got.Status != 200 {
			t.Fatalf("%s: %d %s", path, got.Status, got.Body)
		}
		if page.PageNumber != 1 || page.PageSize != 2 || len(page.Users) > 2 || page.TotalElements < 3 || page.TotalPages != (page.TotalElements+1)/2 {
			t.Errorf("%s: %s", path, got.Body)
		}
	}
	got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/AdminInterface/restapi/v1/users/search", Body: `{"searchText":"nobody-matches-this"}`,
		Header: map[string]string{"Authorization": bearer(t), "Content-Type": "application/json"}})
	if string(got.Body) != `{"users":[],"pageNumber":0,"pageSize":100,"totalElements":0,"totalPages":0}` {
		t.Errorf("no match: %s", got.Body)
	}
}
