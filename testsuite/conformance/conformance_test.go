package conformance_test

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/scenarios"
	"github.com/offboard/offboard/testsuite/conformance"
)

// The long run, by hand:
//
//	go test ./testsuite/conformance -run TestConformance -conformance.requests 5000 -conformance.seed 0 -v
//
// (seed 0 picks one at random and logs it), or against a running binary
// with -conformance.url http://127.0.0.1:8080.
var (
	requests = flag.Int("conformance.requests", 300, "requests per vendor")
	seed     = flag.Uint64("conformance.seed", 1, "the run's seed; 0 picks one at random")
	target   = flag.String("conformance.url", "", "run against this emulator instead of one in-process")
)

func TestConformance(t *testing.T) {
	base := *target
	if base == "" {
		em, err := emulator.New()
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(em)
		t.Cleanup(func() { srv.Close(); em.Close() })
		base = srv.URL
	}
	s := *seed
	if s == 0 {
		s = rand.Uint64()
	}
	t.Logf("seed %d, %d requests per vendor, against %s", s, *requests, base)
	results, err := conformance.Run(context.Background(), conformance.Options{BaseURL: base, Requests: *requests, Seed: s})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 5 {
		t.Errorf("ran %d vendors, want the five", len(results))
	}
	for _, r := range results {
		t.Logf("%s: %d requests, %d violations; cases %v; statuses %v", r.Vendor, r.Requests, len(r.Violations), sorted(r.Cases), sorted(r.Statuses))
		if r.Requests != *requests {
			t.Errorf("%s: %d requests sent, want %d", r.Vendor, r.Requests, *requests)
		}
		// A run that never reached an operation, or never sent a valid
		// request or a mutation, proves nothing about it.
		for _, c := range []string{"valid", "no-credential", "unknown-path", "wrong-method"} {
			if r.Cases[c] == 0 && *requests >= 300 {
				t.Errorf("%s: no %q requests in %d", r.Vendor, c, r.Requests)
			}
		}
		t.Logf("%s: 2xx answers per operation: %s", r.Vendor, sorted(r.Successes))
		for op := range r.Operations {
			if op != "(no operation)" && r.Successes[op] == 0 && *requests >= 300 {
				t.Errorf("%s %s: no 2xx answer in %d requests: the run never reached its behaviour", r.Vendor, op, r.Operations[op])
			}
		}
		for i, v := range r.Violations {
			if i == 20 {
				t.Errorf("... and %d more", len(r.Violations)-20)
				break
			}
			t.Error(v)
		}
	}
}

func sorted[K int | string](m map[K]int) string {
	var b strings.Builder
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%v:%d", k, m[k])
	}
	return b.String()
}

// TestEveryBuiltinScenarioConforms: each built-in scenario's world (faults,
// locked and disabled accounts, running containers, people) answers
// generated requests only as its specs allow, not only the default one.
func TestEveryBuiltinScenarioConforms(t *testing.T) {
	for _, info := range scenarios.Builtins() {
		t.Run(info.Name, func(t *testing.T) {
			em, err := emulator.New(emulator.WithScenario(info.Name))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(em)
			t.Cleanup(func() { srv.Close(); em.Close() })
			results, err := conformance.Run(context.Background(), conformance.Options{BaseURL: srv.URL, Requests: 40, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			sent := 0
			for _, r := range results {
				sent += r.Requests
				for _, v := range r.Violations {
					t.Errorf("%s: %v", r.Vendor, v)
				}
			}
			if sent == 0 {
				t.Error("no request was sent")
			}
		})
	}
}
