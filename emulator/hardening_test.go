package emulator_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/scenarios/scenariotest"
)

// TestControlYAMLIsBounded: hostile YAML through the control API gets a
// 400 in the control API's shape, cheaply (issue 13, finding 1).
func TestControlYAMLIsBounded(t *testing.T) {
	srv := emulatortest.New(t)
	var dup strings.Builder
	dup.WriteString("name: dup\nonedata:\n  users:\n")
	for range 4000 {
		dup.WriteString("    a4d3bc73aada63052310652d421609f1: {}\n")
	}
	faultBomb := strings.Replace(scenariotest.AliasBomb(300), "name: bomb\nonedata:\n", "- vendor: onedata\n  status: 500\n  x:\n", 1)
	for _, c := range []struct {
		name, method, path, body, want string
	}{
		{"alias bomb as a scenario", "PUT", "/__admin/scenario", scenariotest.AliasBomb(300), "expands to over"},
		{"alias bomb into a session", "PUT", "/__admin/sessions/s1/scenario", scenariotest.AliasBomb(300), "expands to over"},
		{"4,000 identical keys", "POST", "/__admin/scenario", dup.String(), "request body:5:5: a4d3bc73aada63052310652d421609f1: appears twice"},
		{"alias bomb as faults", "POST", "/__admin/faults", faultBomb, "expands to over"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := srv.Do(t, emulatortest.Request{Method: c.method, Path: c.path, Body: c.body})
			if got.Status != http.StatusBadRequest || got.Header.Get("Content-Type") != "application/json" ||
				!strings.Contains(string(got.Body), c.want) {
				t.Fatalf("%d %s %s", got.Status, got.Header.Get("Content-Type"), got.Body)
			}
		})
	}
	// The state did not change.
	if m := decode(t, srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/health"}).Body); m["scenario"] != "default" {
		t.Errorf("scenario now %v", m["scenario"])
	}
}

func do(t *testing.T, h http.Handler, method, target, body string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestControlAPIIsNotABrowsersToDrive: other web origins are refused on
// every control route, preflighted or not; the vendor routes keep their
// CORS (issue 13, finding 2).
func TestControlAPIIsNotABrowsersToDrive(t *testing.T) {
	em, err := emulator.New()
	if err != nil {
		t.Fatal(err)
	}
	evil := map[string]string{"Origin": "http://evil.example", "Content-Type": "text/plain"}
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/__admin/reset", ""},
		{"POST", "/__admin/scenario", "onedata-no-privilege"},
		{"POST", "/__admin/faults", `{"vendor":"onedata","status":500}`},
		{"GET", "/__admin/requests", ""},
		{"GET", "/__admin/state", ""},
		{"OPTIONS", "/__admin/reset", ""},
	} {
		rec := do(t, em, c.method, "http://127.0.0.1:8080"+c.path, c.body, evil)
		if rec.Code != http.StatusForbidden || rec.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s %s from another origin: %d %v", c.method, c.path, rec.Code, rec.Header())
		}
	}
	for _, hdr := range []map[string]string{
		{"Origin": "null"},
		{"Sec-Fetch-Site": "cross-site"},
	} {
		if rec := do(t, em, "POST", "http://127.0.0.1:8080/__admin/reset", "", hdr); rec.Code != http.StatusForbidden {
			t.Errorf("%v: %d", hdr, rec.Code)
		}
	}
	// curl and SDKs send no Origin; the console sends its own.
	if rec := do(t, em, "POST", "http://127.0.0.1:8080/__admin/reset", "", nil); rec.Code != 200 {
		t.Errorf("no Origin: %d", rec.Code)
	}
	if rec := do(t, em, "POST", "http://127.0.0.1:8080/__admin/reset", "", map[string]string{"Origin": "http://127.0.0.1:8080"}); rec.Code != 200 {
		t.Errorf("own origin: %d %s", rec.Code, rec.Body)
	}
	// Vendor routes still answer CORS for any origin by default.
	rec := do(t, em, "DELETE", "http://127.0.0.1:8080/api/v3/onezone/users/"+joe, "", map[string]string{"Origin": "http://evil.example", "Authorization": basicAdm})
	if rec.Code != 204 || rec.Header().Get("Access-Control-Allow-Origin") == "" {
		t.Errorf("vendor CORS: %d %v", rec.Code, rec.Header())
	}

	// An origin allowed on purpose gets CORS on the control API too.
	allowed, err := emulator.New(emulator.WithAdminOrigins("http://localhost:3000"))
	if err != nil {
		t.Fatal(err)
	}
	pre := do(t, allowed, "OPTIONS", "http://127.0.0.1:8080/__admin/reset", "", map[string]string{
		"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"})
	if pre.Header().Get("Access-Control-Allow-Origin") != "http://localhost:3000" {
		t.Errorf("allowed origin preflight: %d %v", pre.Code, pre.Header())
	}
	if rec := do(t, allowed, "POST", "http://127.0.0.1:8080/__admin/reset", "", map[string]string{"Origin": "http://localhost:3000"}); rec.Code != 200 {
		t.Errorf("allowed origin: %d", rec.Code)
	}
	if rec := do(t, allowed, "POST", "http://127.0.0.1:8080/__admin/reset", "", map[string]string{"Origin": "http://localhost:3001"}); rec.Code != 403 {
		t.Errorf("another origin: %d", rec.Code)
	}
}

