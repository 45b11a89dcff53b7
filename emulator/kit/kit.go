// Package kit is the contract between the engine and the vendors: what a
// vendor implements, what a request and a response look like, the error
// kinds the engine hands a vendor to render, and byte-exact render helpers.
//
// It imports nothing of ours, so a vendor package depends on kit alone.
package kit

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Vendor is one emulated API.
type Vendor interface {
	// Name is the spec file's base name, the scenario key and the journal label.
	Name() string
	// Operations maps every operationId of the vendor's spec to its handler.
	Operations() map[string]Handler
	// NewState decodes the vendor's scenario section (nil when absent) into
	// a fresh state, checking every cross-reference.
	NewState(section *yaml.Node) (State, error)
	// Error renders any error a client can see in the vendor's own shape.
	Error(r *Request, err error) Response
	// Judge tells whether an answer is an error by the vendor's own
	// semantics, and which.
	Judge
	// Accounts tells how a person's account stands, for the people view.
	Accounts
}

// State is one vendor's mutable world. A session clones the loaded
// snapshot on first use, so Clone must copy deeply.
type State interface {
	Clone() State
}

// Handler serves one operation. It runs under the lock of the session's
// slot for this vendor, so check-then-change is atomic.
type Handler func(r *Request, s State) (Response, error)

// Authenticator is implemented by vendors whose real service checks
// credentials before it looks at the request's parameters (an API gateway,
// an admin framework). The engine calls it before request validation.
type Authenticator interface {
	Authenticate(r *Request, s State) error
}

// PathNormalizer is implemented by vendors whose real service matches
// paths loosely (for example case-insensitively). The engine routes on the
// normalized path; the handler still sees the path as sent.
type PathNormalizer interface {
	// NormalizeRoots are the path prefixes, matched case-insensitively,
	// under which NormalizePath acts: the engine calls it on no other path.
	NormalizeRoots() []string
	NormalizePath(path string) string
}

// Credentialer is implemented by vendors that can mint a working
// credential from a state, for `offboard token VENDOR`: the header name and
// value a client sends.
type Credentialer interface {
	Credential(s State, now time.Time) (header, value string, err error)
}

// Request is what a handler sees of an HTTP request.
type Request struct {
	Method    string
	Host      string            // the Host header (Go keeps it out of Header)
	Path      string            // the path as sent, unescaped
	Operation string            // operationId; empty when no route matched
	Params    map[string]string // path parameters, unescaped
	Query     url.Values
	Header    http.Header
	Body      []byte
	Form      url.Values // the body's fields when it is form-encoded, else empty
	Session   string     // "" for the shared session
	Now       time.Time
	// TLS and ViaPrefix say how the client reached the emulator, for
	// BaseURL.
	TLS, ViaPrefix bool
}

// BaseURL is where the client reached the emulator: scheme, host and the
// session path prefix when it used one ("http://127.0.0.1:8080",
// "http://h/__session/job-42"), for answers that link to a resource. The
// session id is escaped as one path segment, so a URL built on it leads
// back into the same session whatever the id holds ("a/b", "a#b", "ü").
func (r *Request) BaseURL() string {
	scheme := "http://"
	if r.TLS {
		scheme = "https://"
	}
	return scheme + r.BaseHost()
}

// BaseHost is BaseURL without its scheme: the host and the session
// prefix, for answers that name a host ("portalHostname").
func (r *Request) BaseHost() string {
	if r.ViaPrefix {
		return r.Host + "/__session/" + url.PathEscape(r.Session)
	}
	return r.Host
}

// Value returns a form field from the body, falling back to the query
// string, as form-posting services do.
func (r *Request) Value(name string) string {
	if v, ok := r.Form[name]; ok && len(v) > 0 {
		return v[0]
	}
	return r.Query.Get(name)
}

// Response is a complete answer: status, headers and the exact body bytes,
// with what the answer means.
type Response struct {
	Status int
	// ContentType is the answer's Content-Type; Header never holds one.
	// A field of its own, not a map entry: most answers need no other
	// header, and a map costs three allocations an answer.
	ContentType string
	// Header holds any other header the vendor sends (nil for none).
	Header http.Header
	Body   []byte
	// Outcome is the answer as its vendor means it, said by whoever made
	// it: the handler that refused in a 200, the vendor's Error. Nothing
	// re-reads the body to tell; the zero value is a success.
	Outcome Outcome
}

// SetHeader sets a header field other than Content-Type, making the map
// on first use; key must be in canonical form.
func (resp *Response) SetHeader(key, value string) {
	if resp.Header == nil {
		resp.Header = make(http.Header, 2)
	}
	resp.Header[key] = []string{value}
}

// Refused marks an answer as the vendor's error code (its own name for
// it: "errorCode 2", "is_success false") with the vendor's message.
func (resp Response) Refused(code, message string) Response {
	resp.Outcome = Outcome{Error: true, Code: code, Message: message}
	return resp
}

// Kind classifies the errors the engine itself raises.
type Kind int

// The engine's error kinds. Each vendor maps every one to its own shape.
const (
	NoRoute          Kind = iota + 1 // no operation has this path
	MethodNotAllowed                 // the path exists, the method does not
	BadRequest                       // the request breaks the spec
	TooLarge                         // the body exceeds the limit
	Fault                            // injected by a scenario or the control API
	Internal                         // a bug of ours, recovered
)

func (k Kind) String() string {
	switch k {
	case NoRoute:
		return "no-route"
	case MethodNotAllowed:
		return "method-not-allowed"
	case BadRequest:
		return "bad-request"
	case TooLarge:
		return "too-large"
	case Fault:
		return "fault"
	case Internal:
		return "internal"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is an error raised by the engine rather than by a vendor's rule.
type Error struct {
	Kind   Kind
	Status int    // for Fault: the status the fault asks for
	In     string // for BadRequest: "path", "query", "header", "body" or ""
	Param  string // for BadRequest: the offending parameter, when known
	Detail string // what was wrong, for logs and the detail header only
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	if e.Param != "" {
		fmt.Fprintf(&b, " (%s %q)", e.In, e.Param)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Classify finds the vendor's own error in err; an engine error is mapped
// by fromKit, and anything else becomes fallback. Vendors call it first
// in Error so that every error reaches the client in their shape.
func Classify[E error](err error, fromKit func(*Error) E, fallback E) E {
	// Unwrapped errors, the usual case, without errors.As's reflection.
	if own, ok := err.(E); ok {
		return own
	}
	if ke, ok := err.(*Error); ok {
		return fromKit(ke)
	}
	var own E
	if errors.As(err, &own) {
		return own
	}
	var ke *Error
	if errors.As(err, &ke) {
		return fromKit(ke)
	}
	return fallback
}

// Snapshotter is implemented by vendors whose state can be written back as
// their scenario section ("export this world"): loading the result gives
// the same state.
type Snapshotter interface {
	Snapshot(s State) any
}
