package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/offboard/offboard/emulator"
)

// TestConcurrentDeletesResetsAndLoads has 64 goroutines deleting,
// resetting and loading scenarios at once. Whatever interleaving happens,
// each state seen is one a scenario or a sequence of deletes can produce
// (never torn), and no delete is lost or doubled between two resets.
func TestConcurrentDeletesResetsAndLoads(t *testing.T) {
	const users = 50
	var b strings.Builder
	b.WriteString("name: many\nonedata:\n  users:\n    a5b469a2b0516b662a49da74d6d7d7bc: {username: admin, password: password, privileges: [oz_users_delete, oz_users_list]}\n")
	for i := range users {
		fmt.Fprintf(&b, "    %032x: {username: u%d}\n", i+1, i)
	}
	many := b.String()
	em, err := emulator.New(emulator.WithScenarioYAML("many.yaml", []byte(many)), emulator.WithLogger(discardLogger()))
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.SetBasicAuth("admin", "password")
		w := httptest.NewRecorder()
		em.ServeHTTP(w, r)
		return w
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	torn := []string{}
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				switch {
				case g%16 == 0 && i%10 == 0:
					do("POST", "/__admin/reset", "")
				case g%16 == 1 && i%10 == 0:
					if w := do("PUT", "/__admin/scenario", many); w.Code != 200 {
						mu.Lock()
						torn = append(torn, "load failed: "+w.Body.String())
						mu.Unlock()
					}
				case i%3 == 0:
					w := do("GET", "/api/v3/onezone/users", "")
					var list struct{ Users []string }
					if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || len(list.Users) < 1 || len(list.Users) > users+1 {
						mu.Lock()
						torn = append(torn, fmt.Sprintf("list: %d %s", w.Code, w.Body))
						mu.Unlock()
					}
				default:
					id := fmt.Sprintf("%032x", (g*7+i)%users+1)
					if w := do("DELETE", "/api/v3/onezone/users/"+id, ""); w.Code != 204 && w.Code != 404 {
						mu.Lock()
						torn = append(torn, fmt.Sprintf("delete %s: %d %s", id, w.Code, w.Body))
						mu.Unlock()
					}
				}
			}
		}()
	}
	wg.Wait()
	if len(torn) > 0 {
		t.Fatalf("%d bad answers, first: %s", len(torn), torn[0])
	}
	// Quiet now: a reset restores every user, and each user deletes once.
	do("POST", "/__admin/reset", "")
	var ok sync.WaitGroup
	counts := make([]int, users)
	for i := range users {
		for range 4 {
			ok.Add(1)
			go func() {
				defer ok.Done()
				if w := do("DELETE", fmt.Sprintf("/api/v3/onezone/users/%032x", i+1), ""); w.Code == http.StatusNoContent {
					mu.Lock()
					counts[i]++
					mu.Unlock()
				}
			}()
		}
	}
	ok.Wait()
	for i, c := range counts {
		if c != 1 {
			t.Errorf("user %d deleted %d times, want once", i, c)
		}
	}
}
