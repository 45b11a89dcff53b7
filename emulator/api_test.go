package emulator_test

import (
	"bytes"
	"flag"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var updateAPI = flag.Bool("update-api", false, "rewrite api/*.txt from the code (a deliberate change of the Go API)")

// apiPackages are the packages whose exported API users build on.
var apiPackages = []string{"emulator", "emulator/engine", "emulator/control", "emulator/remote", "emulator/emulatortest",
	"emulator/kit", "emulator/kit/table", "emulator/journal", "emulator/faults", "emulator/store", "scenarios", "testsuite", "testsuite/record", "testsuite/drift"}

// TestExportedAPIIsDeliberate: every exported declaration of the packages
// users build on is listed in api/, one file a package, so that a change
// to the Go API shows as a diff of those files in review (regenerate with
// go test ./emulator -run TestExportedAPIIsDeliberate -update-api).
func TestExportedAPIIsDeliberate(t *testing.T) {
	for _, pkg := range apiPackages {
		got := exportedAPI(t, filepath.Join("..", pkg))
		file := filepath.Join("..", "api", strings.ReplaceAll(pkg, "/", ".")+".txt")
		if *updateAPI {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%s: %v (run with -update-api)", pkg, err)
		}
		if got != string(want) {
			t.Errorf("the exported API of %s changed; if that is meant, run with -update-api and review %s:\n%s", pkg, file, lineDiff(string(want), got))
		}
	}
}

// exportedAPI lists a package's exported declarations, without comments
// or bodies, sorted.
func exportedAPI(t *testing.T, dir string) string {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, p := range pkgs {
		d := doc.New(p, dir, 0)
		print := func(node any) {
			var b bytes.Buffer
			if err := printer.Fprint(&b, fset, node); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, strings.Join(strings.Fields(b.String()), " "))
		}
		for _, v := range append(d.Consts, d.Vars...) {
			v.Decl.Doc = nil
			stripDocs(v.Decl)
			print(v.Decl)
		}
		for _, f := range d.Funcs {
			f.Decl.Doc, f.Decl.Body = nil, nil
			print(f.Decl)
		}
		for _, ty := range d.Types {
			ty.Decl.Doc = nil
			stripDocs(ty.Decl)
			print(ty.Decl)
			for _, v := range append(ty.Consts, ty.Vars...) {
				stripDocs(v.Decl)
				print(v.Decl)
			}
			for _, f := range append(ty.Funcs, ty.Methods...) {
				f.Decl.Doc, f.Decl.Body = nil, nil
				print(f.Decl)
			}
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// stripDocs drops the comments inside a declaration (field and value docs).
func stripDocs(d *ast.GenDecl) {
	d.Doc = nil
	ast.Inspect(d, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Field:
			x.Doc, x.Comment = nil, nil
		case *ast.ValueSpec:
			x.Doc, x.Comment = nil, nil
		case *ast.TypeSpec:
			x.Doc, x.Comment = nil, nil
		}
		return true
	})
}

// lineDiff lists the lines only one side has.
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