// TestHostCheck: listening on loopback, the control API answers loopback
// names and --allowed-host names only (DNS rebinding).
func TestHostCheck(t *testing.T) {
	em, err := emulator.New(emulator.WithAllowedHosts("offboard"))
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]int{
		"127.0.0.1:8080": 200, "localhost:8080": 200, "LOCALHOST": 200, "[::1]:8080": 200, "app.localhost:1": 200,
		"offboard:8080": 200, "rebind.attacker.example:8080": 403, "10.0.0.1:8080": 403, "": 403,
	} {
		rec := do(t, em, "GET", "http://x/__admin/health", "", map[string]string{"Host": host})
		if rec.Code != want {
			t.Errorf("Host %q: %d, want %d", host, rec.Code, want)
		}
	}
	// The vendor routes are not the control API: they answer any Host.
	rec := do(t, em, "DELETE", "http://x/api/v3/onezone/users/"+joe, "", map[string]string{"Host": "rebind.attacker.example", "Authorization": basicAdm})
	if rec.Code != 204 {
		t.Errorf("vendor route: %d", rec.Code)
	}
}

// TestControlCharactersNeverReachAHeader: each byte 0x00-0x1f and 0x7f,
// in a path or a body, through every vendor: Go's client still reads the
// answer, and no header carries the byte (issue 13, finding 3).
func TestControlCharactersNeverReachAHeader(t *testing.T) {
	srv := emulatortest.New(t)
	var bytesToTry []byte
	for c := byte(0); c < 0x20; c++ {
		bytesToTry = append(bytesToTry, c)
	}
	bytesToTry = append(bytesToTry, 0x7f)
	routes := []struct {
		method, path, ctype string
		header              map[string]string
	}{
		{"POST", "/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace/x%s", "application/x-www-form-urlencoded", nil},
		{"DELETE", "/webconsole/api/User/byName(userName='a%sb')", "", map[string]string{"Authtoken": seedAuthtoken}},
		{"POST", "/v2/demo-project/demo-workspace/x%s/delete-users", "application/json", map[string]string{"X-Auth-Token": "demo-token"}},
		{"DELETE", "/api/v3/onezone/users/a%sb/x", "", nil},
		{"PUT", "/AdminInterface/restapi/v1/users/a%sb/userStatus/x", "application/json", nil},
	}
	for _, rt := range routes {
		for _, c := range bytesToTry {
			enc := fmt.Sprintf("%%%02X", c)
			url := srv.URL + fmt.Sprintf(rt.path, enc)
			body := "userName=a" + enc + "b&f=json"
			if rt.ctype == "application/json" {
				body = fmt.Sprintf(`{"user_ids":["a\u%04xb"],"userStatus":"a\u%04xb"}`, c, c)
			}
			req, err := http.NewRequest(rt.method, url, strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if rt.ctype != "" {
				req.Header.Set("Content-Type", rt.ctype)
			}
			for k, v := range rt.header {
				req.Header.Set(k, v)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Errorf("%s %s: Go's client refused the answer: %v", rt.method, url, err)
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			for k, vs := range resp.Header {
				for _, v := range vs {
					if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
						t.Errorf("%s %s: header %s carries a control character: %q", rt.method, url, k, v)
					}
				}
			}
		}
	}
}

const seedAuthtoken = "QSDK 38568012f4d1e8ee1841d283a47aa3ba78e124ea58354b5fc60f4dab8a63347d05cf5552484dafda3bfa4c5db84e580b1cb37bcf8e65b39f7f8549a443e6f78a2c7be3f31b3d845e24776c835e498e8e883bb40c46bd15af4f40ca94e823acedcdd4e9659e74b34a07a85c4586cd2ed914b6dce015874783ef768fda78183a4208930954a377f66eb56c8b92cexampl4s437a19317ca6ce7f3233d5a01aca35dbad93468b833f2cf71010809006a937670adce711ca8be46638e8"

// TestSessionLimits: ids are bounded in length and alphabet, and their
// wire form is printable ASCII (the vendor's own 400), sessions are
// capped, and reads create none (finding 4).
func TestSessionLimits(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithMaxSessions(2))
	for _, id := range []string{"a b", strings.Repeat("x", 60<<10), "é", "a%zz", "a%09b", "a%00"} {
		got := srv.Do(t, delJoe(map[string]string{emulator.HeaderSession: id}))
		if got.Status != 400 || !strings.Contains(string(got.Body), `"id":"badValueString"`) && !strings.Contains(string(got.Body), `"id": "badValueString"`) {
			t.Errorf("session %.20q: %d %s", id, got.Status, got.Body)
		}
	}
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__session/a%20b/api/v3/onezone/users"}); got.Status != 400 {
		t.Errorf("bad id in the path prefix: %d %s", got.Status, got.Body)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/state?session=ghost"}); got.Status != 404 {
		t.Errorf("state of a missing session: %d %s", got.Status, got.Body)
	}
	for _, p := range []string{"/__admin/sessions/ghost/state", "/__admin/faults?session=ghost"} {
		if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: p}); got.Status != 404 {
			t.Errorf("%s: %d %s", p, got.Status, got.Body)
		}
	}
	if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/state?session=a%20b"}); got.Status != 400 {
		t.Errorf("state of a bad id: %d", got.Status)
	}
	sessions := func() string {
		return string(srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/sessions"}).Body)
	}
	if s := sessions(); strings.Contains(s, "ghost") || strings.Contains(s, `"id"`) {
		t.Fatalf("reads created sessions: %s", s)
	}
	for _, id := range []string{"one", "two", "three"} {
		srv.Do(t, delJoe(map[string]string{emulator.HeaderSession: id}))
	}
	if s := sessions(); strings.Contains(s, `"one"`) || !strings.Contains(s, `"two"`) || !strings.Contains(s, `"three"`) {
		t.Errorf("the cap kept: %s", s)
	}
}

