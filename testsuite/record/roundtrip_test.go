package record_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/scenarios"
	"github.com/offboard/offboard/testsuite"
	"github.com/offboard/offboard/testsuite/record"
)

// world is an emulator serving a scenario, with the vars that read it.
type world struct {
	em   *emulator.Emulator
	url  string
	vars map[string]string
}

func serve(t *testing.T, opt emulator.Option, vars map[string]string) world {
	t.Helper()
	em, err := emulator.New(opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := em.ClearFaults(""); err != nil { // faults are not state: record reads the state
		t.Fatal(err)
	}
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)
	vars = copyVars(vars)
	if _, bearer, err := em.Credential("securid"); err == nil {
		vars["securid.bearer"] = bearer
	}
	return world{em: em, url: srv.URL, vars: vars}
}

func copyVars(in map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range in {
		out[k] = v
	}
	return out
}

// emulatorVars are the cases' emulator values: what the default scenario
// (and every built-in that extends it) answers to.
func emulatorVars(t *testing.T) map[string]string {
	t.Helper()
	suites, err := testsuite.Load()
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, s := range suites {
		for name, v := range s.Vars {
			if v.Default != "" {
				vars[name] = v.Default
			}
		}
	}
	return vars
}

func sandboxVars(t *testing.T) map[string]string {
	t.Helper()
	vars, err := testsuite.SandboxVars()
	if err != nil {
		t.Fatal(err)
	}
	return vars
}

// recordWorld records w and serves the recording.
func recordWorld(t *testing.T, w world, vendors ...string) (world, []byte, *record.Summary) {
	t.Helper()
	var out bytes.Buffer
	vars, sum, err := record.Record(context.Background(), record.Options{Target: w.url, Vars: w.vars, Vendors: vendors}, &out)
	if err != nil {
		t.Fatalf("record: %v (%+v)", err, sum)
	}
	rec := serve(t, emulator.WithScenarioYAML("recording", out.Bytes()), vars)
	return rec, out.Bytes(), sum
}

// read is one read call of a vendor, built from a world's vars.
type read struct {
	name           string
	method, path   string
	header         map[string]string
	body           string
	needs          []string // vars it cannot run without
	perUserOnedata bool     // GET /users/{id} for each listed id
}

func reads() []read {
	return []read{
		{name: "arcgis workspaces", method: "GET", path: "${arcgis.admin}/dataaccess/listUserWorkspaces?f=json&token=${arcgis.token}", needs: []string{"arcgis.admin", "arcgis.token"}},
		{name: "arcgis containers", method: "GET", path: "${arcgis.admin}/system/containers?f=json&token=${arcgis.token}", needs: []string{"arcgis.admin", "arcgis.token"}},
		{name: "arcgis portal users", method: "GET", path: "/arcgis/sharing/rest/portals/self/users?f=json&num=100&token=${arcgis.token}", needs: []string{"arcgis.token"}},
		{name: "arcgis portal", method: "GET", path: "/arcgis/sharing/rest/portals/self?f=json"},
		{name: "arcgis server info", method: "GET", path: "/arcgis/notebooks/rest/info?f=json"},
		{name: "commvault users", method: "GET", path: "${commvault.root}/User", header: map[string]string{"Authtoken": "${commvault.token}", "Accept": "application/json"}, needs: []string{"commvault.token"}},
		{name: "commvault users xml", method: "GET", path: "${commvault.root}/User", header: map[string]string{"Authtoken": "${commvault.token}", "Accept": "application/xml"}, needs: []string{"commvault.token"}},
		{name: "commvault groups", method: "GET", path: "${commvault.root}/UserGroup", header: map[string]string{"Authtoken": "${commvault.token}", "Accept": "application/json"}, needs: []string{"commvault.token"}},
		{name: "huawei members", method: "GET", path: "/v2/${huawei.project}/${huawei.workspace}/users?limit=100", header: map[string]string{"X-Auth-Token": "${huawei.token}"}, needs: []string{"huawei.token"}},
		{name: "onedata users", method: "GET", path: "/api/v3/onezone/users", header: map[string]string{"Authorization": "${onedata.basic}"}, needs: []string{"onedata.basic"}, perUserOnedata: true},
		{name: "securid users", method: "POST", path: "${securid.base}/users/search", header: map[string]string{"Authorization": "${securid.bearer}", "Content-Type": "application/json"}, body: `{"searchText":"","pageSize":1000}`, needs: []string{"securid.bearer"}},
		{name: "securid lookup", method: "POST", path: "${securid.base}/users/lookup", header: map[string]string{"Authorization": "${securid.bearer}", "Content-Type": "application/json"}, body: `{"email":"jdoe@example.com"}`, needs: []string{"securid.bearer"}},
	}
}

