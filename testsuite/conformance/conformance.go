// Package conformance holds an emulator to its own specs: it generates
// requests from every operation of every spec the emulator serves (valid
// ones from the examples and the scenario's ids, invalid ones by mutation:
// missing and wrong-typed parameters, broken bodies, wrong content types,
// wrong or missing credentials, unknown paths and methods), sends them and
// checks each answer against the spec: no 5xx, a status the operation
// declares, a declared content type, a body its schema takes (JSON, or XML
// through the schema's xml annotations) and the declared headers. A
// request no operation takes must get an answer in the vendor's own shape
// and be journaled as decided by the route.
//
// It speaks HTTP only (the vendor routes and /__admin), so it runs as well
// against the built binary as against an emulator in-process.
package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Options say what to run and against which emulator.
type Options struct {
	BaseURL string       // the emulator, its control API under /__admin
	Client  *http.Client // http.DefaultClient when nil
	// Vendors to run; every vendor the emulator serves when empty.
	Vendors []string
	// Requests per vendor.
	Requests int
	// Seed makes the run repeatable: one seed, one sequence of requests.
	Seed uint64
	// Session is the emulator session the run works in, so it disturbs
	// no one else's state; "conformance" when empty.
	Session string
	// Scenario is the built-in scenario the session starts from and
	// returns to; "default" when empty.
	Scenario string
	// AdminToken, when the control API asks for one.
	AdminToken string
}

// Violation is one answer the spec does not allow.
type Violation struct {
	Vendor    string
	Operation string // the operationId, or "" for a path no operation takes
	Case      string // "valid" or the mutation's name
	Method    string
	Target    string // path and query as sent
	Status    int
	Problem   string
}

func (v Violation) String() string {
	op := v.Operation
	if op == "" {
		op = "(no operation)"
	}
	return fmt.Sprintf("%s %s [%s] %s %s -> %d: %s", v.Vendor, op, v.Case, v.Method, v.Target, v.Status, v.Problem)
}

// Result is one vendor's run.
type Result struct {
	Vendor     string
	Requests   int
	Cases      map[string]int // requests per case
	Statuses   map[int]int    // answers per status
	Operations map[string]int // requests per operationId
	// Successes counts the 2xx answers per operationId: a run that never
	// got one for an operation never reached its behaviour.
	Successes  map[string]int
	Violations []Violation
}

