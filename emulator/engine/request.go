package engine

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/kit/table"
)

// exchange is what the pipeline keeps for one request beyond net/http's
// values: the vendor's view of the request and, for an operation the spec
// can refuse, what kin-openapi reads.
type exchange struct {
	kr         kit.Request
	sessionErr error  // why the session header was refused, when it was
	formErr    error  // why a form body did not parse, when it did not
	mediaType  string // the body's media type, read once from Content-Type
	v          *validation
	changes    []table.Change    // what the handler changed, when it was watched
	rec        table.Recorder    // watches the handler's writes
	vars       map[string]string // the path's variables, as routing read them
	people     []string          // the people of the scenario the request is about
	scenario   string            // the name of the session's scenario
}

// validation is kin-openapi's input with the request copy and body reader
// it reads, in one allocation rather than four.
type validation struct {
	val  openapi3filter.RequestValidationInput
	req  http.Request
	body bodyReader
}

// bodyReader is a request body over bytes already read.
type bodyReader struct{ bytes.Reader }

func (*bodyReader) Close() error { return nil }

// newExchange is an exchange of its own for a request off the hot path
// (an engine error, a conformance check), filled from r.
func (e *Engine) newExchange(r *http.Request, op string, vars map[string]string) (*exchange, error) {
	ex := &exchange{vars: vars}
	return ex, e.fill(ex, r, op)
}

// takeExchange is an exchange for a request, its variables' map empty:
// one the engine kept from an earlier request, so the usual request
// allocates neither. Give it back with releaseExchange once answered.
func (e *Engine) takeExchange() *exchange {
	if ex, ok := e.exchanges.Get().(*exchange); ok {
		return ex
	}
	return &exchange{vars: make(map[string]string, 4)}
}

// releaseExchange keeps an answered request's exchange for another: what
// the journal kept of it is its own (copied strings, shared bodies, the
// people's slice), and nothing else holds it once the answer is written.
func (e *Engine) releaseExchange(ex *exchange) {
	vars, v := ex.vars, ex.v
	clear(vars)
	if v != nil {
		*v = validation{}
	}
	*ex = exchange{vars: vars, v: v}
	e.exchanges.Put(ex)
}

// fill reads into ex what a handler needs of r (ex.vars are the path's
// variables). A body over the limit is an error the vendor renders; the
// partial request is still filled for rendering.
func (e *Engine) fill(ex *exchange, r *http.Request, op string) error {
	path := r.URL.Path
	if p, ok := r.Context().Value(originalPathKey).(string); ok {
		path = p
	}
	vars := ex.vars
	session, viaPrefix, err := sessionOf(r)
	if err == nil {
		err = CheckSession(session)
	}
	if err != nil {
		ex.sessionErr, session = err, ""
	}
	kr := &ex.kr
	*kr = kit.Request{
		Method:    r.Method,
		Host:      r.Host,
		Path:      path,
		Operation: op,
		Params:    vars, // the exchange's own: nothing holds it past the request
		Query:     query(r.URL.RawQuery),
		Header:    r.Header,
		Session:   session,
		Now:       e.now(),
		TLS:       r.TLS != nil,
		ViaPrefix: viaPrefix,
	}
	if kr.Params == nil {
		kr.Params = map[string]string{}
	}
	ex.mediaType = kit.MediaType(r.Header.Get("Content-Type"))
	if r.Body == nil {
		return nil
	}
	body, err := readBody(r, e.cfg.MaxBody)
	if err != nil {
		return &kit.Error{Kind: kit.BadRequest, In: "body", Detail: "reading the body: " + err.Error()}
	}
	if int64(len(body)) > e.cfg.MaxBody {
		return &kit.Error{Kind: kit.TooLarge, Detail: fmt.Sprintf("body over %d bytes", e.cfg.MaxBody)}
	}
	kr.Body = body
	if ex.mediaType == formType {
		// Keep what parsed; validation reports a malformed body.
		kr.Form, ex.formErr = url.ParseQuery(string(body))
	}
	return nil
}

// query parses a query string; nil (which reads as empty) when there is
// none, so most requests allocate no map for it.
func query(raw string) url.Values {
	if raw == "" {
		return nil
	}
	q, _ := url.ParseQuery(raw) // what URL.Query keeps: the pairs that parse
	return q
}

// readBody reads at most limit+1 bytes. A declared length is a claim,
// not a promise: only a small one is allocated up front (one allocation
// for the usual request); a larger body grows its buffer as bytes arrive.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if n := r.ContentLength; n >= 0 && n <= min(limit, preallocBody) {
		buf := make([]byte, n)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			return nil, err
		}
		// Anything past the declared length is not the body (net/http stops there).
		return buf, nil
	}
	var buf bytes.Buffer
	_, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	return buf.Bytes(), err
}

// preallocBody is the largest declared body length allocated before the
// bytes arrive.
const preallocBody = 64 << 10