func expand(s string, vars map[string]string) string {
	return os.Expand(s, func(k string) string { return vars[k] })
}

// call sends one read to a world and returns status and body.
func call(t *testing.T, w world, method, path string, header map[string]string, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, w.url+expand(path, w.vars), strings.NewReader(expand(body, w.vars)))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, expand(v, w.vars))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// sameReads holds every read call answering byte for byte the same on
// both worlds; it returns how many were compared.
func sameReads(t *testing.T, orig, rec world, recorded map[string]bool) int {
	t.Helper()
	n := 0
	for _, rd := range reads() {
		if rd.method == "" || !recorded[strings.SplitN(rd.name, " ", 2)[0]] || !hasAll(orig.vars, rd.needs) {
			continue
		}
		s1, b1 := call(t, orig, rd.method, rd.path, rd.header, rd.body)
		s2, b2 := call(t, rec, rd.method, rd.path, rd.header, rd.body)
		// Answers that name the server say the host each was reached at.
		b1 = bytes.ReplaceAll(b1, []byte(strings.TrimPrefix(orig.url, "http://")), []byte("HOST"))
		b2 = bytes.ReplaceAll(b2, []byte(strings.TrimPrefix(rec.url, "http://")), []byte("HOST"))
		n++
		if s1 != s2 || !bytes.Equal(b1, b2) {
			t.Errorf("%s: original %d, recording %d\n%s", rd.name, s1, s2, cmp.Diff(string(b1), string(b2)))
			continue
		}
		if rd.perUserOnedata {
			var list struct{ Users []string }
			if err := json.Unmarshal(b1, &list); err != nil {
				t.Fatal(err)
			}
			for _, id := range list.Users {
				p := "/api/v3/onezone/users/" + url.PathEscape(id)
				_, u1 := call(t, orig, "GET", p, rd.header, "")
				_, u2 := call(t, rec, "GET", p, rd.header, "")
				n++
				if !bytes.Equal(u1, u2) {
					t.Errorf("onedata user %s:\n%s", id, cmp.Diff(string(u1), string(u2)))
				}
			}
		}
	}
	return n
}

func hasAll(vars map[string]string, names []string) bool {
	for _, n := range names {
		if vars[n] == "" {
			return false
		}
	}
	return true
}

// credentialKeys are the parts of an export that are credentials, which
// a recording has of its own.
// rejectDeletes is not a credential but a behaviour no read shows (a
// workspace refusing deletes): a recording cannot have it.
var credentialKeys = map[string]bool{"tokens": true, "accessKeys": true, "apiKeys": true, "password": true, "privileges": true,
	"rejectDeletes": true}

// sameExports holds the two exports equal once credentials are left out.
func sameExports(t *testing.T, orig, rec world, recorded map[string]bool) {
	t.Helper()
	load := func(w world) map[string]any {
		b, err := w.em.Export("")
		if err != nil {
			t.Fatal(err)
		}
		doc, err := scenarios.ParseYAML("export", b)
		if err != nil {
			t.Fatal(err)
		}
		m := tree(doc).(map[string]any)
		out := map[string]any{}
		for v := range recorded {
			out[v] = strip(m[v])
		}
		return out
	}
	if d := cmp.Diff(load(orig), load(rec)); d != "" {
		t.Errorf("the exports differ beyond credentials (-original +recording):\n%s", d)
	}
}

