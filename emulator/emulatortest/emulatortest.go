// Package emulatortest runs an emulator in-process for tests, with every
// response validated against its own spec, and compares bodies with golden
// files.
package emulatortest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/offboard/offboard/emulator"
)

// Server is an emulator behind an httptest server.
type Server struct {
	*httptest.Server
	Emulator *emulator.Emulator
}

// New starts an emulator on a loopback port for the duration of the test.
// A response that breaks the emulator's own spec fails the test.
func New(t testing.TB, opts ...emulator.Option) *Server {
	t.Helper()
	opts = append([]emulator.Option{emulator.WithResponseValidation(func(r *http.Request, status int, err error) {
		t.Errorf("%s %s answered %d, which its spec does not allow: %v", r.Method, r.URL.Path, status, err)
	})}, opts...)
	em, err := emulator.New(opts...)
	if err != nil {
		t.Fatalf("emulator.New: %v", err)
	}
	srv := httptest.NewServer(em)
	t.Cleanup(srv.Close)
	return &Server{Server: srv, Emulator: em}
}

// Request is one request to send.
type Request struct {
	Method string
	Path   string
	Header map[string]string
	Body   string
}

// Response is what came back.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request and reads the whole answer.
func (s *Server) Do(t testing.TB, req Request) Response {
	t.Helper()
	r, err := http.NewRequest(req.Method, s.URL+req.Path, strings.NewReader(req.Body))
	if err != nil {
		t.Fatalf("building %s %s: %v", req.Method, req.Path, err)
	}
	if req.Body == "" {
		r.Body = http.NoBody
	}
	for k, v := range req.Header {
		r.Header.Set(k, v)
	}
	resp, err := s.Client().Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.Path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// Golden compares got with the file at path byte for byte.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("body differs from %s (-want +got):\n%s", filepath.Base(path), cmp.Diff(string(want), string(got)))
	}
}

// GoldenJSON compares got with the JSON value in the file at path: same
// structure and values, any layout. It keeps a vendor's documented (pretty)
// payload as the golden of an answer the real server writes compactly.
func GoldenJSON(t testing.TB, path string, got []byte) {
	t.Helper()
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden %s: %v", path, err)
	}
	var w, g any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("golden %s is not JSON: %v", path, err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("answer is not JSON (%v): %s", err, got)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("body differs from %s (-want +got):\n%s", filepath.Base(path), diff)
	}
}

// SeedContains checks that a golden file copied from a vendor seed still
// appears verbatim in that seed, so a golden cannot drift from the
// documentation. It is skipped where ../shared/seeds is not present.
func SeedContains(t testing.TB, seed, golden string) {
	t.Helper()
	dir := findSeeds()
	if dir == "" {
		t.Skip("shared/seeds not found beside the repository")
	}
	doc, err := os.ReadFile(filepath.Join(dir, seed))
	if err != nil {
		t.Fatalf("seed %s: %v", seed, err)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("golden %s: %v", golden, err)
	}
	if !bytes.Contains(doc, want) {
		t.Errorf("%s is not verbatim in seed %s", golden, seed)
	}
}

// findSeeds looks for shared/seeds beside the module root, walking up.
func findSeeds() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			cand := filepath.Join(dir, "..", "shared", "seeds")
			if st, err := os.Stat(cand); err == nil && st.IsDir() {
				return cand
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
