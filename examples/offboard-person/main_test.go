package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/emulator/remote"
)

// CI runs these against the built binary as well:
// go test ./examples/offboard-person -offboard.url http://127.0.0.1:PORT.
var target = flag.String("offboard.url", "", "run against this emulator (the built binary) instead of one in-process")

// views are the doors a person's status is read through: the control
// API over HTTP always, and the Go API when the emulator is in-process.
type views struct {
	base  string
	doors map[string]emulatortest.Controller
}

func newViews(t *testing.T) views {
	t.Helper()
	if *target != "" {
		return views{base: *target, doors: map[string]emulatortest.Controller{"http": remote.New(*target)}}
	}
	srv := emulatortest.New(t)
	return views{base: srv.URL, doors: map[string]emulatortest.Controller{"http": remote.New(srv.URL), "go": srv.Emulator}}
}

// session is a test's own world of the people scenario.
func (v views) session(t *testing.T) *emulatortest.Session {
	t.Helper()
	s := emulatortest.NewSession(t, v.base, v.doors["http"])
	s.LoadScenario(t, "people")
	return s
}

// leaver is one person of the people scenario: the accounts the tool is
// told of, and how the people view reads them before and after the tool.
type leaver struct {
	args          []string
	before, after map[string]string // vendor -> "state: remaining; remaining"
	offboarded    bool
	blocked       map[string]string // vendor -> what the tool says stopped it
}

const (
	containerBob = "a running container c-gis-bob-1 (the delete is refused until it is terminated)"
	scimErin     = "identity source scim manages this user: only the identity provider may remove it (delete answers 405)"
)

func accounts(arcgisUser, cvUser, member, onedataUser, securidUser string) []string {
	var args []string
	if arcgisUser != "" {
		args = append(args, "--arcgis-user", arcgisUser, "--arcgis-admin", "siteadmin:siteadmin-password")
	}
	if cvUser != "" {
		args = append(args, "--commvault-user", cvUser, "--commvault-heir", "kim", "--commvault-admin", "admin:admin-password")
	}
	if member != "" {
		args = append(args, "--huawei-member", "demo-project/demo-workspace/"+member, "--huawei-token", "demo-token")
	}
	args = append(args, "--onedata-user", onedataUser, "--onedata-admin", "admin:password",
		"--securid-user", securidUser, "--securid-key", "../../emulator/vendors/securid/testdata/test-key.pem",
		"--securid-access-id", "offboard-test-access-id", "--backoff", "50ms")
	return args
}

func everyone(state string, except map[string]string) map[string]string {
	out := map[string]string{"arcgis": state, "commvault": state, "huawei": state, "onedata": state, "securid": state}
	maps.Copy(out, except)
	return out
}

var gone = everyone("gone", nil)

var leavers = map[string]leaver{
	"ann": {args: accounts("gis_ann", "asmith", "0a11a11a11a11a11a11a11a11a11a11a", "0a000000000000000000000000000a11", "0a11ce00-0000-4000-8000-000000000001"),
		before: everyone("active", map[string]string{"securid": "disabled"}), after: gone, offboarded: true},
	"bob": {args: accounts("gis_bob", "bjones", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "0b000000000000000000000000000b0b", "0b0b0000-0000-4000-8000-000000000002"),
		before: everyone("active", map[string]string{"arcgis": "active: " + containerBob, "securid": "disabled"}), after: gone, offboarded: true},
	"carol": {args: accounts("gis_carol", "cwhite", "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c", "0c000000000000000000000000000c0c", "0c0c0000-0000-4000-8000-000000000003"),
		before: everyone("active", map[string]string{"securid": "disabled", "commvault": "active: " + strings.Join([]string{
			"alert Disk space low (owned still: ownership moves before the user goes)",
			"alert Job failed (owned still: ownership moves before the user goes)",
			"schedule policy Nightly backup (owned still: ownership moves before the user goes)",
			"workflow Offboarding approval (owned still: ownership moves before the user goes)",
			"member of user group Backup Operators"}, "; ")}),
		after: everyone("gone", map[string]string{"commvault": "gone; moved: alert Disk space low to user kim; alert Job failed to user kim; " +
			"schedule policy Nightly backup to user kim; workflow Offboarding approval to user kim"}), offboarded: true},
	"dave": {args: accounts("gis_dave", "dbrown", "0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d", "0d000000000000000000000000000d0d", "0d0d0000-0000-4000-8000-000000000004"),
		before: everyone("active", nil), after: gone, offboarded: true},
	"erin": {args: accounts("gis_erin", "egreen", "0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e", "0e000000000000000000000000000e0e", "0e0e0000-0000-4000-8000-000000000005"),
		before:  everyone("active", map[string]string{"securid": "disabled: " + scimErin}),
		after:   everyone("gone", map[string]string{"securid": "disabled: " + scimErin}),
		blocked: map[string]string{"securid": "the identity source manages this user (405): only the identity provider may remove it"}},
	"frank": {args: accounts("", "fblack", "", "0f000000000000000000000000000f0f", "0f0f0000-0000-4000-8000-000000000006"),
		before: everyone("none", map[string]string{"commvault": "active", "onedata": "active", "securid": "disabled"}),
		after:  everyone("none", map[string]string{"commvault": "gone", "onedata": "gone", "securid": "gone"}), offboarded: true},
}

