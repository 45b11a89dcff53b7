// Package remote is the emulator's Go API over its control API (/__admin),
// for an emulator in another process: the binary, or its container image
// (see the testcontainers module). Methods have the names, arguments and
// types of the in-process API (engine.Engine, through emulator.Emulator),
// each with an error for the round trip, and the same error kinds:
// errors.Is(err, emulator.ErrNotFound) holds for either door.
package remote

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/offboard/offboard/emulator/engine"
	"github.com/offboard/offboard/scenarios"
)

// maxAnswer bounds what one control answer may cost to read (an export of
// a large world is the biggest).
const maxAnswer = 128 << 20

// Client calls one emulator's control API.
type Client struct {
	base  string
	http  *http.Client
	token string
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sends the calls through c (its timeout included).
func WithHTTPClient(c *http.Client) Option { return func(cl *Client) { cl.http = c } }

// WithAdminToken sends Authorization: Bearer token, for an emulator
// started with --admin-token.
func WithAdminToken(token string) Option { return func(cl *Client) { cl.token = token } }

// New is a client of the emulator at baseURL (http://host:port; the
// control API is under /__admin). It calls nothing yet.
func New(baseURL string, opts ...Option) *Client {
	c := &Client{base: strings.TrimSuffix(baseURL, "/"), http: &http.Client{Timeout: 60 * time.Second}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// BaseURL is the emulator's base URL, where the vendor paths are.
func (c *Client) BaseURL() string { return c.base }

// call sends one control request; into, when not nil, receives the JSON
// answer (or, for *[]byte, its bytes).
func (c *Client) call(method, path string, query url.Values, body []byte, contentType string, into any) error {
	target := c.base + "/__admin" + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if len(data) > maxAnswer {
		return fmt.Errorf("%s %s: an answer over %d bytes", method, path, maxAnswer)
	}
	if resp.StatusCode/100 != 2 {
		return answerError(method, path, resp.StatusCode, data)
	}
	switch into := into.(type) {
	case nil:
		return nil
	case *[]byte:
		*into = data
		return nil
	default:
		if err := json.Unmarshal(data, into); err != nil {
			return fmt.Errorf("%s %s: the answer is not what the control API documents: %w", method, path, err)
		}
		return nil
	}
}

// Error is a control API refusal, of the Go API's kind for its status.
type Error struct {
	Status  int
	Message string // the control API's "error"
	kind    error
}

func (e *Error) Error() string { return e.Message }

// Unwrap gives the error's kind: engine.ErrInvalid for a 400,
// ErrNotFound for a 404, ErrConflict for a 409.
func (e *Error) Unwrap() error { return e.kind }

func answerError(method, path string, status int, body []byte) error {
	var doc struct {
		Error string `json:"error"`
	}
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &doc) == nil && doc.Error != "" {
		msg = doc.Error
	}
	e := &Error{Status: status, Message: fmt.Sprintf("%s /__admin%s: %d: %s", method, path, status, msg)}
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		e.kind = engine.ErrInvalid
	case http.StatusNotFound:
		e.kind = engine.ErrNotFound
	case http.StatusConflict:
		e.kind = engine.ErrConflict
	}
	return e
}

func inSession(session string) url.Values {
	if session == "" {
		return nil
	}
	return url.Values{"session": {session}}
}

func sessionPath(id string) string { return "/sessions/" + engine.SessionWire(id) }

// Health says the emulator is up, with its scenario and vendors.
func (c *Client) Health() (engine.Health, error) {
	var h engine.Health
	return h, c.call(http.MethodGet, "/health", nil, nil, "", &h)
}

// VendorNames lists the served vendors.
func (c *Client) VendorNames() ([]string, error) {
	h, err := c.Health()
	return h.Vendors, err
}

// ScenarioName is the name of the loaded scenario.
func (c *Client) ScenarioName() (string, error) {
	h, err := c.Health()
	return h.Scenario, err
}

// Reset puts the shared state back to the loaded scenario.
func (c *Client) Reset() error { return c.call(http.MethodPost, "/reset", nil, nil, "", nil) }

// Scenarios lists the built-in scenarios.
func (c *Client) Scenarios() ([]scenarios.Info, error) {
	var doc struct {
		Builtin []scenarios.Info `json:"builtin"`
	}
	return doc.Builtin, c.call(http.MethodGet, "/scenarios", nil, nil, "", &doc)
}

// LoadRefs loads a scenario: a built-in's name, or a YAML file of this
// machine's (sent as the body). One at a time: over HTTP a file layers on
// another with extends.
func (c *Client) LoadRefs(refs ...string) error { return c.loadRefs("/scenario", refs) }

func (c *Client) loadRefs(path string, refs []string) error {
	switch {
	case len(refs) == 1:
		return c.loadRef(path, refs[0])
	case len(refs) > 1 && !slices.ContainsFunc(refs, isFile):
		return c.call(http.MethodPut, path, url.Values{"name": refs}, nil, "", nil)
	}
	return fmt.Errorf("%w: over HTTP, layer built-in names, or load one file (a file layers on another with extends)", engine.ErrInvalid)
}

// isFile tells a scenario reference that names a file, not a built-in.
func isFile(ref string) bool {
	return strings.ContainsAny(ref, `/\`) || strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml")
}

func (c *Client) loadRef(path, ref string) error {
	if !isFile(ref) {
		return c.call(http.MethodPut, path, url.Values{"name": {ref}}, nil, "", nil)
	}
	data, err := readFile(ref)
	if err != nil {
		return err
	}
	return c.call(http.MethodPut, path, url.Values{"file": {ref}}, data, "application/yaml", nil)
}

// LoadYAML loads a scenario from YAML; name appears in its mistakes, as
// in the in-process API.
func (c *Client) LoadYAML(name string, data []byte) error {
	return c.call(http.MethodPut, "/scenario", url.Values{"file": {name}}, data, "application/yaml", nil)
}

// Export is the world (or a session's) as a scenario file that loads back
// to the same state.
func (c *Client) Export(session string) ([]byte, error) {
	q := url.Values{"format": {"scenario"}}
	if session != "" {
		q.Set("session", session)
	}
	var out []byte
	return out, c.call(http.MethodGet, "/state", q, nil, "", &out)
}

// State is each vendor's state, as JSON, in the shared world or a session.
func (c *Client) State(session string) (map[string]json.RawMessage, error) {
	var doc struct {
		Vendors map[string]json.RawMessage `json:"vendors"`
	}
	path := "/state"
	if session != "" {
		path = sessionPath(session) + "/state"
	}
	return doc.Vendors, c.call(http.MethodGet, path, nil, nil, "", &doc)
}

// Sessions lists the named sessions.
func (c *Client) Sessions() ([]engine.SessionInfo, error) {
	var doc struct {
		Sessions []engine.SessionInfo `json:"sessions"`
	}
	return doc.Sessions, c.call(http.MethodGet, "/sessions", nil, nil, "", &doc)
}

// SessionExists tells whether a session is live.
func (c *Client) SessionExists(id string) (bool, error) {
	list, err := c.Sessions()
	for _, s := range list {
		if s.ID == id {
			return true, err
		}
	}
	return false, err
}

// DropSession forgets a session.
func (c *Client) DropSession(id string) error {
	return c.call(http.MethodDelete, sessionPath(id), nil, nil, "", nil)
}

// ResetSession puts a session back to its scenario.
func (c *Client) ResetSession(id string) error {
	return c.call(http.MethodPost, sessionPath(id)+"/reset", nil, nil, "", nil)
}

// LoadSessionRefs gives one session a scenario of its own (built-in
// names layered, or one local YAML file), creating the session, as the
// in-process API's LoadSessionRefs.
func (c *Client) LoadSessionRefs(id string, refs ...string) error {
	return c.loadRefs(sessionPath(id)+"/scenario", refs)
}

// LoadSessionYAML gives one session a scenario of its own from YAML; name
// appears in its mistakes.
func (c *Client) LoadSessionYAML(id, name string, data []byte) error {
	return c.call(http.MethodPut, sessionPath(id)+"/scenario", url.Values{"file": {name}}, data, "application/yaml", nil)
}

// Credential is a header that works against the shared state of a vendor.
func (c *Client) Credential(vendor string) (header, value string, err error) {
	return c.CredentialIn("", vendor)
}

// CredentialIn is a header that works against a session's state of a
// vendor.
func (c *Client) CredentialIn(session, vendor string) (header, value string, err error) {
	var doc struct {
		Header string `json:"header"`
		Value  string `json:"value"`
	}
	err = c.call(http.MethodGet, "/credentials/"+url.PathEscape(vendor), inSession(session), nil, "", &doc)
	return doc.Header, doc.Value, err
}

// Catalogue is every documented error of every vendor, each with the
// fault that answers it.
func (c *Client) Catalogue() (map[string][]engine.CatalogueEntry, error) {
	var doc struct {
		Vendors map[string][]engine.CatalogueEntry `json:"vendors"`
	}
	return doc.Vendors, c.call(http.MethodGet, "/errors", nil, nil, "", &doc)
}

// Routes lists every route the emulator serves.
func (c *Client) Routes() ([]string, error) {
	var doc struct {
		Routes []string `json:"routes"`
	}
	return doc.Routes, c.call(http.MethodGet, "/routes", nil, nil, "", &doc)
}

// Spec is a vendor's OpenAPI document, as the emulator serves it.
func (c *Client) Spec(vendor string) ([]byte, error) {
	var out []byte
	return out, c.call(http.MethodGet, "/specs/"+url.PathEscape(vendor)+".yaml", nil, nil, "", &out)
}

// readFile reads a local scenario file, as the emulator would bound it.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", engine.ErrInvalid, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, scenarios.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > scenarios.MaxBytes {
		return nil, fmt.Errorf("%w: %s is over %d bytes", engine.ErrInvalid, path, scenarios.MaxBytes)
	}
	return data, nil
}
