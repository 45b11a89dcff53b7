package offboard_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/testcontainers/testcontainers-go"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/emulator/remote"
	offboard "github.com/offboard/offboard/testcontainers"
)

// image is the image under test: OFFBOARD_IMAGE, as CI builds it from the
// repository's Dockerfile.
func image(t *testing.T) string {
	t.Helper()
	img := os.Getenv("OFFBOARD_IMAGE")
	if img == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("OFFBOARD_IMAGE names the image CI built; it is not set")
		}
		t.Skip("OFFBOARD_IMAGE is not set: build the image (docker build -t offboard .) and set it")
	}
	return img
}

func run(t *testing.T, opts ...testcontainers.ContainerCustomizer) *offboard.Container {
	t.Helper()
	ctr, err := offboard.Run(context.Background(), image(t), opts...)
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatal(err)
	}
	return ctr
}

const joe = "a4d3bc73aada63052310652d421609f1"

// TestASessionPerTest: two tests' sessions in one container, each its own
// world, through the same helpers as an in-process emulator.
func TestASessionPerTest(t *testing.T) {
	ctr := run(t)
	h, err := ctr.Client().Health()
	if err != nil || h.Scenario != "default" || len(h.Vendors) != 5 {
		t.Fatalf("Health: %+v, %v", h, err)
	}
	for _, name := range []string{"first", "second"} {
		t.Run(name, func(t *testing.T) {
			s := ctr.Session(t)
			del := s.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/" + joe, Header: s.Credential(t, "onedata")})
			if del.Status != http.StatusNoContent {
				t.Fatalf("delete joe in %s: %d %s", s.ID, del.Status, del.Body)
			}
			again := s.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/" + joe, Header: s.Credential(t, "onedata")})
			if again.Status != http.StatusNotFound {
				t.Errorf("a second delete: %d", again.Status)
			}
			if n := s.Count(t, emulator.Filter{Vendor: "onedata", Method: "DELETE"}); n != 2 {
				t.Errorf("the session's journal counts %d deletes, want 2", n)
			}
		})
	}
	// The shared world still has joe; a fault from the Go API fires.
	c := ctr.Client()
	if _, err := c.AddFaults("", emulator.Fault{Vendor: "onedata", Operation: "get_user", Status: 500, Times: 1}); err != nil {
		t.Fatal(err)
	}
	h2, v, err := c.Credential("onedata")
	if err != nil {
		t.Fatal(err)
	}
	get := func() int {
		req, _ := http.NewRequest(http.MethodGet, ctr.BaseURL()+"/api/v3/onezone/users/"+joe, nil)
		req.Header.Set(h2, v)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if first, second := get(), get(); first != 500 || second != 200 {
		t.Errorf("a fault for one call: %d then %d, want 500 then 200", first, second)
	}
}

// TestScenarioFilesAndToken: a scenario file copied in is loaded; with an
// admin token the Container's client passes and a bare one is refused.
func TestScenarioFilesAndToken(t *testing.T) {
	file := filepath.Join(t.TempDir(), "team.yaml")
	yaml := "name: team\nextends: default\nonedata:\n  users:\n    0123456789abcdef0123456789abcdef: {username: teammate}\n    a5b469a2b0516b662a49da74d6d7d7bc:\n      username: admin\n      password: password\n      privileges: [oz_users_list, oz_users_view, oz_users_delete]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	ctr := run(t, offboard.WithScenarioFile(file), offboard.WithAdminToken("s3cret"), offboard.WithFlags("--journal-size", "10"))
	h, err := ctr.Client().Health()
	if err != nil || h.Scenario != "team" {
		t.Fatalf("Health: %+v, %v", h, err)
	}
	st, err := ctr.Client().State("")
	if err != nil || !strings.Contains(string(st["onedata"]), "teammate") {
		t.Errorf("the scenario file's user is not in the state: %v %.300s", err, st["onedata"])
	}
	_, err = remote.New(ctr.BaseURL()).Sessions()
	var re *remote.Error
	if !errors.As(err, &re) || re.Status != http.StatusUnauthorized {
		t.Errorf("the control API without the token: %v", err)
	}
}