// read lays a person out as the leaver table writes it.
func read(p emulator.Person) map[string]string {
	out := map[string]string{}
	for v, a := range p.Vendors {
		s := a.State
		if len(a.Remaining) > 0 {
			s += ": " + strings.Join(a.Remaining, "; ")
		}
		if len(a.Moved) > 0 {
			s += "; moved: " + strings.Join(a.Moved, "; ")
		}
		out[v] = s
	}
	return out
}

// expect holds a person's view, through every door, to the table.
func (v views) expect(t *testing.T, s *emulatortest.Session, id, when string, want map[string]string, offboarded bool) {
	t.Helper()
	for door, ctl := range v.doors {
		p, err := ctl.Person(s.ID, id)
		if err != nil {
			t.Fatalf("%s, %s: %v", when, door, err)
		}
		if got := read(p); !maps.Equal(got, want) || p.Offboarded != offboarded {
			t.Errorf("%s, through %s: offboarded %v, want %v\n got  %v\n want %v", when, door, p.Offboarded, offboarded, got, want)
		}
	}
}

// TestEveryLeaverEndsWhereThePeopleViewSays: for each leaver, the people
// view before the reference tool ran and after, vendor by vendor, through
// the control API and the Go API; the tool's exit code and what it says
// stopped it agree.
func TestEveryLeaverEndsWhereThePeopleViewSays(t *testing.T) {
	v := newViews(t)
	for _, id := range slices.Sorted(maps.Keys(leavers)) {
		l := leavers[id]
		t.Run(id, func(t *testing.T) {
			s := v.session(t)
			v.expect(t, s, id, "before", l.before, false)
			report, code := runTool(t, s, l.args)
			v.expect(t, s, id, "after", l.after, l.offboarded)
			if want := map[bool]int{true: 0, false: 1}[l.offboarded]; code != want {
				t.Errorf("the tool exited %d, want %d", code, want)
			}
			for _, o := range report {
				if reason, ok := l.blocked[o.Vendor]; ok != (o.Result == "blocked") || o.Reason != reason {
					t.Errorf("%s: the tool says %s %q, want blocked %v %q", o.Vendor, o.Result, o.Reason, ok, reason)
				}
			}
			if n := s.Count(t, emulator.Filter{Person: id}); n < 5 {
				t.Errorf("the journal tags %d requests with %s", n, id)
			}
		})
	}
}

// TestThroughFaults: a 429, a 500 and a dropped connection on the way do
// not change where the tool ends; the journal shows each retry.
func TestThroughFaults(t *testing.T) {
	v := newViews(t)
	s := v.session(t)
	s.AddFaults(t,
		emulator.Fault{Vendor: "onedata", Method: "DELETE", Status: 500, Times: 1},
		emulator.Fault{Vendor: "securid", Method: "DELETE", Status: 429, RetryAfter: 1, Times: 1},
		emulator.Fault{Vendor: "huawei", Operation: "deleteWorkspaceUsers", Drop: true, Times: 1},
		emulator.Fault{Vendor: "commvault", Method: "DELETE", Status: 500, Times: 2},
		emulator.Fault{Vendor: "arcgis", Operation: "terminateContainer", Drop: true, Times: 1})
	l := leavers["bob"]
	report, code := runTool(t, s, l.args)
	if code != 0 {
		t.Fatalf("the tool exited %d: %+v", code, report)
	}
	v.expect(t, s, "bob", "after faults", l.after, true)
	for vendor, want := range map[string]int{"onedata": 2, "securid": 2, "huawei": 2, "commvault": 3} {
		method := "DELETE"
		if vendor == "huawei" {
			method = "POST"
		}
		if n := s.Count(t, emulator.Filter{Vendor: vendor, Person: "bob", Method: method}); n != want {
			t.Errorf("%s: %d deletes of bob journaled, want %d (the first refused by its fault)", vendor, n, want)
		}
	}
}

// runTool runs the tool against the session and reads its JSON report.
func runTool(t *testing.T, s *emulatortest.Session, args []string) ([]outcome, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"--base", s.URL(), "--json"}, args...), &out, &errOut)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var report []outcome
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &report); err != nil {
		t.Fatalf("the tool's report: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	t.Logf("the tool said:\n%s%s", out.String(), errOut.String())
	return report, code
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "name at least one account"},
		{[]string{"--commvault-user", "x"}, "--commvault-heir"},
		{[]string{"--huawei-member", "a/b", "--huawei-token", "t"}, "PROJECT/WORKSPACE/USER_ID"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), c.args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errOut.String(), c.want)
		}
	}
}
