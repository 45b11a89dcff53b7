package drift

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/scenarios"
	"github.com/offboard/offboard/testsuite"
)

// TestReadBackFindsStateOnlyDrift: two worlds that answer every case
// alike but hold one user differently are told apart by the read-back.
func TestReadBackFindsStateOnlyDrift(t *testing.T) {
	src, err := scenarios.BuiltinSource("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(string(src), "fullName: Sandbox Viewer", "fullName: Someone Else", 1)
	serve := func(name string, yaml []byte) string {
		em, err := emulator.New(emulator.WithScenarioYAML(name, yaml))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(em)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	vars, err := testsuite.SandboxVars()
	if err != nil {
		t.Fatal(err)
	}
	a, b := serve("a", src), serve("b", []byte(other))
	steps := readBack(context.Background(), Options{Target: a, Vars: vars}, b, vars, []string{"onedata", "huawei"})
	if len(steps) != 2 {
		t.Fatalf("%d steps", len(steps))
	}
	var got []string
	for _, s := range steps {
		for _, d := range s.Differences {
			got = append(got, s.Vendor+" "+d.Kind+" "+d.Target+d.Emul)
		}
	}
	if len(got) != 2 || !strings.Contains(got[0], `onedata missing "1d0e0f10111213141516171819202122": {username: "sb-viewer", fullName: "Sandbox Viewer"`) ||
		!strings.Contains(got[1], `fullName: "Someone Else"`) {
		t.Errorf("the read-back says:\n%s", strings.Join(got, "\n"))
	}
}