// tree is a YAML node as plain values, in one pass (yaml.v3's decoding
// into interfaces checks keys pairwise: minutes on 10,000 users).
func tree(n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		return tree(n.Content[0])
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = tree(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			l = append(l, tree(c))
		}
		return l
	}
	return n.Value
}

func strip(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if !credentialKeys[k] {
				out[k] = strip(e)
			}
		}
		return out
	case []any:
		for i := range x {
			x[i] = strip(x[i])
		}
	}
	return v
}

func recordedVendors(sum *record.Summary) map[string]bool {
	out := map[string]bool{}
	for _, v := range sum.Vendors {
		if v.Skipped == "" {
			out[v.Vendor] = true
		}
	}
	return out
}

// TestRecordingServesTheSameWorld: every built-in scenario, recorded over
// HTTP and served, answers every read call of every vendor the same, and
// exports the same world but for the credentials.
func TestRecordingServesTheSameWorld(t *testing.T) {
	em, err := emulator.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range em.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			vars := emulatorVars(t)
			if sc.Name == "sandbox" {
				vars = sandboxVars(t)
			}
			f, err := scenarios.Builtin(sc.Name)
			if err != nil {
				t.Fatal(err)
			}
			var vendors []string
			for _, v := range emulator.Vendors() {
				if _, ok := f.Sections[v]; ok && !refusesOnPurpose(sc.Name, v) {
					vendors = append(vendors, v)
				}
			}
			orig := serve(t, emulator.WithScenario(sc.Name), vars)
			if len(vendors) == 0 {
				refused(t, orig, sc.Name)
				return
			}
			rec, _, sum := recordWorld(t, orig, vendors...)
			recorded := recordedVendors(sum)
			for _, v := range sum.Vendors {
				if v.Skipped != "" {
					t.Errorf("%s not recorded: %s", v.Vendor, v.Skipped)
				}
			}
			if n := sameReads(t, orig, rec, recorded); n < len(recorded) {
				t.Errorf("only %d reads compared for %d vendors", n, len(recorded))
			}
			sameExports(t, orig, rec, recorded)
		})
	}
}

// refused holds that a scenario whose point is a credential that does not
// work is not recorded, and says why.
func refused(t *testing.T, w world, scenario string) {
	t.Helper()
	vendor, _, _ := strings.Cut(scenario, "-")
	_, sum, err := record.Record(context.Background(), record.Options{Target: w.url, Vars: w.vars, Vendors: []string{vendor}}, io.Discard)
	if err == nil || len(sum.Vendors) != 1 || sum.Vendors[0].Skipped == "" {
		t.Fatalf("a %s world was recorded: %v %+v", scenario, err, sum)
	}
}

// refusesOnPurpose: scenarios whose point is that the vars' credential
// does not work for one vendor (an expired token, one without the role).
func refusesOnPurpose(scenario, vendor string) bool {
	return strings.HasPrefix(scenario, vendor+"-") && (strings.HasSuffix(scenario, "-expired-token") ||
		strings.HasSuffix(scenario, "-not-admin"))
}

// TestRecordingIsTheSameFileTwice: one tenant recorded twice gives the
// same bytes (keys in order, nothing random), so recordings diff.
func TestRecordingIsTheSameFileTwice(t *testing.T) {
	orig := serve(t, emulator.WithScenario("default"), emulatorVars(t))
	var first []byte
	for i := range 2 {
		var out bytes.Buffer
		if _, _, err := record.Record(context.Background(), record.Options{Target: orig.url, Vars: orig.vars}, &out); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = out.Bytes()
		} else if !bytes.Equal(first, out.Bytes()) {
			t.Errorf("two recordings of one tenant differ:\n%s", cmp.Diff(string(first), out.String()))
		}
	}
	if len(first) < 1000 {
		t.Fatalf("a recording of %d bytes", len(first))
	}
}
