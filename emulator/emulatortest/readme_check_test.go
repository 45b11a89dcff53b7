package emulatortest_test

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEShowsThisFile: README's "Using it from Go tests" shows this
// file as it is, so the test a reader copies compiles and passes.
func TestREADMEShowsThisFile(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "## Using it from Go tests")
	_, block, ok2 := strings.Cut(section, "```go\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README has no Go block under \"Using it from Go tests\"")
	}
	if block != string(self) {
		t.Errorf("README's Go test differs from readme_test.go; copy the file into README")
	}
}
