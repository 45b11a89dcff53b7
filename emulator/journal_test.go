package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

type journalAnswer struct {
	Count    int              `json:"count"`
	Requests []emulator.Entry `json:"requests"`
}

func listJournal(t *testing.T, srv *emulatortest.Server, query string) journalAnswer {
	t.Helper()
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/requests" + query})
	if got.Status != 200 {
		t.Fatalf("journal: %d %s", got.Status, got.Body)
	}
	var a journalAnswer
	if err := json.Unmarshal(got.Body, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func count(t *testing.T, srv *emulatortest.Server, filter string) int {
	t.Helper()
	got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/requests/count", Body: filter})
	if got.Status != 200 {
		t.Fatalf("count: %d %s", got.Status, got.Body)
	}
	var c struct{ Count int }
	if err := json.Unmarshal(got.Body, &c); err != nil {
		t.Fatal(err)
	}
	return c.Count
}

func TestJournal(t *testing.T) {
	srv := emulatortest.New(t)
	srv.Do(t, delJoe(nil))                                                                 // 204, handler
	srv.Do(t, delJoe(nil))                                                                 // 404, rule
	srv.Do(t, delJoe(map[string]string{emulator.HeaderSession: "job-a"}))                  // 204 in a session
	srv.Do(t, emulatortest.Request{Method: "PATCH", Path: "/api/v3/onezone/users/" + joe}) // 405, route
	srv.Do(t, emulatortest.Request{Method: "POST", Path: "/webconsole/api/Login", Header: map[string]string{"Content-Type": "application/json"}, Body: "{"})

	all := listJournal(t, srv, "")
	if all.Count != 5 {
		t.Fatalf("%d entries: %+v", all.Count, all.Requests)
	}
	first := all.Requests[0]
	if first.Vendor != "onedata" || first.Operation != "remove_user" || first.Status != 204 || first.DecidedBy != "handler" ||
		first.Header.Get("Authorization") != basicAdm {
		t.Errorf("first entry: %+v", first)
	}
	for q, want := range map[string]int{
		"?vendor=onedata":                        4,
		"?status=404":                            1,
		"?session=job-a":                         1,
		"?session=":                              4,
		"?decidedBy=rule":                        1,
		"?decidedBy=route":                       1,
		"?decidedBy=validation":                  1,
		"?method=delete&path=/api/v3/*/*/" + joe: 3,
		"?path=/api/v3/onezone/users/*":          4,
		fmt.Sprintf("?since=%d", first.Seq):      4,
		"?since=" + first.Time.Format("2006-01-02T15:04:05.999999999Z07:00"): 5,
		"?limit=2": 2,
	} {
		if got := listJournal(t, srv, q).Count; got != want {
			t.Errorf("%s: %d entries, want %d", q, got, want)
		}
	}
	if n := count(t, srv, `{"vendor":"onedata","method":"DELETE","path":"/api/v3/onezone/users/`+joe+`","status":204,"session":""}`); n != 1 {
		t.Errorf("exactly one successful shared delete of joe: counted %d", n)
	}
	for _, bad := range []string{"?status=x", "?since=yesterday", "?path=[", "?limit=-1"} {
		if got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/requests" + bad}); got.Status != 400 || !strings.Contains(string(got.Body), `"error"`) {
			t.Errorf("%s: %d %s", bad, got.Status, got.Body)
		}
	}
	for _, bad := range []string{"", "{", `{"vendr":"x"}`, `{"status":"x"}`} {
		if got := srv.Do(t, emulatortest.Request{Method: "POST", Path: "/__admin/requests/count", Body: bad}); got.Status != 400 {
			t.Errorf("count %q: %d %s", bad, got.Status, got.Body)
		}
	}
	if got := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/__admin/requests"}); got.Status != 200 {
		t.Fatalf("clear: %d", got.Status)
	}
	if n := listJournal(t, srv, "").Count; n != 0 {
		t.Errorf("%d entries after clear", n)
	}
}

func TestJournalIsBounded(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithJournalSize(3))
	for range 5 {
		srv.Do(t, delJoe(nil))
	}
	a := listJournal(t, srv, "")
	if a.Count != 3 || a.Requests[0].Seq != 3 || a.Requests[2].Seq != 5 {
		t.Fatalf("kept %d, seqs %v", a.Count, a.Requests)
	}
	off := emulatortest.New(t, emulator.WithJournalSize(0))
	off.Do(t, delJoe(nil))
	if n := listJournal(t, off, "").Count; n != 0 {
		t.Errorf("journal off kept %d", n)
	}
}

