package specs_test

import (
	"testing"

	"github.com/offboard/offboard/specs"
)

// TestCommvaultXMLEitherOrIsUnambiguous: under JSON-Schema semantics
// (any validator of XML read as JSON), an answer of Commvault's
// either-or XML schemas matches exactly one branch (issue 32 found good
// answers matching both).
func TestCommvaultXMLEitherOrIsUnambiguous(t *testing.T) {
	doc, err := specs.Load("commvault")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		schema string
		value  map[string]any
		branch int
	}{
		{"XmlUserPropertiesOrError", map[string]any{"users": []any{map[string]any{"email": "a@b"}}}, 0},
		{"XmlUserPropertiesOrError", map[string]any{}, 0}, // no users at all
		{"XmlUserPropertiesOrError", map[string]any{"errorCode": 2, "errorString": "User [x] does not exist."}, 1},
		{"XmlUserGroupsOrError", map[string]any{"userGroups": []any{map[string]any{"description": "d"}}}, 0},
		{"XmlUserGroupsOrError", map[string]any{"errorCode": 2, "errorString": "User group [x] does not exist."}, 1},
	}
	for _, c := range cases {
		ref := doc.Components.Schemas[c.schema]
		if ref == nil || len(ref.Value.OneOf) != 2 {
			t.Fatalf("%s: not a oneOf of two", c.schema)
		}
		var matched []int
		for i, b := range ref.Value.OneOf {
			if b.Value.VisitJSON(c.value) == nil {
				matched = append(matched, i)
			}
		}
		if len(matched) != 1 || matched[0] != c.branch {
			t.Errorf("%s %v matches branches %v, want only %d", c.schema, c.value, matched, c.branch)
		}
	}
}
