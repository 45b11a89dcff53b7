package drift

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocsRulesFileReads: the rules file docs/drift.md shows reads, and
// its paths match what they say.
func TestDocsRulesFileReads(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "drift.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "TestDocsRulesFileReads reads it) -->\n```yaml\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/drift.md has no rules block")
	}
	rules, err := ReadRules("docs/drift.md", []byte(block))
	if err != nil || len(rules) != 3 {
		t.Fatalf("%v (%d rules)", err, len(rules))
	}
	cases := []struct {
		vendor, path string
		ignored      bool
		t, e         string
		volatile     bool
	}{
		{"securid", "body.users[3].email", false, `"ab@x.io"`, `"cd@y.io"`, true},
		{"securid", "body.users[3].email", false, `"ab@x.io"`, `"abc@y.io"`, false},
		{"commvault", "body/App_GetUserPropertiesResponse/users[0]/@description", true, "a", "b", true},
		{"commvault", "body/@description", true, "a", "b", true},
		{"huawei", "body.data[0].updated", false, "1", "2", true},
		{"huawei", "body.updated", false, "1", "2", true}, // ** is any run of keys, none included
		{"huawei", "body.data[0].updated", false, "1", `"2"`, false},
		{"huawei", "body.data[0].name", false, `"a"`, `"b"`, false},
	}
	for _, c := range cases {
		rs := forVendor(c.vendor, rules)
		if rs.ignored(c.path) != c.ignored || rs.volatile(c.path, c.t, c.e) != c.volatile {
			t.Errorf("%s %s %s/%s: ignored %v volatile %v", c.vendor, c.path, c.t, c.e, rs.ignored(c.path), rs.volatile(c.path, c.t, c.e))
		}
	}
	if _, err := ReadRules("bad", []byte(`[{path: x, match: maybe}]`)); err == nil {
		t.Error("a rule that matches maybe was read")
	}
}