// TestSessionsCostWhatTheyChange: 300 sessions, each deleting one user of
// a 20,000-user scenario, cost less than one copy of that scenario's
// state (finding 4; before, each session copied it all).
func TestSessionsCostWhatTheyChange(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 20,000-user scenario")
	}
	var b strings.Builder
	b.WriteString("name: big\nonedata:\n  users:\n")
	for i := range 20_000 {
		fmt.Fprintf(&b, "    u%05d: {username: user%05d, fullName: User Number %d, emails: [user%05d@example.com]}\n", i, i, i, i)
	}
	b.WriteString("    admin: {username: admin, password: password, privileges: [oz_users_delete]}\n")
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	em, err := emulator.New(emulator.WithScenarioYAML("big.yaml", []byte(b.String())), emulator.WithJournalSize(0))
	if err != nil {
		t.Fatal(err)
	}
	loaded := heap()
	for i := range 300 {
		rec := do(t, em, "DELETE", fmt.Sprintf("http://127.0.0.1/api/v3/onezone/users/u%05d", i), "",
			map[string]string{"Authorization": basicAdm, emulator.HeaderSession: fmt.Sprintf("job-%d", i)})
		if rec.Code != 204 {
			t.Fatalf("delete in session %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	after := heap()
	runtime.KeepAlive(em)
	oneCopy := int64(loaded) - int64(before)
	sessions := int64(after) - int64(loaded)
	t.Logf("the emulator with the scenario: %d KB; 300 sessions on top: %d KB", oneCopy>>10, sessions>>10)
	if sessions > oneCopy {
		t.Errorf("300 sessions cost %d KB, more than the whole scenario (%d KB)", sessions>>10, oneCopy>>10)
	}
}

// countingWriter records the largest single write of an answer.
type countingWriter struct {
	header  http.Header
	status  int
	largest int
	total   int
}

func (c *countingWriter) Header() http.Header { return c.header }
func (c *countingWriter) WriteHeader(s int)   { c.status = s }
func (c *countingWriter) Write(p []byte) (int, error) {
	c.largest = max(c.largest, len(p))
	c.total += len(p)
	return len(p), nil
}

// TestControlGETsStreamAndTheJournalCapsHeaders: the journal keeps at
// most a few KB of a request's headers, and GET /__admin/requests is
// written entry by entry, never whole (finding 6).
func TestControlGETsStreamAndTheJournalCapsHeaders(t *testing.T) {
	em, err := emulator.New()
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("h", 60<<10)
	for range 200 {
		do(t, em, "GET", "http://127.0.0.1/api/v3/onezone/users/nobody", "", map[string]string{"X-Big": big})
	}
	cw := &countingWriter{header: http.Header{}}
	em.ServeHTTP(cw, httptest.NewRequest("GET", "http://127.0.0.1/__admin/requests", nil))
	if cw.status != 200 {
		t.Fatalf("status %d", cw.status)
	}
	if cw.total > 200*16<<10 {
		t.Errorf("the journal kept %d bytes for 200 requests with 60 KB headers", cw.total)
	}
	if cw.largest > 32<<10 {
		t.Errorf("one write of %d bytes: the answer was built whole", cw.largest)
	}
	rec := do(t, em, "GET", "http://127.0.0.1/__admin/requests?limit=1", "", nil)
	if !bytes.Contains(rec.Body.Bytes(), []byte(`"headerTruncated": true`)) {
		t.Errorf("a cut header is not marked: %.300s", rec.Body.String())
	}
}

// TestLatencyFaultsEndOnClose: a request held by a latency fault is
// answered when the emulator closes, not after its delay (finding 8).
func TestLatencyFaultsEndOnClose(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenarioYAML("slow.yaml", []byte(
		"extends: default\nfaults:\n  - {vendor: onedata, latency: 1h}\n")))
	done := make(chan int, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/api/v3/onezone/users/nobody")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	time.Sleep(100 * time.Millisecond) // the request is in its delay
	srv.Emulator.Close()
	select {
	case status := <-done:
		if status != 404 {
			t.Errorf("answered %d", status)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the delayed request was not answered after Close")
	}
}

// TestAdminTokenSchemeIsCaseInsensitive: "bearer" is "Bearer" (RFC 7235).
func TestAdminTokenSchemeIsCaseInsensitive(t *testing.T) {
	em, err := emulator.New(emulator.WithAdminToken("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	for auth, want := range map[string]int{"Bearer s3cret": 200, "bearer s3cret": 200, "BEARER s3cret": 200, "Bearer nope": 401, "s3cret": 401} {
		if rec := do(t, em, "GET", "http://127.0.0.1/__admin/state", "", map[string]string{"Authorization": auth}); rec.Code != want {
			t.Errorf("%q: %d, want %d", auth, rec.Code, want)
		}
	}
}
