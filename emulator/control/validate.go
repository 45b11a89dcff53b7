package control

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/offboard/offboard/emulator/kit"
)

// maxChecked bounds how much of an answer the check keeps.
const maxChecked = 8 << 20

// Validating holds the control API to its own spec: every answer of an
// operation is checked (a declared status, content type and, for JSON, a
// body valid against its schema) and each mismatch told to report. Tests
// wrap the control API in it, as the vendor routes are checked against
// theirs.
func Validating(next http.Handler, report func(r *http.Request, status int, err error)) (http.Handler, error) {
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		return nil, err
	}
	doc.Servers = openapi3.Servers{{URL: Prefix}} // any host
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("control spec: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if err := check(router, r, rec); err != nil {
			report(r, rec.status, err)
		}
	}), nil
}

// check validates one recorded answer; nil for a path or method the spec
// has no operation for (those answer 404 and 405 by design).
func check(router routers.Router, r *http.Request, rec *recorder) error {
	// The router matches decoded paths; session ids stay one segment
	// only in the path as sent.
	routed := r.Clone(r.Context())
	routed.URL.Path, routed.URL.RawPath = r.URL.EscapedPath(), ""
	route, params, err := router.FindRoute(routed)
	if err != nil {
		return nil
	}
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	mt := kit.MediaType(rec.Header().Get("Content-Type"))
	if !strings.HasSuffix(mt, "json") {
		// kin-openapi decodes JSON bodies only; others are held to their
		// declared content type.
		opts.ExcludeResponseBody = true
		ref := route.Operation.Responses.Status(status)
		if ref != nil && ref.Value != nil && ref.Value.Content.Get(mt) == nil {
			return fmt.Errorf("%s %s answered %d as %q, which the control spec does not declare", r.Method, route.Path, status, mt)
		}
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: routed, PathParams: params, Route: route, Options: opts},
		Status:                 status,
		Header:                 rec.Header(),
		Options:                opts,
	}
	in.SetBodyBytes(rec.body.Bytes())
	if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
		return fmt.Errorf("%s %s (%s): %w", r.Method, route.Path, route.Operation.OperationID, err)
	}
	return nil
}

// recorder passes an answer through and keeps its status and body.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (rec *recorder) WriteHeader(status int) {
	if rec.status == 0 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if rec.body.Len() < maxChecked {
		rec.body.Write(b[:min(len(b), maxChecked-rec.body.Len())])
	}
	return rec.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (streams set
// write deadlines and flush through it).
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
