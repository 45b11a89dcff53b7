package engine

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/offboard/offboard/emulator/kit"
	"github.com/offboard/offboard/emulator/xmlschema"
)

// checkResponse validates a response against the operation's spec and
// reports a mismatch (used by tests: behaviour and spec cannot drift).
func (e *Engine) checkResponse(r *http.Request, kr *kit.Request, rt *route, resp kit.Response, strictStatus bool) {
	if err := e.responseError(r, kr, rt, resp, strictStatus); err != nil {
		e.cfg.ValidateOutput(r, resp.Status, err)
	}
	if err := outcomeMismatch(rt.vendor, resp); err != nil {
		e.cfg.ValidateOutput(r, resp.Status, err)
	}
}

// outcomeMismatch tells an answer whose maker said one outcome while its
// bytes, read by the vendor's judge, say another: the two must agree, or
// the journal and the console would tell a client's error as a success.
func outcomeMismatch(v *vendorEntry, resp kit.Response) error {
	if resp.Status == 0 {
		resp.Status = http.StatusOK
	}
	said, read := outcomeOf(resp), v.Outcome(resp)
	if !printable(said.Message) {
		// XML cannot carry a control character: the body holds a
		// replacement where the maker's message holds the byte.
		read.Message = said.Message
	}
	if said != read {
		return fmt.Errorf("%s: the answer says its outcome is %+v, its body reads as %+v", v.Name(), said, read)
	}
	return nil
}

// responseError tells how a response breaks its operation's spec.
func (e *Engine) responseError(r *http.Request, kr *kit.Request, rt *route, resp kit.Response, strictStatus bool) error {
	if err := rt.vendor.wait(); err != nil {
		return err
	}
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	header := resp.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if resp.ContentType != "" {
		header.Set("Content-Type", resp.ContentType)
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: strictStatus, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	mt := kit.MediaType(header.Get("Content-Type"))
	if mt != "" && !strings.HasSuffix(mt, "json") {
		// kin-openapi decodes JSON bodies only; XML is read through the
		// schema's xml annotations, other media types are checked against
		// the declared content types, their bodies by golden tests.
		opts.ExcludeResponseBody = true
		if ref := rt.kin.Operation.Responses.Status(status); ref != nil && ref.Value != nil {
			media := ref.Value.Content.Get(mt)
			if media == nil {
				return fmt.Errorf("%s %s: content type %q not declared for %d", rt.vendor.Name(), rt.op, mt, status)
			}
			if strings.HasSuffix(mt, "xml") && media.Schema != nil && media.Schema.Value != nil && len(resp.Body) > 0 {
				if err := xmlschema.Check(resp.Body, media.Schema.Value); err != nil {
					return fmt.Errorf("%s %s: %d %s: %w", rt.vendor.Name(), rt.op, status, mt, err)
				}
			}
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

// printable tells text without control characters, valid UTF-8.
func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// Conforms tells whether an answer to a request, from any server (a
// vendor's sandbox), is one the request's operation in offboard's spec
// allows: a declared status, content type and, for JSON, body. The
// contract suite uses it where a sandbox's data cannot be compared.
func (e *Engine) Conforms(r *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	rt, params := e.operationOf(r)
	if rt == nil {
		return fmt.Errorf("%s %s is no operation of offboard's specs", r.Method, r.URL.Path)
	}
	kr := &kit.Request{Body: reqBody, Params: params}
	if err := e.responseError(r, kr, rt, kit.Response{Status: status, ContentType: header.Get("Content-Type"), Header: header, Body: body}, true); err != nil {
		return fmt.Errorf("answered %d, which offboard's spec does not allow: %w", status, err)
	}
	return nil
}
