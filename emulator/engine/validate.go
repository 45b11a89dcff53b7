package engine

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/offboard/offboard/emulator/kit"
)

// validate checks the request against its operation in the spec, with
// kin-openapi's ValidateParameter and ValidateRequestBody in the order its
// ValidateRequest calls them, over only the parameters that could fail
// (see checkedParams). Security is left to the vendor, whose real service
// orders its checks its own way.
func validate(r *http.Request, ex *exchange, rt *route) error {
	input := ex.validationInput(r, rt)
	ctx := r.Context()
	for _, p := range rt.params {
		if err := openapi3filter.ValidateParameter(ctx, input, p); err != nil {
			return toKitError(err)
		}
	}
	if rt.body == nil || input.Options.ExcludeRequestBody {
		return nil
	}
	for _, d := range rt.direct {
		if d.applies(r, ex, rt.body) {
			if err := d.validate(input, rt.body, ex); err != nil {
				return toKitError(err)
			}
			return nil
		}
	}
	if err := openapi3filter.ValidateRequestBody(ctx, input, rt.body); err != nil {
		return toKitError(err)
	}
	return nil
}

func (ex *exchange) validationInput(r *http.Request, rt *route) *openapi3filter.RequestValidationInput {
	// A shallow copy is enough: validation reads the request and only
	// needs a fresh body reader.
	if ex.v == nil {
		ex.v = &validation{}
	}
	v := ex.v
	v.req = *r
	v.body.Reset(ex.kr.Body)
	v.req.Body = &v.body
	opts := &rt.opts
	// kin-openapi decodes no XML (its decoder registry is global): an XML
	// body is the vendor's to parse; its media type is still checked
	// against the spec.
	if isXML(ex.mediaType) && declares(rt, ex.mediaType) {
		opts = &rt.optsNoBody
	}
	v.val = openapi3filter.RequestValidationInput{
		Request:     &v.req,
		PathParams:  ex.kr.Params,
		QueryParams: ex.kr.Query, // parsed once, in newRequest
		Route:       rt.kin,
		Options:     opts,
	}
	return &v.val
}

const (
	formType = "application/x-www-form-urlencoded"
	jsonType = "application/json"
)

// directBody validates one media type of an operation's request body
// without ValidateRequestBody's generic path, which copies the body, looks
// its decoder up in a global registry and, for forms, parses the body a
// second time and walks the schema generically. The verdict and the error
// are still kin-openapi's: the value is made as its decoder makes it and
// checked by its schema validator with the options ValidateRequestBody
// uses (FuzzDirectBody holds the two paths together). Any other body,
// media type or parse outcome takes kin-openapi's whole path.
//
// A JSON body is decoded by kin-openapi's own JSONBodyDecoder. A form body
// is taken only when its schema is an object of plain string properties
// (ArcGIS's operations): for those, kin-openapi's form decoder makes an
// object holding each declared property present in the form, with its
// first non-empty value (the first value when all are empty), and nothing
// else; directBody builds that object from the form the pipeline parsed.
type directBody struct {
	mediaType string              // formType or jsonType
	media     *openapi3.MediaType // the content entry kin-openapi would pick
	props     []string            // a form's properties, in kin-openapi's (sorted) order
	reason    string              // kin-openapi's RequestError reason on a mismatch
	opts      []openapi3.SchemaValidationOption
	accept    *acceptor // certifies the usual conforming body; nil: kin-openapi decides every one
}

// directBodies are the shortcuts an operation's request body allows.
func directBodies(doc *openapi3.T, body *openapi3.RequestBody) []*directBody {
	if body == nil {
		return nil
	}
	var out []*directBody
	for _, mediaType := range []string{formType, jsonType} {
		mt := body.Content[mediaType]
		if mt == nil || len(mt.Encoding) > 0 || mt.Schema == nil || mt.Schema.Value == nil {
			continue
		}
		sc := mt.Schema.Value
		d := &directBody{mediaType: mediaType, media: mt, opts: []openapi3.SchemaValidationOption{openapi3.VisitAsRequest()}}
		if mediaType == formType {
			if d.props = flatStrings(sc); d.props == nil {
				continue
			}
		} else if sc.Type.Is("string") && sc.Format == "binary" {
			continue // kin-openapi reads a binary schema as a file
		}
		// kin-openapi names the schema in its reason: its $ref, else its title.
		d.reason = "doesn't match schema"
		id := strings.TrimSpace(mt.Schema.Ref)
		if id == "" {
			id = strings.TrimSpace(sc.Title)
		}
		if id != "" {
			d.reason += " " + id
		}
		if doc.IsOpenAPI31OrLater() {
			d.opts = append(d.opts, openapi3.EnableJSONSchema2020())
		} else {
			d.accept = compileAcceptor(mt.Schema, 0)
		}
		out = append(out, d)
	}
	return out
}

// flatStrings lists, sorted, the properties of an object schema whose
// properties are all plain strings; nil for any other schema.
func flatStrings(sc *openapi3.Schema) []string {
	if !sc.Type.Is("object") || len(sc.AllOf)+len(sc.AnyOf)+len(sc.OneOf) > 0 || sc.Not != nil {
		return nil
	}
	props := []string{}
	for name, p := range sc.Properties {
		if p == nil || p.Value == nil {
			return nil
		}
		v := p.Value
		if v.Type == nil || len(v.Type.Slice()) != 1 || !v.Type.Is("string") ||
			len(v.AllOf)+len(v.AnyOf)+len(v.OneOf) > 0 || v.Not != nil {
			return nil
		}
		props = append(props, name)
	}
	slices.Sort(props)
	return props
}

// applies tells whether this request takes the shortcut: a non-empty body
// (for a form, one that parsed) sent as the media type it is for.
func (d *directBody) applies(r *http.Request, ex *exchange, body *openapi3.RequestBody) bool {
	ct := r.Header.Get("Content-Type")
	return len(ex.kr.Body) > 0 && (d.mediaType != formType || ex.formErr == nil) &&
		ex.mediaType == d.mediaType && body.Content.Get(ct) == d.media
}

// validate is ValidateRequestBody's decoding and schema check for the
// shortcut's media type.
func (d *directBody) validate(input *openapi3filter.RequestValidationInput, body *openapi3.RequestBody, ex *exchange) error {
	if d.accept != nil {
		if d.mediaType == jsonType && d.accept.acceptsJSON(ex.kr.Body) || d.mediaType == formType && d.accept.acceptsForm(ex.kr.Form) {
			return nil
		}
	}
	var value any
	if d.mediaType == jsonType {
		v, err := openapi3filter.JSONBodyDecoder(bytes.NewReader(ex.kr.Body), input.Request.Header, d.media.Schema, nil)
		if err != nil {
			return &openapi3filter.RequestError{Input: input, RequestBody: body, Reason: "failed to decode request body", Err: err}
		}
		value = v
	} else {
		obj := make(map[string]any, len(d.props))
		for _, name := range d.props {
			if values := ex.kr.Form[name]; len(values) > 0 {
				obj[name] = formValue(values)
			}
		}
		value = obj
	}
	if err := d.media.Schema.Value.VisitJSON(value, d.opts...); err != nil {
		return &openapi3filter.RequestError{Input: input, RequestBody: body, Reason: d.reason, Err: err}
	}
	return nil
}

func isXML(mt string) bool {
	return mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml")
}

// declares tells whether the operation takes a body of that media type.
func declares(rt *route, mt string) bool {
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

// formValue is a form field as kin-openapi's form decoder reads it: its
// first non-empty value, the first when all are empty.
func formValue(values []string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return values[0]
}
