package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/gorilla/mux"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/store"
)

// serveRoute runs one request of a known operation through the pipeline:
// read -> authenticate (if the vendor checks credentials first) ->
// validate against the spec -> the handler under the slot lock -> write.
func (e *Emulator) serveRoute(w http.ResponseWriter, r *http.Request, rt *route, vars map[string]string) {
	ex, readErr := e.newExchange(r, rt.op, vars)
	kr := &ex.kr
	if kr.Session != "" && !store.ValidSessionID(kr.Session) {
		// Refused before the store sees it: a session id is a map key, a
		// header and a log field.
		cause := &kit.Error{Kind: kit.BadRequest, In: "header", Param: HeaderSession,
			Detail: fmt.Sprintf("session id must be 1 to %d characters of letters, digits and ._~-", store.MaxSessionID)}
		kr.Session = ""
		e.write(w, r, kr, rt.vendor, rt.op, e.renderError(rt.vendor, kr, cause), cause)
		return
	}
	var d decision
	_ = e.store.Slot(kr.Session, faultSlot).Do(func(s kit.State) error {
		d = s.(*faultState).decide(rt.vendor.Name(), rt.op, r.Method, r.URL.Path, kr.Now)
		return nil
	})
	if d.delay > 0 {
		t := time.NewTimer(d.delay)
		select {
		case <-t.C:
		case <-e.closing: // shutting down: answer now rather than never
			t.Stop()
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if d.drop {
		e.dropConnection(w, r, kr, rt, d.rule)
		return
	}
	var resp kit.Response
	var cause error
	if d.status != 0 {
		cause = &kit.Error{Kind: kit.Fault, Status: d.status, Detail: fmt.Sprintf("injected by fault rule %d", d.rule)}
	} else {
		resp, cause = e.run(r, ex, rt, readErr)
	}
	if cause != nil {
		resp = e.renderError(rt.vendor, kr, cause)
	}
	if d.status != 0 && (d.body != "" || d.contentType != "") {
		resp.Body = []byte(d.body)
		if d.contentType != "" {
			resp.Header.Set("Content-Type", d.contentType)
		}
	}
	if d.retryAfter > 0 {
		if resp.Header == nil {
			resp.Header = http.Header{}
		}
		// The rule's own figure wins over a vendor's default.
		resp.Header.Set("Retry-After", strconv.Itoa(d.retryAfter))
	}
	if e.opts.validateOutput != nil && d.body == "" && d.contentType == "" { // a custom fault body is the user's
		// An injected fault may answer a status the vendor never documents;
		// its body must still have the vendor's shape.
		e.checkResponse(r, kr, rt, resp, d.status == 0)
	}
	e.write(w, r, kr, rt.vendor, rt.op, resp, cause)
}

// dropConnection closes the connection without an answer, as a crashed
// server or a cut network would.
func (e *Emulator) dropConnection(w http.ResponseWriter, r *http.Request, kr *kit.Request, rt *route, rule int) {
	e.log.Info("request", "vendor", rt.vendor.Name(), "operation", rt.op, "method", r.Method, "path", r.URL.Path,
		"cause", fmt.Sprintf("connection dropped by fault rule %d", rule))
	cause := &kit.Error{Kind: kit.Fault, Detail: fmt.Sprintf("connection dropped by fault rule %d", rule)}
	e.record(r, kr, rt.vendor.Name(), rt.op, 0, cause, cause.Error(), nil, nil)
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Without a hijackable connection (HTTP/2, some test recorders), abort
	// the response the way net/http documents.
	panic(http.ErrAbortHandler)
}

// run produces the response or the error that decides it. A panic in a
// handler is recovered into the vendor's internal error.
func (e *Emulator) run(r *http.Request, ex *exchange, rt *route, readErr error) (resp kit.Response, cause error) {
	kr := &ex.kr
	defer func() {
		if p := recover(); p != nil {
			e.log.Error("handler panic", "vendor", rt.vendor.Name(), "operation", rt.op,
				"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			resp, cause = kit.Response{}, &kit.Error{Kind: kit.Internal, Detail: fmt.Sprintf("recovered panic: %v", p)}
		}
	}()
	if readErr != nil {
		return kit.Response{}, readErr
	}
	slot := e.store.Slot(kr.Session, rt.vendor.Name())
	if rt.vendor.auth != nil {
		if err := slot.Do(func(s kit.State) error { return rt.vendor.auth.Authenticate(kr, s) }); err != nil {
			return kit.Response{}, err
		}
	}
	if len(rt.params) > 0 || rt.body != nil {
		if err := validate(r, ex, rt); err != nil {
			return kit.Response{}, err
		}
	}
	err := slot.Do(func(s kit.State) error {
		var herr error
		resp, herr = rt.handler(kr, s)
		return herr
	})
	return resp, err
}

// exchange is what the pipeline keeps for one request beyond net/http's
// values: the vendor's view of the request and, for an operation the spec
// can refuse, what kin-openapi reads.
type exchange struct {
	kr      kit.Request
	formErr error // why a form body did not parse, when it did not
	v       *validation
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

// newRequest reads what a handler needs. A body over the limit is an error
// the vendor renders; the partial request is still returned for rendering.
func (e *Emulator) newRequest(r *http.Request, op string, vars map[string]string) (*kit.Request, error) {
	ex, err := e.newExchange(r, op, vars)
	return &ex.kr, err
}

// newExchange is newRequest, keeping room for validation.
func (e *Emulator) newExchange(r *http.Request, op string, vars map[string]string) (*exchange, error) {
	path := r.URL.Path
	if p, ok := r.Context().Value(originalPathKey).(string); ok {
		path = p
	}
	_, viaPrefix := r.Context().Value(sessionKey).(string)
	ex := &exchange{}
	kr := &ex.kr
	*kr = kit.Request{
		Method:    r.Method,
		Host:      r.Host,
		Path:      path,
		Operation: op,
		Params:    vars, // the request's own map from mux: nothing else holds it
		Query:     query(r.URL.RawQuery),
		Header:    r.Header,
		Session:   sessionOf(r),
		Now:       e.opts.now(),
		TLS:       r.TLS != nil,
		ViaPrefix: viaPrefix,
	}
	if kr.Params == nil {
		kr.Params = map[string]string{}
	}
	if r.Body == nil {
		return ex, nil
	}
	body, err := readBody(r, e.opts.maxBody)
	if err != nil {
		return ex, &kit.Error{Kind: kit.BadRequest, In: "body", Detail: "reading the body: " + err.Error()}
	}
	if int64(len(body)) > e.opts.maxBody {
		return ex, &kit.Error{Kind: kit.TooLarge, Detail: fmt.Sprintf("body over %d bytes", e.opts.maxBody)}
	}
	kr.Body = body
	if kit.MediaType(r.Header.Get("Content-Type")) == "application/x-www-form-urlencoded" {
		// Keep what parsed; validation reports a malformed body.
		kr.Form, ex.formErr = url.ParseQuery(string(body))
	}
	return ex, nil
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

func isXML(contentType string) bool {
	mt := kit.MediaType(contentType)
	return mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml")
}

// declares tells whether the operation takes a body of that media type.
func declares(rt *route, contentType string) bool {
	mt := kit.MediaType(contentType)
	body := rt.kin.Operation.RequestBody
	return body != nil && body.Value != nil && body.Value.Content.Get(mt) != nil
}

// toKitError turns kin-openapi's typed errors into the engine's kinds, so
// vendors never see kin-openapi.
func toKitError(err error) *kit.Error {
	ke := &kit.Error{Kind: kit.BadRequest, Detail: oneLine(err.Error())}
	var re *openapi3filter.RequestError
	if errors.As(err, &re) {
		switch {
		case re.Parameter != nil:
			ke.In, ke.Param = re.Parameter.In, re.Parameter.Name
		case re.RequestBody != nil && strings.HasPrefix(re.Reason, "header Content-Type"):
			// A media type the operation does not take: some vendors
			// answer 415 for it.
			ke.In, ke.Param = "header", "Content-Type"
		case re.RequestBody != nil:
			ke.In = "body"
		}
		var se *openapi3.SchemaError
		if errors.As(re.Err, &se) {
			ptr := se.JSONPointer()
			if ke.In == "body" && len(ptr) > 0 {
				ke.Param = ptr[0]
			}
			// The schema dump in SchemaError.Error() is noise in a header.
			prefix := strings.TrimSuffix(strings.TrimSuffix(re.Error(), re.Err.Error()), ": ")
			ke.Detail = fmt.Sprintf("%s: %s at /%s", prefix, se.Reason, strings.Join(ptr, "/"))
		}
	}
	return ke
}

func (e *Emulator) renderError(v *vendorEntry, kr *kit.Request, cause error) (resp kit.Response) {
	defer func() {
		// A vendor's renderer must never take the server down; answer with
		// its internal error rendered again, or a bare 500 as the last resort.
		if p := recover(); p != nil {
			e.log.Error("error renderer panic", "vendor", v.Name(), "panic", fmt.Sprint(p))
			resp = kit.Raw(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("internal error\n"))
		}
	}()
	return v.Error(kr, cause)
}

// serveError answers an engine error (no route, wrong method) in the shape
// of the vendor that owns the path.
func (e *Emulator) serveError(w http.ResponseWriter, r *http.Request, v *vendorEntry, cause *kit.Error) {
	kr, _ := e.newRequest(r, "", mux.Vars(r))
	e.write(w, r, kr, v, "", e.renderError(v, kr, cause), cause)
}

// write sends a response value. The cause of an error goes to the log and
// one header; the body is what the vendor would send.
func (e *Emulator) write(w http.ResponseWriter, r *http.Request, kr *kit.Request, v *vendorEntry, op string, resp kit.Response, cause error) {
	h := w.Header()
	for k, vals := range resp.Header {
		h[k] = vals
	}
	var detail string // the cause once, for the header, the journal and the log
	if cause != nil {
		detail = cause.Error()
		// Canonical keys, set directly: Set would canonicalize them again.
		h[HeaderDetail] = []string{headerSafe(truncate(oneLine(detail), 512))}
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	if status != http.StatusNoContent && status != http.StatusNotModified {
		h["Content-Length"] = []string{strconv.Itoa(len(resp.Body))}
	}
	w.WriteHeader(status)
	sent := resp.Body
	if r.Method == http.MethodHead || status == http.StatusNoContent {
		sent = nil
	}
	_, _ = w.Write(sent)
	e.record(r, kr, v.Name(), op, status, cause, detail, h, sent)
	level := slog.LevelDebug
	if cause != nil {
		level = slog.LevelInfo
	}
	if !e.log.Enabled(r.Context(), level) {
		return // building the attributes costs more than the rest of the write
	}
	attrs := []any{"vendor", v.Name(), "operation", op, "method", r.Method, "path", kr.Path, "status", status, "session", kr.Session}
	if cause != nil {
		attrs = append(attrs, "cause", detail)
	}
	e.log.Log(r.Context(), level, "request", attrs...)
}

// checkResponse validates a response against the operation's spec and
// reports a mismatch (used by tests: behaviour and spec cannot drift).
func (e *Emulator) checkResponse(r *http.Request, kr *kit.Request, rt *route, resp kit.Response, strictStatus bool) {
	if err := e.responseError(r, kr, rt, resp, strictStatus); err != nil {
		e.opts.validateOutput(r, resp.Status, err)
	}
}

// responseError tells how a response breaks its operation's spec.
func (e *Emulator) responseError(r *http.Request, kr *kit.Request, rt *route, resp kit.Response, strictStatus bool) error {
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	header := resp.Header
	if header == nil {
		header = http.Header{}
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: strictStatus, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	mt := kit.MediaType(header.Get("Content-Type"))
	if mt != "" && !strings.HasSuffix(mt, "json") {
		// kin-openapi decodes JSON bodies only; other media types are
		// checked against the declared content types, bodies by golden tests.
		opts.ExcludeResponseBody = true
		if ref := rt.kin.Operation.Responses.Status(status); ref != nil && ref.Value != nil && ref.Value.Content.Get(mt) == nil {
			return fmt.Errorf("%s %s: content type %q not declared for %d", rt.vendor.Name(), rt.op, mt, status)
		}
	}
	ex := &exchange{kr: *kr}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: ex.validationInput(r, rt),
		Status:                 status,
		Header:                 header,
		Options:                opts,
	}
	input.SetBodyBytes(resp.Body)
	if err := openapi3filter.ValidateResponse(r.Context(), input); err != nil {
		return fmt.Errorf("%s %s: %w", rt.vendor.Name(), rt.op, err)
	}
	return nil
}

// Conforms tells whether an answer to a request, from any server (a
// vendor's sandbox), is one the request's operation in offboard's spec
// allows: a declared status, content type and, for JSON, body. The
// contract suite uses it where a sandbox's data cannot be compared.
func (e *Emulator) Conforms(r *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	rt, params := e.operationOf(r)
	if rt == nil {
		return fmt.Errorf("%s %s is no operation of offboard's specs", r.Method, r.URL.Path)
	}
	kr := &kit.Request{Body: reqBody, Params: params}
	if err := e.responseError(r, kr, rt, kit.Response{Status: status, Header: header, Body: body}, true); err != nil {
		return fmt.Errorf("answered %d, which offboard's spec does not allow: %w", status, err)
	}
	return nil
}

// headerSafe escapes what may not stand in a header value: control
// characters (a NUL from a client's path would make curl, Go and Node
// reject the whole answer) and, for clients that take only ASCII,
// everything past it.
func headerSafe(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0x7e:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// oneLine folds runs of white space into one space and trims the ends.
func oneLine(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c > ' ' && c < utf8.RuneSelf {
			continue
		}
		// A single space between words is already folded; anything else
		// (other white space, a control, non-ASCII whose Unicode spaces
		// strings.Fields knows) takes the slow way.
		if s[i] != ' ' || i == 0 || i == len(s)-1 || s[i+1] == ' ' {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s // already one line: no copy
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"encoding the answer failed"}`)
	}
	body = append(body, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// streamList writes {"<countKey>": n, "<listKey>": [ item(0), ... ]} laid
// out as writeJSON does, one item at a time: a large answer is never
// whole in memory.
func streamList(w http.ResponseWriter, countKey string, n int, listKey string, item func(i int) any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 16<<10)
	fmt.Fprintf(bw, "{\n  %q: %d,\n  %q: [", countKey, n, listKey)
	var one, pretty bytes.Buffer
	for i := range n {
		one.Reset()
		pretty.Reset()
		enc := json.NewEncoder(&one)
		if err := enc.Encode(item(i)); err != nil {
			break // cannot happen for our own types; the answer ends short
		}
		_ = json.Indent(&pretty, bytes.TrimSuffix(one.Bytes(), []byte("\n")), "    ", "  ")
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		bw.Write(pretty.Bytes())
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	_ = bw.Flush()
}

func writeAdminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
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
