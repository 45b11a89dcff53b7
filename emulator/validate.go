package emulator

import (
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
	var err error
	if rt.form != nil && rt.form.applies(r, ex, rt.body) {
		err = rt.form.validate(input, rt.body, ex.kr.Form)
	} else {
		err = openapi3filter.ValidateRequestBody(ctx, input, rt.body)
	}
	if err != nil {
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
	if ct := r.Header.Get("Content-Type"); isXML(ct) && declares(rt, ct) {
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

const formType = "application/x-www-form-urlencoded"

// flatForm validates a form body whose schema is an object of plain
// string properties (ArcGIS's operations) without kin-openapi's form
// decoder, which parses the body a second time and walks the schema
// generically: for such a schema that decoder makes, from the parsed
// form, an object holding each declared property present in the form,
// with its first non-empty value (the first value when all are empty),
// and nothing else. flatForm builds that object from the form the
// pipeline already parsed and hands it to kin-openapi's schema validator
// with the options ValidateRequestBody uses, so the verdict and the
// error are kin-openapi's (FuzzFlatForm holds the two paths together).
// Any other body, media type or parse outcome takes kin-openapi's path.
type flatForm struct {
	media  *openapi3.MediaType // the content entry kin-openapi would pick
	props  []string            // declared properties, in kin-openapi's (sorted) order
	reason string              // kin-openapi's RequestError reason on a mismatch
	opts   []openapi3.SchemaValidationOption
}

// newFlatForm is the fast path for a request body, or nil when its form
// schema is anything but a flat object of strings.
func newFlatForm(doc *openapi3.T, body *openapi3.RequestBody) *flatForm {
	if body == nil {
		return nil
	}
	mt := body.Content[formType]
	if mt == nil || len(mt.Encoding) > 0 || mt.Schema == nil || mt.Schema.Value == nil {
		return nil
	}
	sc := mt.Schema.Value
	if !sc.Type.Is("object") || len(sc.AllOf)+len(sc.AnyOf)+len(sc.OneOf) > 0 || sc.Not != nil {
		return nil
	}
	f := &flatForm{media: mt, opts: []openapi3.SchemaValidationOption{openapi3.VisitAsRequest()}}
	for name, p := range sc.Properties {
		if p == nil || p.Value == nil {
			return nil
		}
		v := p.Value
		if v.Type == nil || len(v.Type.Slice()) != 1 || !v.Type.Is("string") ||
			len(v.AllOf)+len(v.AnyOf)+len(v.OneOf) > 0 || v.Not != nil {
			return nil
		}
		f.props = append(f.props, name)
	}
	slices.Sort(f.props)
	// kin-openapi names the schema in its reason: its $ref, else its title.
	f.reason = "doesn't match schema"
	id := strings.TrimSpace(mt.Schema.Ref)
	if id == "" {
		id = strings.TrimSpace(sc.Title)
	}
	if id != "" {
		f.reason += " " + id
	}
	if doc.IsOpenAPI31OrLater() {
		f.opts = append(f.opts, openapi3.EnableJSONSchema2020())
	}
	return f
}

// applies tells whether this request takes the fast path: a non-empty
// form body that parsed, sent as the media type the form entry is for.
func (f *flatForm) applies(r *http.Request, ex *exchange, body *openapi3.RequestBody) bool {
	ct := r.Header.Get("Content-Type")
	return len(ex.kr.Body) > 0 && ex.formErr == nil && kit.MediaType(ct) == formType && body.Content.Get(ct) == f.media
}

// validate is ValidateRequestBody's schema check over the object
// kin-openapi's form decoder would have made.
func (f *flatForm) validate(input *openapi3filter.RequestValidationInput, body *openapi3.RequestBody, form map[string][]string) error {
	obj := make(map[string]any, len(f.props))
	for _, name := range f.props {
		values, ok := form[name]
		if !ok || len(values) == 0 {
			continue
		}
		raw := values[0]
		for _, v := range values[1:] {
			if raw != "" {
				break
			}
			raw = v
		}
		obj[name] = raw
	}
	if err := f.media.Schema.Value.VisitJSON(obj, f.opts...); err != nil {
		return &openapi3filter.RequestError{Input: input, RequestBody: body, Reason: f.reason, Err: err}
	}
	return nil
}
