package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/offboard/offboard/emulator"
)

// TestEveryControlEndpointHasAGoMethod: what the HTTP door can do, a Go
// test can do. Every operation of the control API's spec names, in
// x-go-method, the Emulator method that does the same, and it exists.
func TestEveryControlEndpointHasAGoMethod(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	em, err := emulator.New()
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(em.ControlSpec(), &doc); err != nil {
		t.Fatal(err)
	}
	api := reflect.TypeFor[*emulator.Emulator]()
	ops := 0
	for path, item := range doc.Paths {
		for method, node := range item {
			if method == "parameters" {
				continue
			}
			var op struct {
				OperationID string `yaml:"operationId"`
				GoMethod    string `yaml:"x-go-method"`
			}
			if err := node.Decode(&op); err != nil {
				t.Fatal(err)
			}
			ops++
			if op.GoMethod == "" {
				t.Errorf("%s %s (%s) names no x-go-method", method, path, op.OperationID)
				continue
			}
			if _, ok := api.MethodByName(op.GoMethod); !ok {
				t.Errorf("%s %s (%s): Emulator has no method %s", method, path, op.OperationID, op.GoMethod)
			}
		}
	}
	if ops < 20 {
		t.Fatalf("only %d operations read", ops)
	}
}

// pkg is what go list says of a package.
type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

func listPackages(t *testing.T) map[string]pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps=false", "-json", "github.com/offboard/offboard/...").Output()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("go list: %v (CI has the toolchain: the layers must be checked there)", err)
		}
		t.Skipf("go list: %v (no go command here; CI checks the layers)", err)
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[strings.TrimPrefix(p.ImportPath, "github.com/offboard/offboard/")] = p
	}
	return pkgs
}

// TestImportLayers holds the shape of the code: imports flow one way
// (cmd -> emulator -> control -> engine -> journal, faults, store,
// vendors -> kit), the control API reaches the engine only through its
// exported API, and the journal and faults know nothing of HTTP or YAML,
// not even through what they import.
func TestImportLayers(t *testing.T) {
	pkgs := listPackages(t)
	const mod = "github.com/offboard/offboard/"
	ours := func(p pkg) []string {
		var out []string
		for _, imp := range p.Imports {
			if rest, ok := strings.CutPrefix(imp, mod); ok {
				out = append(out, rest)
			}
		}
		return out
	}
	allowed := map[string][]string{ // package: the packages of ours it may import
		"emulator/journal":          {},
		"emulator/faults":           {},
		"emulator/kit":              {},
		"emulator/kit/table":        {},
		"emulator/signing":          {},
		"emulator/xmlschema":        {},
		"emulator/remote":           {"emulator/engine", "emulator/faults", "emulator/journal", "scenarios"},
		"emulator/store":            {"emulator/kit"},
		"emulator/engine":           {"emulator/journal", "emulator/faults", "emulator/kit", "emulator/kit/table", "emulator/internal/ownjson", "emulator/store", "emulator/vendors", "emulator/xmlschema", "scenarios", "specs"},
		"emulator/control":          {"emulator/engine", "emulator/internal/ownjson", "emulator/journal", "emulator/kit", "emulator/console", "scenarios"},
		"emulator":                  {"emulator/control", "emulator/engine", "emulator/journal", "emulator/faults", "emulator/kit"},
		"emulator/console":          {},
		"testsuite":                 {"emulator", "emulator/signing"},
		"testsuite/conformance":     {"emulator/xmlschema"}, // an oracle of its own: HTTP and the specs only
		"scenarios":                 {},
		"emulator/internal/ownjson": {},
		"specs":                     {},
		"emulator/vendors":          {"emulator/vendors/arcgis", "emulator/vendors/commvault", "emulator/vendors/huawei", "emulator/vendors/onedata", "emulator/vendors/securid", "emulator/kit"},
		"emulator/emulatortest":     {"emulator", "emulator/journal", "emulator/faults"},
	}
	for name, may := range allowed {
		p, ok := pkgs[name]
		if !ok {
			t.Errorf("package %s not found", name)
			continue
		}
		for _, imp := range ours(p) {
			if !slices.Contains(may, imp) {
				t.Errorf("%s imports %s; it may import only %v", name, imp, may)
			}
		}
	}
	for name, p := range pkgs {
		if strings.HasPrefix(name, "emulator/vendors/") {
			for _, imp := range ours(p) {
				if imp != "emulator/kit" && imp != "emulator/kit/table" && imp != "emulator/signing" {
					t.Errorf("vendor %s imports %s: a vendor imports kit (its table helpers and signing) only", name, imp)
				}
			}
		}
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", mod+"emulator/journal", mod+"emulator/faults").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "net/http" || strings.HasPrefix(dep, "net/http/") || strings.Contains(dep, "yaml") {
			t.Errorf("journal or faults depend on %s", dep)
		}
	}
}

// maxGoLines bounds a Go file: a file that grows past it holds more than
// one concern and is split by concern, not by cutting.
const maxGoLines = 400

// TestNoGoFileIsTooLong walks the repository (every module in it).
func TestNoGoFileIsTooLong(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != root || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		checked++
		if n := bytes.Count(data, []byte("\n")); n > maxGoLines {
			rel, _ := filepath.Rel(root, p)
			t.Errorf("%s has %d lines, more than %d: split it by concern", rel, n, maxGoLines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d Go files found under %s", checked, root)
	}
}
