package testsuite_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/offboard/offboard/testsuite"
)

// hostile serves a control API that says yes to everything, and answers
// every vendor request with behave.
func hostile(t *testing.T, behave http.HandlerFunc) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/__admin/") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"status":"ok"}`)
			return
		}
		behave(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runAgainst runs a few cases against a target and reports what the run
// allocated.
func runAgainst(t *testing.T, base string) ([]testsuite.Result, uint64) {
	t.Helper()
	suites, err := testsuite.Load()
	if err != nil {
		t.Fatal(err)
	}
	vars, err := testsuite.MintedVars()
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	results := testsuite.Run(context.Background(), testsuite.Target{BaseURL: base, Emulator: true, Vars: vars}, suites,
		testsuite.Filter{Vendor: "onedata", Case: "seed-*"})
	runtime.ReadMemStats(&after)
	if len(results) == 0 {
		t.Fatal("no case ran")
	}
	return results, after.TotalAlloc - before.TotalAlloc
}

// TestAHostileTarget: verify treats its target as untrusted (issue 23):
// no redirect to another origin is followed, so no credential reaches
// it; a deeply nested answer, an endless one and a gzip bomb cost a
// bounded amount; and no control byte of an answer reaches the report.
func TestAHostileTarget(t *testing.T) {
	t.Run("redirect elsewhere", func(t *testing.T) {
		var reached atomic.Int64
		elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
		defer elsewhere.Close()
		srv := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusTemporaryRedirect)
		})
		results, _ := runAgainst(t, srv.URL)
		if n := reached.Load(); n != 0 {
			t.Errorf("%d requests reached the other origin", n)
		}
		if last := results[len(results)-1]; !last.Unreachable || !strings.Contains(last.Failure, "another origin") {
			t.Errorf("the run did not stop at the redirect: %+v", last)
		}
	})
	nested := strings.Repeat(`{"a":[`, 2000) + strings.Repeat(`]}`, 2000)
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zeros := make([]byte, 1<<20)
	for range 256 { // 256 MiB of zeros in a few hundred KB
		_, _ = zw.Write(zeros)
	}
	_ = zw.Close()
	for _, c := range []struct {
		name   string
		behave http.HandlerFunc
	}{
		{"deeply nested JSON", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, nested)
		}},
		{"an endless answer", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			chunk := bytes.Repeat([]byte("x"), 64<<10)
			for range 16 << 10 { // 1 GiB, unless the reader stops
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}},
		{"a gzip bomb", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(bomb.Bytes())
		}},
		{"terminal escapes in a page", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<html>\x1b]0;owned\x07\x1b[2J gateway</html>")
		}},
		{"terminal escapes", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Offboard-Detail", "\x1b]0;owned\x07")
			w.WriteHeader(418)
			_, _ = io.WriteString(w, "{\"error\":\"\x1b[2J\x1b[31mred\x1b[0m\"}\x1b[?1049h")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			results, allocated := runAgainst(t, hostile(t, c.behave).URL)
			if allocated > 256<<20 {
				t.Errorf("the run allocated %d MB", allocated>>20)
			}
			var report, junit bytes.Buffer
			testsuite.Report(&report, results)
			defer func() { t.Logf("allocated %d MB; report %d KB", allocated>>20, report.Len()>>10) }()
			if err := testsuite.WriteJUnit(&junit, "http://hostile", results); err != nil {
				t.Fatal(err)
			}
			for what, out := range map[string][]byte{"report": report.Bytes(), "junit": junit.Bytes()} {
				if bytes.ContainsAny(out, "\x1b\x07") {
					t.Errorf("a control byte reached the %s", what)
				}
				if len(out) > 200<<10 {
					t.Errorf("the %s is %d KB", what, len(out)>>10)
				}
			}
		})
	}
}
