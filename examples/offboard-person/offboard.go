package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// vendor is one vendor's part in offboarding a person: a step for each
// phase the vendor has, nil where it has none.
type vendor struct {
	name                          string
	disable, stop, remove, verify func(ctx context.Context) error
}

// blocked is a refusal the tool cannot fix: a person must (the identity
// provider removes a SCIM-managed user, an administrator clears a pending
// deletion). The vendor's later steps are skipped.
type blocked struct{ reason string }

func (b *blocked) Error() string { return "blocked: " + b.reason }

// outcome is how far one vendor got.
type outcome struct {
	Vendor string `json:"vendor"`
	Result string `json:"result"` // done, blocked or failed
	Reason string `json:"reason,omitempty"`
}

// offboard runs the phases in the documented order, every vendor's step
// of a phase before the next phase: disable the accounts, stop what runs
// for them, delete them (moving what they own), then read back that each
// is gone. A vendor that fails or is blocked stops there; the others go on.
func offboard(ctx context.Context, vendors []*vendor, out io.Writer) []outcome {
	done := map[string]error{}
	phases := []struct {
		name string
		step func(*vendor) func(context.Context) error
	}{
		{"disable", func(v *vendor) func(context.Context) error { return v.disable }},
		{"stop", func(v *vendor) func(context.Context) error { return v.stop }},
		{"delete", func(v *vendor) func(context.Context) error { return v.remove }},
		{"verify", func(v *vendor) func(context.Context) error { return v.verify }},
	}
	for _, ph := range phases {
		for _, v := range vendors {
			step := ph.step(v)
			if step == nil || done[v.name] != nil {
				continue
			}
			err := step(ctx)
			done[v.name] = err
			fmt.Fprintf(out, "%-9s %-7s %s\n", v.name, ph.name, result(err))
		}
	}
	var report []outcome
	for _, v := range vendors {
		o := outcome{Vendor: v.name, Result: "done"}
		var b *blocked
		switch err := done[v.name]; {
		case errors.As(err, &b):
			o.Result, o.Reason = "blocked", b.reason
		case err != nil:
			o.Result, o.Reason = "failed", err.Error()
		}
		report = append(report, o)
	}
	return report
}

func result(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

// jsonBody encodes v for a request body.
func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only our own values
	}
	return b
}

// formBody encodes a form.
func formBody(kv ...string) []byte {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return []byte(v.Encode())
}

// headers builds a header from pairs.
func headers(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// unexpected is an answer no step of the tool expects.
func unexpected(a *answer) error {
	body := strings.TrimSpace(string(a.body))
	if len(body) > 300 {
		body = body[:300] + "..."
	}
	return fmt.Errorf("unexpected answer %d: %s", a.status, body)
}
