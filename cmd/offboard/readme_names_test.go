package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsNameWhatExists: every test, benchmark and fuzz target, every
// flag, every control endpoint and every file of the repository that
// README.md or a docs/ page names in backquotes exists (README once cited
// a test that had been renamed).
func TestDocsNameWhatExists(t *testing.T) {
	root := filepath.Join("..", "..")
	docs := []string{filepath.Join(root, "README.md")}
	pages, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	docs = append(docs, pages...)
	tests, source := repoIndex(t, root)
	spec, err := os.ReadFile(filepath.Join(root, "emulator", "control", "adminapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile("`([^`\n]+)`")
	testName := regexp.MustCompile(`^(Test|Benchmark|Fuzz)[A-Z][A-Za-z0-9_]*`)
	flagName := regexp.MustCompile(`(?:^|\s)(--[a-z][a-z-]+)`)
	endpoint := regexp.MustCompile(`^(?:GET |PUT |POST |DELETE |PATCH )?/__admin(/[A-Za-z0-9_./{}-]*)?`)
	filePath := regexp.MustCompile(`^(?:cmd|emulator|scenarios|specs|testsuite|tools|scripts|examples|docs|testcontainers|api)/[A-Za-z0-9_./-]+$`)
	// Names that are not ours to declare: other tools' flags (docker's),
	// cobra's own, an example test name, the console (served beside the
	// spec'd API, not in it).
	foreign := map[string]bool{"--help": true, "--version": true, "--read-only": true, "--build-arg": true, "--rm": true, "TestX": true}
	for _, doc := range docs {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(doc)
		for _, m := range code.FindAllStringSubmatch(string(text), -1) {
			span := m[1]
			if tn := testName.FindString(span); tn != "" && !tests[tn] && !foreign[tn] {
				t.Errorf("%s names %s, which no test file declares", name, tn)
			}
			for _, f := range flagName.FindAllStringSubmatch(span, -1) {
				if !foreign[f[1]] && !strings.Contains(source, `"`+strings.TrimPrefix(f[1], "--")+`"`) {
					t.Errorf("%s names the flag %s, which no command declares", name, f[1])
				}
			}
			if e := endpoint.FindStringSubmatch(span); e != nil && e[1] != "" && e[1] != "/" && !strings.HasSuffix(e[1], "...") && !strings.HasPrefix(e[1], "/ui") {
				if !hasEndpoint(string(spec), e[1]) {
					t.Errorf("%s names %s, which the control API's spec does not have", name, e[0])
				}
			}
			if filePath.MatchString(span) && !strings.ContainsAny(span, "{}*") {
				if _, err := os.Stat(filepath.Join(root, strings.TrimSuffix(span, "/"))); err != nil {
					t.Errorf("%s names the file %s, which does not exist", name, span)
				}
			}
		}
	}
}

// repoIndex reads every Go file: the test names they declare and the
// source of the commands (for flags).
func repoIndex(t *testing.T, root string) (map[string]bool, string) {
	t.Helper()
	tests := map[string]bool{}
	decl := regexp.MustCompile(`(?m)^func ((?:Test|Benchmark|Fuzz)[A-Za-z0-9_]*)\(`)
	var source strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == ".cache") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range decl.FindAllStringSubmatch(string(b), -1) {
			tests[m[1]] = true
		}
		if !strings.HasSuffix(p, "_test.go") {
			source.Write(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tests, source.String()
}

// hasEndpoint tells whether the control spec has a path matching p (the
// part after /__admin, its query left out; {x} matches any segment).
func hasEndpoint(spec, p string) bool {
	p, _, _ = strings.Cut(p, "?")
	p = strings.TrimSuffix(p, "/")
	segs := strings.Split(p, "/")
	for _, line := range strings.Split(spec, "\n") {
		if !strings.HasPrefix(line, "  /") || !strings.HasSuffix(line, ":") {
			continue
		}
		path := strings.TrimSuffix(strings.TrimSpace(line), ":")
		ps := strings.Split(path, "/")
		if len(ps) != len(segs) {
			continue
		}
		ok := true
		for i := range ps {
			if ps[i] != segs[i] && !strings.HasPrefix(ps[i], "{") && !strings.HasPrefix(segs[i], "{") {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// TestEveryControlEndpointIsDocumented: the other way round, every path
// of the control API's spec is named in README.md or docs/control.md
// (README once left /__admin/credentials/{vendor} out).
func TestEveryControlEndpointIsDocumented(t *testing.T) {
	root := filepath.Join("..", "..")
	spec, err := os.ReadFile(filepath.Join(root, "emulator", "control", "adminapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var docs strings.Builder
	for _, f := range []string{"README.md", filepath.Join("docs", "control.md")} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		docs.Write(b)
	}
	paths := regexp.MustCompile(`(?m)^  (/[^:\s]*):\s*$`).FindAllStringSubmatch(string(spec), -1)
	if len(paths) < 15 {
		t.Fatalf("only %d paths read from the spec", len(paths))
	}
	for _, p := range paths {
		if !strings.Contains(docs.String(), "/__admin"+p[1]) {
			t.Errorf("/__admin%s is in the control API's spec but neither README.md nor docs/control.md names it", p[1])
		}
	}
}
