package specs

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestEverySpecLoadsAndValidates(t *testing.T) {
	names := Names()
	if len(names) == 0 {
		t.Fatal("no specs embedded")
	}
	for _, name := range names {
		doc, err := Load(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if doc.Paths.Len() == 0 {
			t.Errorf("%s: no paths", name)
		}
	}
}

func TestBrokenExampleIsRejected(t *testing.T) {
	doc := []byte(`openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /x:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: object, required: [a], properties: {a: {type: integer}}}
              example: {a: "not a number"}
`)
	if _, err := Parse("broken", doc); err == nil {
		t.Fatal("a spec whose example breaks its schema loaded without error")
	}
}

// TestREADMEListsEveryOperation: the table of emulated operations
// (docs/operations.md, which README links) names every operationId of
// every spec, so the two cannot drift apart.
func TestREADMEListsEveryOperation(t *testing.T) {
	readme, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Names() {
		raw, err := Raw(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Parse(name, raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				row := "| " + name + " | `" + op.OperationID + "` |"
				if !strings.Contains(string(readme), row) {
					t.Errorf("docs/operations.md's table has no row %q", row)
				}
			}
		}
	}
}

// TestRouteTableIsCurrent: the generated route table is what the specs
// say; after editing a spec, run go generate ./specs.
func TestRouteTableIsCurrent(t *testing.T) {
	for _, name := range Names() {
		doc, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Extract(doc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Routes(name)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: routes_gen.go is stale (go generate ./specs):\n got %v\nwant %v", name, got, want)
		}
	}
	for _, name := range Names() {
		doc, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		if want, got := ExtractResponseHeaders(doc), ResponseHeaders(name); !slices.Equal(got, want) {
			t.Errorf("%s: routes_gen.go's response headers are stale (go generate ./specs): got %v, want %v", name, got, want)
		}
	}
	if _, err := Routes("nope"); err == nil {
		t.Error("a spec that is not embedded has routes")
	}
}

// TestNoDuplicateKeys: a key written twice in a spec is kept once by
// kin-openapi's loader, so the first silently loses; yaml.v3 refuses it.
func TestNoDuplicateKeys(t *testing.T) {
	for _, name := range Names() {
		raw, err := Raw(name)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := yaml.Unmarshal(raw, &v); err != nil {
			t.Errorf("%s.yaml: %v", name, err)
		}
	}
	var v any
	if err := yaml.Unmarshal([]byte("a:\n  b: 1\n  b: 2\n"), &v); err == nil {
		t.Error("yaml.v3 took a duplicate key; this test proves nothing")
	}
}

// TestComponentNamesAreDistinct: generators give every component a type of
// its name, whatever its kind; oapi-codegen stops on a schema and a
// response of one name ("duplicate typename").
func TestComponentNamesAreDistinct(t *testing.T) {
	for _, name := range Names() {
		doc, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		add := func(kind string, names []string) {
			for _, n := range names {
				key := strings.ToLower(n)
				if prev, ok := seen[key]; ok {
					t.Errorf("%s: %s %s and %s share a name", name, prev, n, kind)
				}
				seen[key] = kind + " " + n
			}
		}
		c := doc.Components
		add("schema", slices.Collect(maps.Keys(c.Schemas)))
		add("response", slices.Collect(maps.Keys(c.Responses)))
		add("parameter", slices.Collect(maps.Keys(c.Parameters)))
		add("requestBody", slices.Collect(maps.Keys(c.RequestBodies)))
		add("header", slices.Collect(maps.Keys(c.Headers)))
	}
}
