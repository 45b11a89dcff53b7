package record_test

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

	"github.com/offboard/offboard/testsuite/record"
)

// onedataVars read a hostile target as Onedata.
var onedataVars = map[string]string{"onedata.token": "hostile-test-token", "onedata.adminId": "a"}

func recordHostile(t *testing.T, h http.HandlerFunc) (*record.Summary, error, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	var out bytes.Buffer
	_, sum, err := record.Record(context.Background(), record.Options{Target: srv.URL, Vars: onedataVars}, &out)
	return sum, err, out.String()
}

// TestRecordAHostileTarget: record treats its target as verify does.
func TestRecordAHostileTarget(t *testing.T) {
	var leaked atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != "" || r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		_, _ = io.WriteString(w, `{"users":[]}`)
	}))
	defer elsewhere.Close()
	bomb := gzipped(t, 256<<20)
	cases := []struct {
		name   string
		h      http.HandlerFunc
		refuse string // what the summary says
	}{
		{"a redirect to another origin", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusFound)
		}, "another origin"},
		{"an endless answer", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"users":["`)
			chunk := bytes.Repeat([]byte("a"), 64<<10)
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, "over 64 MiB"},
		{"a gzip bomb", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(bomb)
		}, "over 64 MiB"},
		{"a deep answer", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, strings.Repeat("[", 100_000))
		}, "not the vendor's JSON"},
		{"terminal escapes and the token echoed", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(w, "\x1b]0;pwned\x07\x1b[2J denied for "+r.Header.Get("X-Auth-Token"))
		}, "HTTP 403"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			sum, err, out := recordHostile(t, c.h)
			runtime.ReadMemStats(&after)
			if err == nil || sum == nil || len(sum.Vendors) != 1 {
				t.Fatalf("recorded from a hostile target: %v %+v\n%s", err, sum, out)
			}
			why := sum.Vendors[0].Skipped
			if !strings.Contains(why, c.refuse) {
				t.Errorf("the summary says %q, want it to say %q", why, c.refuse)
			}
			if strings.ContainsAny(why, "\x1b\x07") || strings.Contains(why, onedataVars["onedata.token"]) {
				t.Errorf("the summary holds a control byte or the token: %q", why)
			}
			// All it allocated, garbage included (the 64 MiB read grows by
			// doubling; the race detector adds to it): an unbounded read
			// of the endless answer, or of the bomb's 256 MiB with its
			// doubling, would pass this.
			n := after.TotalAlloc - before.TotalAlloc
			t.Logf("recording allocated %d MiB", n>>20)
			if n > 400<<20 {
				t.Errorf("recording allocated %d MiB", n>>20)
			}
		})
	}
	if n := leaked.Load(); n > 0 {
		t.Errorf("%d requests with a credential reached another origin", n)
	}
}

// TestRecordWaitsOutA429: Retry-After is honoured and the call retried.
func TestRecordWaitsOutA429(t *testing.T) {
	var calls atomic.Int32
	sum, err, _ := recordHostile(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, `{"users":[]}`)
	})
	if err != nil || sum.Vendors[0].Skipped != "" || calls.Load() != 3 {
		t.Fatalf("after two 429s: %v %+v, %d calls", err, sum, calls.Load())
	}
}

// gzipped is n zero bytes, gzip-compressed: one compressed MiB repeated
// as gzip members (a reader reads them as one stream), so making the
// bomb costs one MiB of compression.
func gzipped(t *testing.T, n int) []byte {
	t.Helper()
	var one bytes.Buffer
	zw := gzip.NewWriter(&one)
	if _, err := zw.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(one.Bytes(), n>>20)
}
