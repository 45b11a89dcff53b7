package control

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator/engine"
)

// TestEveryEndpointIsInTheSpec: every path and method the router serves
// (the console's pages aside) is an operation of adminapi.yaml, so that
// Validating checks every answer and the spec lists everything.
func TestEveryEndpointIsInTheSpec(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(spec, &doc); err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(engine.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	served := 0
	err = (&API{eng: eng}).router().Walk(func(route *mux.Route, _ *mux.Router, _ []*mux.Route) error {
		tpl, err := route.GetPathTemplate()
		methods, merr := route.GetMethods()
		if err != nil || merr != nil || strings.HasPrefix(tpl, Prefix+"/ui") || tpl == Prefix {
			return nil
		}
		path := strings.TrimPrefix(tpl, Prefix)
		for _, m := range methods {
			served++
			if _, ok := doc.Paths[path][strings.ToLower(m)]; !ok {
				t.Errorf("%s %s is served but not in adminapi.yaml", m, tpl)
			}
		}
		return nil
	})
	if err != nil || served < 25 {
		t.Fatalf("walked %d endpoints: %v", served, err)
	}
}

// TestValidatingReports: an answer the spec does not declare is reported,
// one it declares is not.
func TestValidatingReports(t *testing.T) {
	for _, c := range []struct {
		method, path, ctype, body string
		status                    int
		bad                       bool
	}{
		{"GET", "/__admin/health", "application/json", `{"status":"ok","scenario":"x","vendors":[]}`, 200, false},
		{"GET", "/__admin/health", "application/json", `{"status":"fine"}`, 200, true},
		{"POST", "/__admin/faults", "application/json", `{"status":"added","added":1,"rules":1}`, 200, true},
		{"POST", "/__admin/faults", "application/json", `{"status":"added","added":1,"rules":1}`, 201, false},
		{"GET", "/__admin/sessions/TestX%2Fsub/state", "text/plain", "x", 200, true},
		{"GET", "/__admin/sessions/TestX%2Fsub/state", "application/yaml", "name: x\n", 200, false},
		{"GET", "/__admin/nothing-here", "application/json", `{}`, 404, false},
	} {
		fake := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", c.ctype)
			w.WriteHeader(c.status)
			_, _ = w.Write([]byte(c.body))
		})
		var got error
		h, err := Validating(fake, func(_ *http.Request, _ int, err error) { got = err })
		if err != nil {
			t.Fatal(err)
		}
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(c.method, c.path, nil))
		if (got != nil) != c.bad {
			t.Errorf("%s %s %d %s: reported %v, want a report: %v", c.method, c.path, c.status, c.body, got, c.bad)
		}
	}
}
