package scenarios_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/scenarios"
	"github.com/offboard/offboard/scenarios/scenariotest"
)

func TestParseErrorsArePositioned(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"empty", "", "f.yaml:1:1: empty scenario file"},
		{"not a mapping", "- a\n- b\n", "f.yaml:1:1: a scenario is a mapping"},
		{"two documents", "name: a\n---\nname: b\n", "f.yaml:2:1: a file holds one YAML document"},
		{"name twice", "name: a\nname: b\n", "f.yaml:2:1: name: appears twice"},
		{"section twice", "onedata: {}\nonedata: {}\n", "f.yaml:2:1: onedata: appears twice"},
		{"name not a string", "name: [a]\n", "f.yaml:1:7: name: must be a string"},
		{"unknown base", "extends: nope\n", `f.yaml:1:10: extends: no built-in scenario "nope"`},
		{"syntax", "onedata: {\n", "f.yaml:"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := scenarios.Parse("f.yaml", []byte(c.yaml))
			var se *scenarios.Error
			if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got %v, want an error starting %q", err, c.want)
			}
		})
	}
}

func TestExtends(t *testing.T) {
	f, err := scenarios.Parse("mine.yaml", []byte("name: mine\nextends: default\nfaults:\n  - {status: 500}\nonedata:\n  users: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	base, err := scenarios.Builtin("default")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "mine" || f.Extends != "default" {
		t.Errorf("name %q extends %q", f.Name, f.Extends)
	}
	// Sections the file names are its own; the rest come from the base.
	if f.Sections["onedata"].File != "mine.yaml" || f.Sections["faults"].File != "mine.yaml" {
		t.Errorf("the file's sections: %+v", f.Sections)
	}
	for _, v := range []string{"arcgis", "commvault", "huawei", "securid"} {
		if f.Sections[v].Node != base.Sections[v].Node && f.Sections[v].File != "builtin:default" {
			t.Errorf("%s does not come from the base", v)
		}
	}
	want := append(append([]string{}, base.Order...), "faults")
	if diff := cmp.Diff(want, f.Order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestOpenAndIsPath(t *testing.T) {
	for ref, want := range map[string]bool{"default": false, "my.yaml": true, "dir/x": true, `c:\x`: true, "x.yml": true} {
		if got := scenarios.IsPath(ref); got != want {
			t.Errorf("IsPath(%q) = %v", ref, got)
		}
	}
	file := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(file, []byte("description: on disk\nonedata: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := scenarios.Open(file)
	if err != nil || f.Name != "s" || f.Description != "on disk" {
		t.Fatalf("%+v %v", f, err)
	}
	if _, err := scenarios.Open("no-such-builtin"); err == nil || !strings.Contains(err.Error(), "built-in: ") {
		t.Errorf("unknown built-in: %v", err)
	}
}

// TestMergeLaterReplacesEarlier: --scenario default --scenario my.yaml
// lays my.yaml's sections over default's, section by section, as extends
// does (issue 14).
func TestMergeLaterReplacesEarlier(t *testing.T) {
	a, _ := scenarios.Parse("a.yaml", []byte("onedata: {users: {}}\nfaults: [{vendor: onedata, status: 500}]\n"))
	b, _ := scenarios.Parse("b.yaml", []byte("arcgis: {}\n"))
	c, _ := scenarios.Parse("c.yaml", []byte("onedata: {tokens: {}}\nfaults: []\n"))
	m, err := scenarios.Merge(a, b, c)
	if err != nil || len(m.Sections) != 3 {
		t.Fatalf("%+v %v", m, err)
	}
	if m.Sections["onedata"].File != "c.yaml" || m.Sections["faults"].File != "c.yaml" || m.Sections["arcgis"].File != "b.yaml" {
		t.Errorf("sections from %s, %s, %s", m.Sections["onedata"].File, m.Sections["faults"].File, m.Sections["arcgis"].File)
	}
	if strings.Join(m.Order, ",") != "onedata,faults,arcgis" {
		t.Errorf("order %v", m.Order)
	}
	if m.Name != "a+b+c" {
		t.Errorf("name %q", m.Name)
	}
}

func TestBuiltinsAreListedWithDescriptions(t *testing.T) {
	list := scenarios.Builtins()
	if len(list) < 10 {
		t.Fatalf("%d built-ins", len(list))
	}
	for _, s := range list {
		if s.Description == "" || strings.HasPrefix(s.Description, "(broken") {
			t.Errorf("%s: %q", s.Name, s.Description)
		}
	}
}

// TestCostlyYAMLIsRefusedBeforeDecoding: the control API's and the
// loader's YAML is bounded on its node tree, in one linear pass, before
// any decoder sees it (issue 13, finding 1).
func TestCostlyYAMLIsRefusedBeforeDecoding(t *testing.T) {
	var dupKeys strings.Builder
	dupKeys.WriteString("onedata:\n  users:\n")
	for range 4000 {
		dupKeys.WriteString("    a4d3bc73aada63052310652d421609f1: {}\n")
	}
	cases := []struct {
		name, yaml, want string
	}{
		{"alias bomb 300x300", scenariotest.AliasBomb(300), "expands to over"},
		{"alias bomb 9x9", scenariotest.AliasBomb(9), "expands to over"},
		{"4,000 identical keys", dupKeys.String(), "f.yaml:4:5: a4d3bc73aada63052310652d421609f1: appears twice"},
		{"nested duplicate", "onedata:\n  users:\n    u1: {username: a, username: b}\n", "f.yaml:3:23: username: appears twice"},
		{"self-referencing anchor", "onedata: &a {x: *a}\n", "contains an alias to itself"},
		{"too deep", "onedata: " + strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n", "nested deeper than"},
		{"too large", "name: big\ndescription: " + strings.Repeat("x", scenarios.MaxBytes) + "\n", "f.yaml:1:1: over"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := scenarios.Parse("f.yaml", []byte(c.yaml))
			var se *scenarios.Error
			if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
	// A document that repeats itself legitimately, within the budget, loads.
	ok := "name: anchors\nonedata:\n  users:\n    u1: &u {username: a}\n    u2: *u\n"
	if _, err := scenarios.Parse("ok.yaml", []byte(ok)); err != nil {
		t.Fatalf("a small alias was refused: %v", err)
	}
}

// TestSyntaxErrorsWhereTheParserIs: a syntax error names the line and
// column the parser stopped at (yaml.v3 alone names where the enclosing
// construct began) and shows that line with a caret.
func TestSyntaxErrorsWhereTheParserIs(t *testing.T) {
	for _, c := range []struct {
		yaml, want string
	}{
		{"name: x\nonedata:\n  users:\n    u1: {username: joe, privileges: [a, b]\n    u2: {username: ann}\n",
			"f.yaml:5:5: did not find expected ',' or '}' (in a flow mapping that starts at 4:9)\n    5 |     u2: {username: ann}\n      |     ^"},
		{"name: x\nonedata:\n  users:\n    u1: {username: joe}\n     bad: indent\n",
			"f.yaml:5:6: did not find expected key (in a block mapping that starts at 4:5)\n    5 |      bad: indent\n      |      ^"},
		{"name: x\nonedata:\n\tusers: {}\n", "f.yaml:3:1: found character that cannot start any token\n    3 | \tusers: {}\n      | ^"},
	} {
		_, err := scenarios.Parse("f.yaml", []byte(c.yaml))
		if err == nil || err.Error() != c.want {
			t.Errorf("%q:\n got %v\nwant %s", c.yaml, err, c.want)
		}
	}
}

// TestExtendsAFile: a scenario file on disk may extend another file (a
// recording kept as a base), relative to its own directory; YAML that is
// not read from disk (posted to the control API) may not.
func TestExtendsAFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("base.yaml", "name: base\nextends: default\nonedata:\n  users: {}\n")
	overlay := write("mine.yaml", "name: mine\nextends: ./base.yaml\nhuawei:\n  tokens: {}\n")
	f, err := scenarios.Open(overlay)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"onedata", "huawei", "arcgis", "securid", "commvault"} {
		if _, ok := f.Sections[want]; !ok {
			t.Errorf("the chain mine -> base.yaml -> default has no %s section (order %v)", want, f.Order)
		}
	}
	if got := f.Sections["onedata"].File; got != filepath.Join(dir, "base.yaml") {
		t.Errorf("onedata comes from %q, want base.yaml", got)
	}
	cases := []struct{ name, text, want string }{
		{"posted YAML", "extends: ./base.yaml\n", "only a scenario file on disk"},
		{"a missing file", "", "not a readable file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.text != "" {
				_, err = scenarios.Parse(filepath.Join(dir, "posted.yaml"), []byte(c.text))
			} else {
				_, err = scenarios.Open(write("gone.yaml", "extends: ./nowhere.yaml\n"))
			}
			var e *scenarios.Error
			if !errors.As(err, &e) || !strings.Contains(e.Msg, c.want) || e.Line != 1 || e.Field != "extends" {
				t.Errorf("got %v, want a positioned error saying %q", err, c.want)
			}
		})
	}
}

// TestOverlaysAddToTheirBase: a vendor's section laid over a base's adds
// to it key by key, all the way down (a SecurID user added, default's API
// keys kept); !replace takes the place of a whole section or of one
// mapping in it; the faults list is replaced; each node keeps its file.
func TestOverlaysAddToTheirBase(t *testing.T) {
	keys := func(n *yaml.Node, path ...string) []string {
		for _, p := range path {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == p {
					n = n.Content[i+1]
					break
				}
			}
		}
		var out []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			out = append(out, n.Content[i].Value)
		}
		return out
	}
	f, err := scenarios.Parse("mine.yaml", []byte(`extends: default
securid:
  users:
    new-user: {userStatus: Disabled}
onedata:
  users: !replace
    only: {username: only}
commvault: !replace
  users:
    1: {name: admin}
`))
	if err != nil {
		t.Fatal(err)
	}
	sd := f.Sections["securid"]
	if got := keys(sd.Node, "apiKeys"); !slices.Contains(got, "offboard-test-access-id") {
		t.Errorf("securid's API keys: %v, want default's kept", got)
	}
	if got := keys(sd.Node, "users"); !slices.Contains(got, "new-user") || !slices.Contains(got, "eb2e12ae-1112-451b-98e1-dfe4e6afd60d") {
		t.Errorf("securid's users: %v, want default's and the new one", got)
	}
	if got := keys(f.Sections["onedata"].Node, "users"); !slices.Equal(got, []string{"only"}) {
		t.Errorf("onedata's users: %v, want only the !replace ones", got)
	}
	if got := keys(f.Sections["onedata"].Node); !slices.Contains(got, "tokens") {
		t.Errorf("onedata: %v, want default's tokens kept beside the replaced users", got)
	}
	if got := keys(f.Sections["commvault"].Node); !slices.Equal(got, []string{"users"}) {
		t.Errorf("commvault: %v, want the !replace section alone", got)
	}
	// Where each node came from.
	var newUser, oldKey *yaml.Node
	for i, n := range sd.Node.Content {
		if n.Value == "users" {
			newUser = sd.Node.Content[i+1]
		}
		if n.Value == "apiKeys" {
			oldKey = n
		}
	}
	if newUser == nil || oldKey == nil {
		t.Fatal("the laid section lost users or apiKeys")
	}
	if got := sd.FileOf(oldKey); got != "builtin:default" {
		t.Errorf("apiKeys is from %q, want builtin:default", got)
	}
	if got := sd.FileOf(newUser.Content[len(newUser.Content)-1]); got != "mine.yaml" {
		t.Errorf("the new user is from %q, want mine.yaml", got)
	}
}

// TestBuiltinDescriptionsNameTheirOwnWorld: every user, container, id or
// workspace a built-in's description names is in that scenario's world
// (its own file or the one it extends), so a description never sends a
// reader to a user the world does not have; only a user a description
// says is absent may be.
func TestBuiltinDescriptionsNameTheirOwnWorld(t *testing.T) {
	names := regexp.MustCompile(`\b(gis_[a-z]+|c-[a-z0-9-]+[0-9]|[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|demo[_-][a-z]+|jsmith|kjones)\b`)
	absent := map[string]string{"onedata-unknown-user": "a4d3bc73aada63052310652d421609f1"}
	var world func(name string) string
	world = func(name string) string {
		src, err := scenarios.BuiltinSource(name)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(src, &doc); err != nil {
			t.Fatal(err)
		}
		base, _ := doc["extends"].(string)
		delete(doc, "description")
		out, err := yaml.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if base != "" {
			return string(out) + world(base)
		}
		return string(out)
	}
	checked := 0
	for _, info := range scenarios.Builtins() {
		w := world(info.Name)
		for _, name := range names.FindAllString(info.Description, -1) {
			checked++
			if !strings.Contains(w, name) && absent[info.Name] != name {
				t.Errorf("%s: the description names %s, which its world does not have", info.Name, name)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d names checked", checked)
	}
	// Who has a running container is what a frontend page about it picks:
	// each such user is named by the scenario that gives them one.
	for _, info := range scenarios.Builtins() {
		src, _ := scenarios.BuiltinSource(info.Name)
		var doc struct {
			ArcGIS struct {
				Users map[string]struct {
					Containers []string `yaml:"containers"`
				} `yaml:"users"`
			} `yaml:"arcgis"`
		}
		if err := yaml.Unmarshal(src, &doc); err != nil {
			t.Fatal(err)
		}
		for user, u := range doc.ArcGIS.Users {
			if len(u.Containers) > 0 && !strings.Contains(info.Description, user) {
				t.Errorf("%s: %s has a running container, which the description does not say", info.Name, user)
			}
		}
	}
}
