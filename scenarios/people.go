package scenarios

import (
	"gopkg.in/yaml.v3"
)

// PeopleKey is the top-level key of a scenario's people section.
const PeopleKey = "people"

// Person is one entry of a scenario's people section: someone who has an
// account in some of the vendors, named once so that offboarding them can
// be followed across all of them.
//
//	people:
//	  joe:
//	    arcgis: gis_joe
//	    onedata: a4d3bc73aada63052310652d421609f1
type Person struct {
	ID   string
	File string     // the file that names this person
	Key  *yaml.Node // the id, to position a mistake about the person
	// Accounts are the person's accounts, in the order the file gives
	// them; each vendor reads its own Node.
	Accounts []Account
}

// Account is the YAML naming a person's account in one vendor.
type Account struct {
	Vendor    string
	Key, Node *yaml.Node
}

// parsePeople reads a people section: a mapping of person ids, each a
// mapping of vendor names to what names the account there.
func parsePeople(path string, v *yaml.Node) ([]Person, error) {
	if v.Kind != yaml.MappingNode {
		return nil, &Error{File: path, Line: v.Line, Column: v.Column, Field: PeopleKey, Msg: "a mapping of person ids, each a mapping of vendors to that person's account"}
	}
	var out []Person
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, pv := v.Content[i], v.Content[i+1]
		field := PeopleKey + "." + k.Value
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			return nil, &Error{File: path, Line: k.Line, Column: k.Column, Field: PeopleKey, Msg: "a person's id is a non-empty string"}
		}
		if !ValidPersonID(k.Value) {
			return nil, &Error{File: path, Line: k.Line, Column: k.Column, Field: field, Msg: "a person's id is 1 to 64 letters, digits, '.', '_' or '-'"}
		}
		if pv.Kind != yaml.MappingNode || len(pv.Content) == 0 {
			return nil, &Error{File: path, Line: pv.Line, Column: pv.Column, Field: field, Msg: "a mapping of vendors to this person's account in each (arcgis: gis_joe), at least one"}
		}
		p := Person{ID: k.Value, File: path, Key: k}
		for j := 0; j+1 < len(pv.Content); j += 2 {
			p.Accounts = append(p.Accounts, Account{Vendor: pv.Content[j].Value, Key: pv.Content[j], Node: pv.Content[j+1]})
		}
		out = append(out, p)
	}
	return out, nil
}

// ValidPersonID tells an id a person may have: it goes in a URL path
// (/__admin/people/{id}) and a journal filter as it is.
func ValidPersonID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return id != "." && id != ".."
}

// layPeople lays over's people on base's: a person over names replaces
// base's entry of that id whole, anyone else is added after.
func layPeople(base, over []Person) []Person {
	if len(over) == 0 {
		return base
	}
	out := make([]Person, 0, len(base)+len(over))
	at := map[string]int{}
	for _, p := range base {
		at[p.ID] = len(out)
		out = append(out, p)
	}
	for _, p := range over {
		if i, ok := at[p.ID]; ok {
			out[i] = p
			continue
		}
		at[p.ID] = len(out)
		out = append(out, p)
	}
	return out
}
