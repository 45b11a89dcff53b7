package emulator_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// TestExportWhileHandlersWrite: the scenario export reads a consistent
// copy of each vendor's state while requests change the same rows in
// place (under -race it once reported the writer reading rows that
// modifyUser, updateUserStatus and toggleAccessBlock wrote).
func TestExportWhileHandlersWrite(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	_, bearer, err := srv.Emulator.Credential("securid")
	if err != nil {
		t.Fatal(err)
	}
	writes := func(i int) []emulatortest.Request {
		status := []string{"Enabled", "Disabled"}[i%2]
		return []emulatortest.Request{
			{Method: "POST", Path: "/webconsole/api/User/6", Header: map[string]string{"Authtoken": seedAuthtoken, "Accept": "application/json", "Content-Type": "application/json"},
				Body: fmt.Sprintf(`{"users":[{"description":"take %d","enableUser":%v}]}`, i, i%2 == 0)},
			{Method: "PUT", Path: "/AdminInterface/restapi/v1/users/5b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4/userStatus",
				Header: map[string]string{"Authorization": bearer, "Content-Type": "application/json"}, Body: `{"userStatus":"` + status + `"}`},
			{Method: "PATCH", Path: "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1/access_block",
				Header: map[string]string{"Authorization": basicAdm, "Content-Type": "application/json"}, Body: fmt.Sprintf(`{"blocked":%v}`, i%2 == 0)},
		}
	}
	// Every row is first owned by the session, so later writes change it
	// in place: the case an export must not read unlocked.
	for _, r := range writes(0) {
		if got := srv.Do(t, r); got.Status >= 300 {
			t.Fatalf("%s %s: %d %s", r.Method, r.Path, got.Status, got.Body)
		}
	}
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 60 {
				srv.Do(t, writes(i + 1)[w])
			}
		}()
	}
	exports := 0
	for range 15 {
		out, err := srv.Emulator.Export("")
		if err != nil {
			t.Fatal(err)
		}
		if len(out) == 0 {
			t.Fatal("an empty export")
		}
		exports++
	}
	wg.Wait()
	if exports != 15 {
		t.Fatalf("%d exports", exports)
	}
}
