package emulator_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/vendors/onedata"
	"github.com/offboard/offboard/scenarios"
)

// joeURL is the seed's Onedata user in the default scenario.
const joeURL = "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1"

// send makes a request with headers and says what came back.
func send(method, url string, header map[string]string) string {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		log.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(resp.Status + " " + string(body))
}

// The emulator is an http.Handler: run it in-process with httptest, as
// fake-gcs-server is run. A delete really removes; a second one gets the
// vendor's not-found answer.
func Example() {
	em, err := emulator.New(emulator.WithScenario("default"))
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(em)
	defer srv.Close()

	admin := map[string]string{"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="} // admin:password
	fmt.Println(send("DELETE", srv.URL+joeURL, admin))
	fmt.Println(send("DELETE", srv.URL+joeURL, admin))
	// Output:
	// 204 No Content
	// 404 Not Found {"error":{"description":"The resource could not be found.","id":"notFound"}}
}

// A session per test: each test names one after itself (t.Name(),
// subtests included) and sees the scenario as loaded, whatever other
// tests delete. CredentialIn mints a credential for that session's state.
func ExampleEmulator_CredentialIn() {
	em, _ := emulator.New()
	srv := httptest.NewServer(em)
	defer srv.Close()

	session := "TestOffboarding/joe_leaves" // t.Name() in a test
	name, value, err := em.CredentialIn(session, "onedata")
	if err != nil {
		log.Fatal(err)
	}
	inSession := map[string]string{name: value, emulator.HeaderSession: emulator.SessionWire(session)}
	fmt.Println(send("DELETE", srv.URL+joeURL, inSession))
	// The same session by its path prefix, for a client that sets only a base URL.
	fmt.Println(send("DELETE", srv.URL+"/__session/"+emulator.SessionWire(session)+joeURL, map[string]string{name: value}))
	// Another test's world still has joe.
	name, value, _ = em.Credential("onedata")
	fmt.Println(send("GET", srv.URL+joeURL, map[string]string{name: value})[:6])
	fmt.Println(emulator.SessionWire(session))
	// Output:
	// 204 No Content
	// 404 Not Found {"error":{"description":"The resource could not be found.","id":"notFound"}}
	// 200 OK
	// TestOffboarding%2Fjoe_leaves
}

// Faults: the next call answers the vendor's documented 500, in its own
// shape, then the vendor's rules apply again.
func ExampleEmulator_AddFaults() {
	em, _ := emulator.New()
	srv := httptest.NewServer(em)
	defer srv.Close()

	session := "TestRetriesOn500"
	if _, err := em.AddFaults(session, emulator.Fault{Vendor: "onedata", Operation: "remove_user", Status: 500, Times: 1}); err != nil {
		log.Fatal(err)
	}
	h := map[string]string{"Authorization": "Basic YWRtaW46cGFzc3dvcmQ=", emulator.HeaderSession: session}
	fmt.Println(send("DELETE", srv.URL+joeURL, h))
	fmt.Println(send("DELETE", srv.URL+joeURL, h))
	rules, _ := em.Faults(session)
	fmt.Printf("fired %d of %d; spent: %v\n", rules[0].Fired, rules[0].Times, rules[0].Spent())
	// A mistake is refused with what is wrong, field by field.
	_, err := em.AddFaults(session, emulator.Fault{Vendor: "onedata", Status: 700, Times: -1})
	fmt.Println(err)
	// Output:
	// 500 Internal Server Error {"error":{"description":"The server has encountered an error while processing this request.","id":"internalServerError"}}
	// 204 No Content
	// fired 1 of 1; spent: true
	// faults[0].times: must not be negative: -1; faults[0].status: not an HTTP status: 700 (100 to 599)
}

// The journal: assert what your code sent, and what it got.
func ExampleEmulator_CountRequests() {
	em, _ := emulator.New()
	srv := httptest.NewServer(em)
	defer srv.Close()

	session := "TestDeletesOnce"
	h := map[string]string{"Authorization": "Basic YWRtaW46cGFzc3dvcmQ=", emulator.HeaderSession: session}
	send("DELETE", srv.URL+joeURL, h)
	send("DELETE", srv.URL+joeURL, h)

	deletes, _ := em.CountRequests(emulator.Filter{Vendor: "onedata", Method: "DELETE", Status: 204,
		Session: emulator.InSession(session)})
	fmt.Println("successful deletes:", deletes)
	entries, _ := em.Requests(emulator.Filter{Session: emulator.InSession(session)}, 0)
	for _, e := range entries {
		fmt.Println(e.Method, e.Operation, e.Status, e.DecidedBy, len(e.Response.Body))
	}
	// Output:
	// successful deletes: 1
	// DELETE remove_user 204 handler 0
	// DELETE remove_user 404 rule 76
}

// State: what a request changed, as the control API dumps it (JSON by
// vendor), or typed, under the lock the vendor's handlers hold.
func ExampleEmulator_Inspect() {
	em, _ := emulator.New()
	srv := httptest.NewServer(em)
	defer srv.Close()

	session := "TestJoeIsGone"
	send("DELETE", srv.URL+joeURL, map[string]string{"Authorization": "Basic YWRtaW46cGFzc3dvcmQ=", emulator.HeaderSession: session})

	_ = em.Inspect(session, "onedata", func(s kit.State) {
		_, found := s.(*onedata.State).Users.Get("a4d3bc73aada63052310652d421609f1")
		fmt.Println("joe in the session:", found)
	})
	_ = em.Inspect("", "onedata", func(s kit.State) {
		fmt.Println("users in the shared world:", s.(*onedata.State).Users.Len())
	})
	states, _ := em.State(session)
	var od struct {
		Users map[string]struct{ Username string } `json:"users"`
	}
	_ = json.Unmarshal(states["onedata"], &od)
	fmt.Println("users in the session:", len(od.Users))
	// Output:
	// joe in the session: false
	// users in the shared world: 3
	// users in the session: 2
}

// A scenario of a test's own, for its session only.
func ExampleEmulator_LoadSessionScenario() {
	em, _ := emulator.New()
	f, err := scenarios.Parse("mine.yaml", []byte(`
name: no-privilege
onedata:
  users:
    a4d3bc73aada63052310652d421609f1: {username: joe}
    u2: {username: clerk, password: secret}
`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(em.LoadSessionScenario("TestNoPrivilege", f))
	states, _ := em.State("TestNoPrivilege")
	fmt.Println(strings.Count(string(states["onedata"]), `"username"`))
	// Built-ins by name, files by path: scenarios.Builtin, scenarios.Open.
	bad, _ := scenarios.Parse("bad.yaml", []byte("onedata:\n  users:\n    u1: {username: x, privileges: [oz_user_delete]}\n"))
	fmt.Println(em.LoadSessionScenario("TestNoPrivilege", bad))
	// Output:
	// <nil>
	// 2
	// bad.yaml:3:36: onedata.users.u1.privileges[0]: unknown privilege "oz_user_delete" (known: oz_users_create, oz_users_delete, oz_users_list, oz_users_update, oz_users_view)
}

// The live journal: each answered request as it happens.
func ExampleEmulator_SubscribeRequests() {
	em, _ := emulator.New()
	srv := httptest.NewServer(em)
	defer srv.Close()

	sub, err := em.SubscribeRequests()
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close()
	send("DELETE", srv.URL+joeURL, map[string]string{"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="})
	e := <-sub.C()
	fmt.Println(e.Seq, e.Vendor, e.Operation, e.Status)
	// Output:
	// 1 onedata remove_user 204
}
