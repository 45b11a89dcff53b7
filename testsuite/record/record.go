// Package record reads a live vendor tenant (or several) through the read
// calls the vendors' own clients make and writes a scenario that
// `offboard serve --scenario FILE` loads into the same vendor-visible
// world, with credentials of its own: no secret of the tenant or of the
// variables is written.
//
// It is a client: it speaks HTTP to a base URL and imports nothing of the
// engine. The target is untrusted as verify treats it.
package record

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/offboard/offboard/scenarios"
	"github.com/offboard/offboard/testsuite"
)

// Options say what to record.
type Options struct {
	// Target is the base URL the vendors' paths (from Vars) hang under.
	Target string
	// Vars are verify's variables for the tenant (credentials, base
	// paths, ids), as `offboard verify --emulator no --vars` takes them.
	Vars map[string]string
	// Vendors to record; none means every vendor the variables name.
	Vendors []string
	// Client sends the calls; nil is verify's (same-origin redirects).
	Client *http.Client
	// Progress, when set, is called after every call with the vendor
	// and the calls made so far.
	Progress func(vendor string, calls int)
	// Now stamps the scenario's description; zero is time.Now.
	Now time.Time
}

// Summary is what a recording did, for a person: safe to print (nothing
// of a credential, the target's text escaped).
type Summary struct {
	Vendors  []VendorSummary
	Redacted []string // the variables replaced by the recording's own credentials
	Dropped  []string // the variables left out of the vars it writes (a secret record cannot replace)
}

// VendorSummary is one vendor's part.
type VendorSummary struct {
	Vendor  string
	Calls   int
	Counts  map[string]int // entities recorded, by kind
	Unread  []string       // what could not be read, and why
	Skipped string         // why the vendor was not recorded, if it was not
}

// Vendors are the vendors record knows, in the order it writes them.
var order = []string{"arcgis", "onedata", "huawei", "securid", "commvault"}

// vendorRecorder reads one vendor into its scenario section and says the
// variables that match the recording's credentials.
type vendorRecorder func(r *reader, out *VendorSummary) (section any, vars map[string]string, err error)

var recorders = map[string]vendorRecorder{
	"arcgis": recordArcGIS, "commvault": recordCommvault, "huawei": recordHuawei,
	"onedata": recordOnedata, "securid": recordSecurID,
}

// Record reads the tenant and writes the scenario to w. It returns the
// variables that match the recording (for `verify` and `drift` against an
// emulator serving it) and the summary. A vendor that cannot be read at
// all is in the summary, not an error; an error is a target down or a
// write that failed.
func Record(ctx context.Context, o Options, w io.Writer) (map[string]string, *Summary, error) {
	chosen, err := o.vendors()
	if err != nil {
		return nil, nil, err
	}
	client := o.Client
	if client == nil {
		client = testsuite.NewClient()
	}
	vars := maps.Clone(o.Vars)
	if err := testsuite.SignSecurID(vars, time.Now()); err != nil {
		return nil, nil, err
	}
	sum := &Summary{}
	sections := map[string]any{}
	outVars := map[string]string{}
	for _, v := range chosen {
		vs := VendorSummary{Vendor: v, Counts: map[string]int{}}
		r := &reader{ctx: ctx, base: strings.TrimRight(o.Target, "/"), client: client, vars: vars, sleep: sleepCtx}
		if o.Progress != nil {
			r.onCall = func() { o.Progress(v, r.calls) }
		}
		sec, minted, err := recorders[v](r, &vs)
		vs.Calls = r.calls
		switch {
		case err == errSkip:
		case err != nil:
			vs.Skipped = err.Error()
		default:
			sections[v] = sec
			maps.Copy(outVars, minted)
		}
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		sum.Vendors = append(sum.Vendors, vs)
	}
	sum.redact(vars)
	if len(sections) == 0 {
		return nil, sum, fmt.Errorf("no vendor could be recorded")
	}
	if err := write(w, o, chosen, sections); err != nil {
		return nil, sum, err
	}
	return sum.outVars(o.Vars, outVars, chosen), sum, nil
}

// vendors resolves Options.Vendors: the named ones, checked, or those
// whose variables are given.
func (o Options) vendors() ([]string, error) {
	if len(o.Vendors) > 0 {
		for _, v := range o.Vendors {
			if recorders[v] == nil {
				return nil, fmt.Errorf("vendor %q: record knows %s", v, strings.Join(order, ", "))
			}
		}
		return slices.DeleteFunc(slices.Clone(order), func(v string) bool { return !slices.Contains(o.Vendors, v) }), nil
	}
	var out []string
	for _, v := range order {
		for k := range o.Vars {
			if strings.HasPrefix(k, v+".") {
				out = append(out, v)
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the variables name no vendor (arcgis.*, commvault.*, huawei.*, onedata.*, securid.*)")
	}
	return out, nil
}

// write lays the scenario out: a header saying what it is, then each
// vendor's section in a stable order.
func write(w io.Writer, o Options, chosen []string, sections map[string]any) error {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	_, err := fmt.Fprintf(w, "# Recorded by `offboard record` from a live tenant. Every credential in\n"+
		"# it is the recording's own (passwords %q, tokens named recorded-*,\n"+
		"# SecurID's key the published test key pair): none is the tenant's.\n", recordedPassword)
	if err != nil {
		return err
	}
	sw := scenarios.NewWriter(w)
	sw.Field("name", "recording")
	sw.Field("description", fmt.Sprintf("Recorded on %s from %s (%s).", now.UTC().Format("2006-01-02"),
		testsuite.Sanitize(o.Target), strings.Join(chosen, ", ")))
	for _, v := range chosen {
		if sec, ok := sections[v]; ok {
			sw.Field(v, sec)
		}
	}
	return sw.Close()
}

// recordedPassword is every password the recording gives a user whose
// password the tenant has (and never shows).
const recordedPassword = "recorded-password"

// basic is an HTTP Basic value.
func basic(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// redact takes every secret variable's value out of the summary's text,
// in case the target echoed one in an error.
func (s *Summary) redact(vars map[string]string) {
	var secrets []string
	for k, v := range vars {
		if !plainVars[k] && len(v) >= 4 {
			secrets = append(secrets, v)
		}
	}
	clean := func(t string) string {
		for _, v := range secrets {
			t = strings.ReplaceAll(t, v, "[redacted]")
		}
		return t
	}
	for i := range s.Vendors {
		v := &s.Vendors[i]
		v.Skipped = clean(v.Skipped)
		for j := range v.Unread {
			v.Unread[j] = clean(v.Unread[j])
		}
	}
}
