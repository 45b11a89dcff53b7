package emulator_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/offboard/offboard/emulator"
)

// Scenarios: load one from text (or LoadRefs for built-in names and
// files), and Reset back to it after tests changed the world.
func ExampleEmulator_Reset() {
	em, _ := emulator.New()
	srv := httptest.NewServer(em)
	defer srv.Close()

	err := em.LoadYAML("mine.yaml", []byte(`
name: just-joe
onedata:
  users:
    a4d3bc73aada63052310652d421609f1: {username: joe}
    admin: {username: admin, password: password, privileges: [oz_users_delete]}
`))
	fmt.Println(err, em.ScenarioName())
	admin := map[string]string{"Authorization": "Basic YWRtaW46cGFzc3dvcmQ="}
	fmt.Println(send("DELETE", srv.URL+joeURL, admin))
	em.Reset()
	fmt.Println(send("DELETE", srv.URL+joeURL, admin))
	fmt.Println(em.LoadRefs("no-such-scenario") != nil, em.ScenarioName())
	// Output:
	// <nil> just-joe
	// 204 No Content
	// 204 No Content
	// true just-joe
}

// Export: a session's world as a scenario that loads back to it, for a
// bug report.
func ExampleEmulator_Export() {
	em, _ := emulator.New(emulator.WithScenario("securid-enabled-user"))
	out, err := em.Export("")
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.SplitN(string(out), "\n", 2)[0])
	fmt.Println(em.LoadYAML("snapshot.yaml", out))
	// Output:
	// name: "snapshot"
	// <nil>
}

// Sessions: list, reset and drop them; a session that is not live is
// ErrNotFound.
func ExampleEmulator_Sessions() {
	em, _ := emulator.New()
	_, _ = em.AddFaults("TestA", emulator.Fault{Vendor: "onedata", Status: 503})
	_, _ = em.AddFaults("TestB/sub", emulator.Fault{Vendor: "onedata", Status: 503})
	for _, s := range em.Sessions() {
		fmt.Println(s.ID)
	}
	fmt.Println(em.ResetSession("TestA"), em.DropSession("TestA"))
	err := em.DropSession("TestA")
	fmt.Println(errors.Is(err, emulator.ErrNotFound), len(em.Sessions()))
	// Output:
	// TestA
	// TestB/sub
	// <nil> <nil>
	// true 1
}

// Fault rules one by one: remove one by its place, or clear them all.
func ExampleEmulator_RemoveFault() {
	em, _ := emulator.New()
	n, _ := em.AddFaults("", emulator.Fault{Vendor: "onedata", Status: 500}, emulator.Fault{Vendor: "securid", Status: 429, RetryAfter: 30})
	fmt.Println(n, em.RemoveFault("", 0))
	rules, _ := em.Faults("")
	fmt.Println(len(rules), rules[0].Vendor, rules[0].Status)
	fmt.Println(em.ClearFaults(""))
	rules, _ = em.Faults("")
	fmt.Println(len(rules))
	// Output:
	// 2 <nil>
	// 1 securid 429
	// <nil>
	// 0
}

// The journal's size, and forgetting it between tests.
func ExampleEmulator_ClearRequests() {
	em, _ := emulator.New(emulator.WithJournalSize(100))
	srv := httptest.NewServer(em)
	defer srv.Close()
	send("GET", srv.URL+joeURL, nil)
	fmt.Println(em.JournalSize(), em.ClearRequests())
	n, _ := em.CountRequests(emulator.Filter{})
	fmt.Println(n)
	// Output:
	// 100 1
	// 0
}

// The error catalogue: every documented error, with the fault that makes
// an operation answer it next.
func ExampleEmulator_Catalogue() {
	em, _ := emulator.New()
	cat, _ := em.Catalogue()
	for _, e := range cat["securid"] {
		if e.Operation == "deleteUser" && e.Status == 409 {
			fmt.Printf("%d %s -> fault %+v\n", e.Status, e.Operation, e.Fault)
		}
	}
	// Output:
	// 409 deleteUser -> fault {Vendor:securid Operation:deleteUser Method: Path: Status:409 After:0 Times:1 Rate:0 Seed:0 Latency: Jitter: Drop:false Limit:0 Window: RetryAfter:0 Body: ContentType:}
}

// What is served: health, vendors, routes and specs.
func ExampleEmulator_Routes() {
	em, _ := emulator.New()
	fmt.Println(em.Health().Status, em.VendorNames())
	for _, r := range em.Routes() {
		if strings.Contains(r, "remove_user") {
			fmt.Println(r)
		}
	}
	spec, _ := em.Spec("onedata")
	fmt.Println(strings.SplitN(string(spec), "\n", 2)[0])
	fmt.Println(strings.SplitN(string(em.ControlSpec()), "\n", 2)[0])
	// Output:
	// ok [arcgis commvault huawei onedata securid]
	// DELETE /api/v3/onezone/users/{id} (onedata remove_user)
	// openapi: 3.0.3
	// openapi: 3.0.3
}