func TestCORSPreflight(t *testing.T) {
	srv := emulatortest.New(t)
	req, _ := http.NewRequest(http.MethodOptions, srv.URL+"/webconsole/api/User/6", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Method", "DELETE")
	req.Header.Set("Access-Control-Request-Headers", "authtoken, accept")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 || resp.Header.Get("Access-Control-Allow-Origin") == "" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "DELETE") ||
		!strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "authtoken") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	// The actual request carries the origin back and exposes our headers.
	got := srv.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/" + joe,
		Header: map[string]string{"Origin": "http://localhost:3000", "Authorization": basicAdm}})
	if got.Status != 204 || got.Header.Get("Access-Control-Allow-Origin") == "" {
		t.Errorf("CORS on the request: %d %v", got.Status, got.Header)
	}
	// Every header a vendor's spec declares in a response is one a
	// browser client may read, and offboard's own.
	exposed := strings.ToLower(got.Header.Get("Access-Control-Expose-Headers"))
	for _, h := range []string{"location", "retry-after", "x-request-id", "x-offboard-detail", "allow"} {
		if !slices.Contains(strings.Split(strings.ReplaceAll(exposed, " ", ""), ","), h) {
			t.Errorf("Access-Control-Expose-Headers %q lacks %s", exposed, h)
		}
	}
	// Restricted origins.
	only := emulatortest.New(t, emulator.WithCORSOrigins("https://qa.example.com"))
	req, _ = http.NewRequest(http.MethodOptions, only.URL+"/api/v3/onezone/users/"+joe, nil)
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("Access-Control-Request-Method", "DELETE")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("a foreign origin was allowed: %v", resp.Header)
	}
}

// TestControlSpec: the control API's spec is valid and documents every
// control route, so the two cannot drift apart.
func TestControlSpec(t *testing.T) {
	srv := emulatortest.New(t)
	got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__admin/openapi.yaml"})
	if got.Status != 200 || got.Header.Get("Content-Type") != "application/yaml" {
		t.Fatalf("%d %v", got.Status, got.Header)
	}
	doc, err := openapi3.NewLoader().LoadFromData(got.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/health", "/reset", "/scenarios", "/scenario", "/state", "/routes", "/requests", "/requests/count",
		"/faults", "/sessions", "/sessions/{id}", "/sessions/{id}/reset", "/sessions/{id}/scenario", "/sessions/{id}/state",
		"/specs", "/specs/{vendor}.yaml", "/openapi.yaml"} {
		if doc.Paths.Value(p) == nil {
			t.Errorf("%s is not documented", p)
		}
		probe := strings.NewReplacer("{id}", "x", "{vendor}", "onedata").Replace(p)
		if got := srv.Do(t, emulatortest.Request{Method: "TRACE", Path: "/__admin" + probe}); got.Status != 405 {
			t.Errorf("%s is documented but not served: %d", p, got.Status)
		}
	}
}

// TestJournalKeepsResponses: each entry holds what the client got back
// (status, headers, the first 4 KB of the body), for the console and for
// tests that check what their application saw (issue 12).
func TestJournalKeepsResponses(t *testing.T) {
	srv := emulatortest.New(t)
	srv.Do(t, delJoe(nil)) // 204: no body
	srv.Do(t, delJoe(nil)) // 404 with Onedata's error
	a := listJournal(t, srv, "")
	if a.Count != 2 {
		t.Fatalf("%d entries", a.Count)
	}
	ok, missing := a.Requests[0].Response, a.Requests[1].Response
	if ok.Status != 204 || ok.Body != "" {
		t.Errorf("the 204: %+v", ok)
	}
	want := `{"error":{"description":"The resource could not be found.","id":"notFound"}}`
	if missing.Status != 404 || missing.Body != want ||
		missing.Header.Get("Content-Type") != "application/json" || missing.Header.Get(emulator.HeaderDetail) == "" {
		t.Errorf("the 404: %+v", missing)
	}

	// A large answer is cut at 4 KB and says so.
	var world strings.Builder
	world.WriteString("name: many\ncommvault:\n  tokens:\n    \"QSDK big\": {user: 1}\n  users:\n")
	for i := 1; i <= 200; i++ {
		fmt.Fprintf(&world, "    %d: {name: user%d, email: user%d@example.com, fullName: User Number %d}\n", i, i, i, i)
	}
	if got := srv.Do(t, emulatortest.Request{Method: "PUT", Path: "/__admin/scenario", Header: map[string]string{"Content-Type": "application/yaml"}, Body: world.String()}); got.Status != 200 {
		t.Fatalf("load: %d %s", got.Status, got.Body)
	}
	big := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/webconsole/api/User", Header: map[string]string{
		"Accept": "application/json", "Authtoken": "QSDK big"}})
	if big.Status != 200 || len(big.Body) <= 4096 {
		t.Fatalf("list users: %d, %d bytes", big.Status, len(big.Body))
	}
	last := listJournal(t, srv, "?vendor=commvault").Requests
	got := last[len(last)-1].Response
	if !got.Truncated || got.Body != string(big.Body[:4096]) {
		t.Errorf("kept %d of %d bytes, truncated %v", len(got.Body), len(big.Body), got.Truncated)
	}
}
