package engine

import (
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// slowBody sends a few bytes then ends, whatever Content-Length said.
type slowBody struct{ sent bool }

func (s *slowBody) Read(p []byte) (int, error) {
	if s.sent {
		return 0, io.EOF
	}
	s.sent = true
	return copy(p, "userName=x"), nil
}

// TestDeclaredLengthIsNotAllocatedUpFront: a client that declares 1 MiB
// and sends ten bytes costs ten bytes, not a megabyte (finding 8).
func TestDeclaredLengthIsNotAllocatedUpFront(t *testing.T) {
	req, _ := http.NewRequest("POST", "http://x/", &slowBody{})
	req.ContentLength = 1 << 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	body, err := readBody(req, 1<<20)
	runtime.ReadMemStats(&after)
	if len(body) != 10 || err != nil && !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("body %q err %v", body, err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 256<<10 {
		t.Errorf("reading 10 bytes allocated %d bytes", grew)
	}
}

// TestWhichRoutesSkipValidation: kin-openapi sees only the parameters and
// bodies a spec can refuse; an operation with none of them skips it.
func TestWhichRoutesSkipValidation(t *testing.T) {
	em, err := New(DefaultConfig())
	if err == nil {
		err = em.Ready()
	}
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{ // vendor/operation: what validation checks
		"onedata/remove_user":              "",
		"onedata/toggle_user_access_block": "body",
		"huawei/deleteWorkspaceUsers":      "body",                     // project and workspace ids: any segment
		"huawei/listWorkspaceUsers":        "query:limit query:offset", // integers
		"commvault/deleteUser":             "",
		"commvault/getUser":                "query:Level", // an integer
		"securid/deleteUser":               "",
		"securid/lookupUser":               "body",
		"arcgis/deleteUserWorkspace":       "query:f body", // f is an enum
		"arcgis/listContainers":            "query:f",
	}
	for _, v := range em.vendors {
		for _, rt := range v.routes {
			key := v.Name() + "/" + rt.op
			var got []string
			for _, p := range rt.params {
				got = append(got, p.In+":"+p.Name)
			}
			if rt.body != nil {
				got = append(got, "body")
			}
			if w, ok := want[key]; ok && strings.Join(got, " ") != w {
				t.Errorf("%s %s: validation checks %q, want %q", key, rt.template, strings.Join(got, " "), w)
			}
		}
	}
}

// TestLastSegmentBucketsAgree: the routers that serve (per-last-segment
// buckets, every route matched segment by segment) pick the operation
// (and variables) a router of mux's own templates picks, for every
// route's path with its variables filled by plain values and by other
// routes' literals, with a slash added, doubled or a segment more or
// less, under every method; and the full router of each agrees too.
func TestLastSegmentBucketsAgree(t *testing.T) {
	em, err := New(DefaultConfig())
	if err == nil {
		err = em.Ready()
	}
	if err != nil {
		t.Fatal(err)
	}
	fill := regexp.MustCompile(`\{[^}]*\}`)
	checked := 0
	for _, v := range em.vendors {
		vm, ref := em.vendorRouter(v, false), em.vendorRouter(v, true)
		literals := map[string]bool{"x1": true}
		templates := map[string]bool{}
		for _, rt := range v.routes {
			templates[rt.template] = true
			for _, seg := range strings.Split(rt.template, "/") {
				if seg != "" && !strings.Contains(seg, "{") {
					literals[seg] = true
				}
			}
		}
		for tpl := range templates {
			for value := range literals {
				base := fill.ReplaceAllString(tpl, value)
				for _, path := range []string{base, base + "/", base + "/x", strings.Replace(base, "/", "//", 2), strings.TrimSuffix(base, "/"+value)} {
					for _, method := range []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"} {
						r := httptest.NewRequest(method, "http://h"+path, nil)
						var want *route
						var refMatch mux.RouteMatch
						if ref.Match(r, &refMatch) && refMatch.MatchErr == nil {
							want = ref.routes[refMatch.Route]
						}
						vars := map[string]string{}
						got := vm.operation(r, vars)
						if got != want || (want != nil && !maps.Equal(vars, refMatch.Vars)) {
							t.Fatalf("%s %s: buckets chose %v %v, mux's templates %v %v", method, path, got, vars, want, refMatch.Vars)
						}
						var full mux.RouteMatch
						var fullGot *route
						if vm.Match(r, &full) && full.MatchErr == nil {
							fullGot = vm.routes[full.Route]
						}
						if fullGot != want || (refMatch.MatchErr == nil) != (full.MatchErr == nil) {
							t.Fatalf("%s %s: the full router chose %v (%v), mux's templates %v (%v)", method, path, fullGot, full.MatchErr, want, refMatch.MatchErr)
						}
						checked++
					}
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d requests checked", checked)
	}
	t.Logf("%d requests routed alike", checked)
}
