// Package emulatortest runs an emulator in-process for tests, with every
// response validated against its own spec, gives each test a session of
// its own named after it, and compares bodies with golden files.
//
//	func TestOffboarding(t *testing.T) {
//		srv := emulatortest.New(t)
//		s := srv.Session(t) // this test's world: X-Offboard-Session: t.Name()
//		got := s.Do(t, emulatortest.Request{Method: "DELETE", Path: "/api/v3/onezone/users/" + id,
//			Header: s.Credential(t, "onedata")})
//		...
//	}
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
	"github.com/offboard/offboard/emulator/journal"
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

// Controller is what a Session asks of an emulator. The in-process
// *emulator.Emulator is one, and so is *remote.Client, the same Go API over
// the control API of an emulator in another process or container.
type Controller interface {
	CredentialIn(session, vendor string) (header, value string, err error)
	AddFaults(session string, fs ...emulator.Fault) (int, error)
	CountRequests(f emulator.Filter) (int, error)
	DropSession(id string) error
	LoadSessionRefs(id string, refs ...string) error
	LoadSessionYAML(id, name string, data []byte) error
	Person(session, id string) (emulator.Person, error)
}

// Session is one test's own world on an emulator, named after the test:
// its requests carry X-Offboard-Session, its state starts as the
// scenario loaded and is dropped when the test ends.
type Session struct {
	base   string
	client *http.Client
	ctl    Controller
	// ID is the session's id: the test's t.Name(), subtests included.
	ID string
}

// Session gives the test a session of its own, named t.Name(), dropped
// when the test ends.
func (s *Server) Session(t testing.TB) *Session {
	t.Helper()
	return newSession(t, s.URL, s.Client(), s.Emulator)
}

// NewSession gives the test a session of its own on any emulator: base is
// its base URL, ctl its Go API (a *remote.Client for one in another
// process). The session is dropped when the test ends.
func NewSession(t testing.TB, base string, ctl Controller) *Session {
	t.Helper()
	return newSession(t, strings.TrimSuffix(base, "/"), &http.Client{}, ctl)
}

func newSession(t testing.TB, base string, client *http.Client, ctl Controller) *Session {
	se := &Session{base: base, client: client, ctl: ctl, ID: t.Name()}
	t.Cleanup(func() { _ = ctl.DropSession(se.ID) })
	return se
}

// URL is the base URL that puts every vendor path in this session
// (/__session/{id}), for a client whose base URL is all that can be set.
func (se *Session) URL() string {
	return se.base + "/__session/" + emulator.SessionWire(se.ID)
}

// Do sends a request in this session.
func (se *Session) Do(t testing.TB, req Request) Response {
	t.Helper()
	h := make(map[string]string, len(req.Header)+1)
	for k, v := range req.Header {
		h[k] = v
	}
	h[emulator.HeaderSession] = emulator.SessionWire(se.ID)
	req.Header = h
	return do(t, se.client, se.base, req)
}

// Credential is a header that works against this session's state of a
// vendor, ready for Request.Header.
func (se *Session) Credential(t testing.TB, vendor string) map[string]string {
	t.Helper()
	name, value, err := se.ctl.CredentialIn(se.ID, vendor)
	if err != nil {
		t.Fatalf("credential for %s: %v", vendor, err)
	}
	return map[string]string{name: value}
}

// LoadScenario gives this session a world of its own: built-in names
// (layered, each over the one before) or scenario files.
func (se *Session) LoadScenario(t testing.TB, refs ...string) {
	t.Helper()
	if err := se.ctl.LoadSessionRefs(se.ID, refs...); err != nil {
		t.Fatalf("loading %v into session %s: %v", refs, se.ID, err)
	}
}

// LoadScenarioYAML gives this session a world written in the test; name
// appears in its mistakes.
func (se *Session) LoadScenarioYAML(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := se.ctl.LoadSessionYAML(se.ID, name, data); err != nil {
		t.Fatalf("loading %s into session %s: %v", name, se.ID, err)
	}
}

// AddFaults adds fault rules to this session only.
func (se *Session) AddFaults(t testing.TB, fs ...emulator.Fault) {
	t.Helper()
	if _, err := se.ctl.AddFaults(se.ID, fs...); err != nil {
		t.Fatalf("adding faults: %v", err)
	}
}

// Count counts this session's journal entries that f matches (f's own
// Session is replaced by this one).
func (se *Session) Count(t testing.TB, f emulator.Filter) int {
	t.Helper()
	f.Session = journal.InSession(se.ID)
	n, err := se.ctl.CountRequests(f)
	if err != nil {
		t.Fatalf("counting requests: %v", err)
	}
	return n
}

// Person is how one person of this session's scenario stands, vendor by
// vendor: what an offboarding tool's test asserts at the end.
func (se *Session) Person(t testing.TB, id string) emulator.Person {
	t.Helper()
	p, err := se.ctl.Person(se.ID, id)
	if err != nil {
		t.Fatalf("person %s: %v", id, err)
	}
	return p
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
	return do(t, s.Client(), s.URL, req)
}

func do(t testing.TB, client *http.Client, base string, req Request) Response {
	t.Helper()
	r, err := http.NewRequest(req.Method, base+req.Path, strings.NewReader(req.Body))
	if err != nil {
		t.Fatalf("building %s %s: %v", req.Method, req.Path, err)
	}
	if req.Body == "" {
		r.Body = http.NoBody
	}
	for k, v := range req.Header {
		r.Header.Set(k, v)
	}
	resp, err := client.Do(r)
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
