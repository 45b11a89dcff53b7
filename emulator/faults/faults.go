// Package faults holds injected failures: the rules a scenario or a test
// adds, their counters, and the decision they make for one request. It
// knows nothing of HTTP or YAML; the engine decodes rules and acts on the
// decision.
package faults

import (
	"fmt"
	"math/rand/v2"
	"mime"
	"path"
	"slices"
	"strings"
	"time"
)

// Fault is one injected failure, as written in a scenario's faults list,
// posted to /__admin/faults or passed to the engine's AddFaults.
type Fault struct {
	Vendor     string  `yaml:"vendor" json:"vendor"`
	Operation  string  `yaml:"operation,omitempty" json:"operation,omitempty"`
	Method     string  `yaml:"method,omitempty" json:"method,omitempty"`
	Path       string  `yaml:"path,omitempty" json:"path,omitempty"` // a path.Match glob
	Status     int     `yaml:"status,omitempty" json:"status,omitempty"`
	After      int     `yaml:"after,omitempty" json:"after,omitempty"` // let this many matching requests through first
	Times      int     `yaml:"times,omitempty" json:"times,omitempty"` // fire this many times, then stop (0: no end)
	Rate       float64 `yaml:"probability,omitempty" json:"probability,omitempty"`
	Seed       uint64  `yaml:"seed,omitempty" json:"seed,omitempty"`
	Latency    string  `yaml:"latency,omitempty" json:"latency,omitempty"`
	Jitter     string  `yaml:"jitter,omitempty" json:"jitter,omitempty"`
	Drop       bool    `yaml:"drop,omitempty" json:"drop,omitempty"`
	Limit      int     `yaml:"limit,omitempty" json:"limit,omitempty"`   // with window: allow this many per window, then Status (429)
	Window     string  `yaml:"window,omitempty" json:"window,omitempty"` // e.g. 1s
	RetryAfter int     `yaml:"retryAfter,omitempty" json:"retryAfter,omitempty"`
	// Body, when set, replaces the vendor's rendered error body, for a
	// failure the documentation does not describe; ContentType goes with it.
	Body        string `yaml:"body,omitempty" json:"body,omitempty"`
	ContentType string `yaml:"contentType,omitempty" json:"contentType,omitempty"`
}

// MaxContentType bounds a fault's contentType: it becomes a header every
// client parses and the journal keeps.
const MaxContentType = 256

// Known lists what a fault may name: each vendor's operation ids.
type Known map[string][]string

// FieldError is a mistake in one field of a fault.
type FieldError struct {
	Field string // the fault's key: "status", "latency", ...
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Check reports every mistake in a fault, against the vendors and
// operations known; nil when it can be compiled.
func (f Fault) Check(known Known) []*FieldError {
	_, errs := Compile(f, known)
	return errs
}

// Compile checks a fault and makes the rule that applies it; it reports
// every mistake, each naming its field.
func Compile(f Fault, known Known) (*Rule, []*FieldError) {
	var errs []*FieldError
	add := func(e *FieldError) { errs = append(errs, e) }
	if ops, ok := known[f.Vendor]; !ok {
		names := make([]string, 0, len(known))
		for n := range known {
			names = append(names, n)
		}
		slices.Sort(names)
		add(fieldErr("vendor", "unknown vendor %q (known: %s)", f.Vendor, strings.Join(names, ", ")))
	} else if f.Operation != "" && !slices.Contains(ops, f.Operation) {
		add(fieldErr("operation", "%s has no operation %q", f.Vendor, f.Operation))
	}
	if f.Path != "" {
		if _, err := path.Match(f.Path, "/"); err != nil {
			add(fieldErr("path", "bad glob %q: %v", f.Path, err))
		}
	}
	r := &Rule{Fault: f}
	windowOK := true
	for _, d := range []struct {
		name string
		s    string
		to   *time.Duration
	}{{"latency", f.Latency, &r.latency}, {"jitter", f.Jitter, &r.jitter}, {"window", f.Window, &r.window}} {
		if d.s == "" {
			continue
		}
		dur, err := time.ParseDuration(d.s)
		if err != nil || dur < 0 {
			add(fieldErr(d.name, "not a duration: %q (say 200ms, 1s)", d.s))
			windowOK = windowOK && d.name != "window"
			continue
		}
		*d.to = dur
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"after", f.After}, {"times", f.Times}, {"limit", f.Limit}, {"retryAfter", f.RetryAfter}} {
		if n.v < 0 {
			add(fieldErr(n.name, "must not be negative: %d", n.v))
		}
	}
	if f.Rate < 0 || f.Rate > 1 {
		add(fieldErr("probability", "must be between 0 and 1"))
	}
	if windowOK && (f.Limit > 0) != (r.window > 0) {
		add(fieldErr("limit", "limit and window go together"))
	}
	if f.Limit > 0 && f.Status == 0 {
		r.Status = 429 // Too Many Requests
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 599) {
		add(fieldErr("status", "not an HTTP status: %d (100 to 599)", f.Status))
	}
	if (f.Body != "" || f.ContentType != "") && r.Status == 0 {
		add(fieldErr("body", "a body goes with a status"))
	}
	if f.ContentType != "" {
		if _, _, err := mime.ParseMediaType(f.ContentType); err != nil || len(f.ContentType) > MaxContentType || hasControl(f.ContentType) {
			add(fieldErr("contentType", "not a media type of at most %d bytes: %q", MaxContentType, short(f.ContentType)))
		}
	}
	if r.Status == 0 && !f.Drop && f.Latency == "" {
		add(fieldErr("status", "a fault needs a status, drop: true or a latency"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if f.Rate > 0 && f.Rate < 1 {
		r.rng = rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15)
	}
	if r.Limit > 0 {
		r.win = newWindow(r.Limit, r.window)
	}
	return r, nil
}

// hasControl tells a string that holds a control character, which no
// header value may.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f })
}

func short(s string) string {
	if len(s) <= 64 {
		return s
	}
	return s[:64] + "..."
}