// Run generates and checks Options.Requests requests for each vendor.
func Run(ctx context.Context, o Options) ([]Result, error) {
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	if o.Session == "" {
		o.Session = "conformance"
	}
	if o.Scenario == "" {
		o.Scenario = "default"
	}
	if o.Requests <= 0 {
		o.Requests = 100
	}
	o.BaseURL = strings.TrimSuffix(o.BaseURL, "/")
	c := &client{o: o}
	vendors := o.Vendors
	if len(vendors) == 0 {
		var err error
		if vendors, err = c.vendors(ctx); err != nil {
			return nil, err
		}
	}
	var out []Result
	for i, vendor := range vendors {
		r, err := c.runVendor(ctx, vendor, rand.New(rand.NewPCG(o.Seed, uint64(i))))
		if err != nil {
			return out, fmt.Errorf("%s: %w", vendor, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// client talks to the emulator under test.
type client struct{ o Options }

func (c *client) admin(ctx context.Context, method, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.o.BaseURL+"/__admin"+path, nil)
	if err != nil {
		return err
	}
	if c.o.AdminToken != "" {
		req.Header.Set("Authorization", "Bearer "+c.o.AdminToken)
	}
	resp, err := c.o.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s /__admin%s: %d %s", method, path, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	if into == nil {
		return nil
	}
	if b, ok := into.(*[]byte); ok {
		*b = body
		return nil
	}
	return json.Unmarshal(body, into)
}

// vendors lists the vendors whose specs the emulator serves.
func (c *client) vendors(ctx context.Context) ([]string, error) {
	var specs struct {
		Specs []string `json:"specs"`
	}
	if err := c.admin(ctx, http.MethodGet, "/specs", &specs); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range specs.Specs {
		out = append(out, strings.TrimSuffix(p[strings.LastIndexByte(p, '/')+1:], ".yaml"))
	}
	sort.Strings(out)
	return out, nil
}

// world is what a vendor's requests are made from: its spec, operations,
// the ids its state holds and a working credential.
type world struct {
	vendor     string
	doc        *openapi3.T
	ops        []*operation
	ids        *idPool
	credHeader string
	credValue  string
}

func (c *client) load(ctx context.Context, vendor string) (*world, error) {
	var raw []byte
	if err := c.admin(ctx, http.MethodGet, "/specs/"+url.PathEscape(vendor)+".yaml", &raw); err != nil {
		return nil, err
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("its spec: %w", err)
	}
	w := &world{vendor: vendor, doc: doc, ops: operations(vendor, doc)}
	if len(w.ops) == 0 {
		return nil, fmt.Errorf("its spec has no operations")
	}
	if err := c.admin(ctx, http.MethodPut, "/sessions/"+url.PathEscape(c.o.Session)+"/scenario?name="+url.QueryEscape(c.o.Scenario), nil); err != nil {
		return nil, err
	}
	if err := c.reset(ctx, w, true); err != nil {
		return nil, err
	}
	var state map[string]any
	if err := c.admin(ctx, http.MethodGet, "/sessions/"+url.PathEscape(c.o.Session)+"/state", &state); err != nil {
		return nil, err
	}
	vendors, _ := state["vendors"].(map[string]any)
	w.ids = collectIDs(vendors[vendor])
	return w, nil
}

// reset puts the session back to its scenario and takes a fresh
// credential (a reset forgets the ones minted before it).
func (c *client) reset(ctx context.Context, w *world, first bool) error {
	if !first {
		if err := c.admin(ctx, http.MethodPost, "/sessions/"+url.PathEscape(c.o.Session)+"/reset", nil); err != nil {
			return err
		}
	}
	var cred struct {
		Header string `json:"header"`
		Value  string `json:"value"`
	}
	if err := c.admin(ctx, http.MethodGet, "/credentials/"+url.PathEscape(w.vendor)+"?session="+url.QueryEscape(c.o.Session), &cred); err != nil {
		return err
	}
	w.credHeader, w.credValue = cred.Header, cred.Value
	return nil
}

func (c *client) runVendor(ctx context.Context, vendor string, rnd *rand.Rand) (Result, error) {
	res := Result{Vendor: vendor, Cases: map[string]int{}, Statuses: map[int]int{}, Operations: map[string]int{}, Successes: map[string]int{}}
	w, err := c.load(ctx, vendor)
	if err != nil {
		return res, err
	}
	g := &gen{rnd: rnd, ids: w.ids}
	for i := 0; i < c.o.Requests; i++ {
		if i > 0 && rnd.IntN(4) == 0 {
			if err := c.reset(ctx, w, false); err != nil {
				return res, err
			}
		}
		// Each operation in turn, so a short run still reaches them all.
		op := w.ops[i%len(w.ops)]
		req := g.valid(w, op)
		if rnd.IntN(2) == 0 {
			g.mutate(w, req)
		}
		resp, err := c.send(ctx, req)
		if err != nil {
			return res, fmt.Errorf("%s %s: %w", req.method, req.target(), err)
		}
		res.Requests++
		res.Cases[req.name]++
		res.Statuses[resp.status]++
		if req.route {
			res.Operations["(no operation)"]++
		} else {
			res.Operations[req.op.id]++
			if resp.status/100 == 2 {
				res.Successes[req.op.id]++
			}
		}
		problems := check(w, req, resp)
		if req.route && len(problems) == 0 {
			problems = append(problems, c.journaledByRoute(ctx, req)...)
		}
		for _, p := range problems {
			v := Violation{Vendor: vendor, Case: req.name, Method: req.method, Target: req.target(), Status: resp.status, Problem: p}
			if !req.route {
				v.Operation = req.op.id
			}
			res.Violations = append(res.Violations, v)
		}
	}
	return res, nil
}

// answer is a response as the checks need it.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// maxAnswer bounds what one answer may cost to read.
const maxAnswer = 8 << 20

func (c *client) send(ctx context.Context, r *request) (*answer, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, r.method, c.o.BaseURL+r.target(), strings.NewReader(string(r.body)))
	if err != nil {
		return nil, err
	}
	req.Header = r.header.Clone()
	req.Header.Set("X-Offboard-Session", url.PathEscape(c.o.Session))
	if r.body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	resp, err := c.o.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxAnswer {
		return nil, fmt.Errorf("an answer over %d bytes", maxAnswer)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// journaledByRoute checks that the request just sent, which no operation
// takes, is the session's newest journal entry, decided by the route.
func (c *client) journaledByRoute(ctx context.Context, r *request) []string {
	var j struct {
		Requests []struct {
			Method    string `json:"method"`
			Path      string `json:"path"`
			DecidedBy string `json:"decidedBy"`
		} `json:"requests"`
	}
	if err := c.admin(ctx, http.MethodGet, "/requests?limit=1&session="+url.QueryEscape(c.o.Session), &j); err != nil {
		return []string{"reading the journal: " + err.Error()}
	}
	if len(j.Requests) == 0 {
		return []string{"not in the journal"}
	}
	e := j.Requests[0]
	want, _ := url.PathUnescape(r.path)
	if e.Method != r.method || e.Path != want {
		return []string{fmt.Sprintf("not in the journal: its newest entry is %s %s", e.Method, e.Path)}
	}
	if e.DecidedBy != "route" {
		return []string{fmt.Sprintf("journaled as decided by %q, not by the route", e.DecidedBy)}
	}
	return nil
}
