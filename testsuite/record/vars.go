package record

import (
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/offboard/offboard/scenarios"
)

// plainVars are the variables that name things, not secrets: they pass
// into the vars record writes unchanged. Every other variable is either
// replaced by the recording's own credential or left out.
var plainVars = map[string]bool{
	"arcgis.admin": true, "arcgis.admin114": true, "arcgis.user": true, "arcgis.login.username": true,
	"commvault.root": true, "commvault.username": true, "commvault.group": true, "commvault.groupName": true,
	"huawei.project": true, "huawei.workspace": true, "huawei.member": true, "huawei.memberName": true, "huawei.user": true,
	"onedata.adminId": true, "onedata.user": true, "onedata.other": true,
	"securid.base": true, "securid.user": true, "securid.enabled": true, "securid.pending": true,
	"securid.scim": true, "securid.azure": true,
}

// outVars are the variables that match the recording: the plain ones of
// the recorded vendors, then the recording's credentials. It notes in the
// summary what it replaced and what it left out.
func (s *Summary) outVars(in, minted map[string]string, chosen []string) map[string]string {
	recorded := map[string]bool{}
	for _, v := range s.Vendors {
		recorded[v.Vendor] = v.Skipped == "" && slices.Contains(chosen, v.Vendor)
	}
	out := map[string]string{}
	for k, v := range in {
		vendor, _, _ := strings.Cut(k, ".")
		switch {
		case !recorded[vendor]:
		case minted[k] != "":
			s.Redacted = append(s.Redacted, k)
		case plainVars[k]:
			out[k] = v
		default:
			s.Dropped = append(s.Dropped, k)
		}
	}
	for k, v := range minted {
		out[k] = v
	}
	slices.Sort(s.Redacted)
	slices.Sort(s.Dropped)
	return out
}

// WriteVars writes variables as a vars file: one a line in name order,
// every value quoted, a list where the value is one (ids joined by
// commas, as ReadVars joins a YAML list).
func WriteVars(w io.Writer, vars map[string]string) error {
	if _, err := io.WriteString(w, "# Variables that match a recording by `offboard record`: its own\n# credentials, and the tenant's ids and paths.\n"); err != nil {
		return err
	}
	sw := scenarios.NewWriter(w)
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		if v := vars[k]; strings.Contains(v, ",") && !strings.ContainsAny(v, "\n ") {
			sw.Field(k, strings.Split(v, ","))
		} else {
			sw.Field(k, v)
		}
	}
	return sw.Close()
}

// IsSecret tells a variable that may hold a credential from one that
// names things: a report or a file keeps only the latter.
func IsSecret(name string) bool { return !plainVars[name] }
