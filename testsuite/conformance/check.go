package conformance

import (
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/offboard/offboard/emulator/xmlschema"
)

// check lists how an answer breaks the spec.
func check(w *world, r *request, a *answer) []string {
	var problems []string
	if a.status >= 500 {
		problems = append(problems, fmt.Sprintf("a %d with no fault injected", a.status))
	}
	if r.route {
		if !vendorShaped(w, a) {
			problems = append(problems, fmt.Sprintf("no response of the %s spec has this %q body: %s",
				w.vendor, a.header.Get("Content-Type"), excerpt(a.body)))
		}
		return problems
	}
	ref := r.op.op.Responses.Status(a.status)
	if ref == nil {
		ref = r.op.op.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return append(problems, fmt.Sprintf("status %d is not declared (declared: %s): %s", a.status, declared(r.op.op), excerpt(a.body)))
	}
	return append(problems, conforms(ref.Value, a)...)
}

// declared lists an operation's statuses.
func declared(op *openapi3.Operation) string {
	return strings.Join(slices.Sorted(maps.Keys(op.Responses.Map())), ", ")
}

// conforms lists how an answer breaks one declared response.
func conforms(resp *openapi3.Response, a *answer) []string {
	var problems []string
	names := slices.Sorted(maps.Keys(resp.Headers))
	for _, name := range names {
		if h := resp.Headers[name]; h != nil && h.Value != nil && h.Value.Required && a.header.Get(name) == "" {
			problems = append(problems, "no "+name+" header, which the spec requires")
		}
	}
	ct := a.header.Get("Content-Type")
	if len(resp.Content) == 0 {
		if len(a.body) > 0 {
			problems = append(problems, fmt.Sprintf("a body (%q) where the spec declares none: %s", ct, excerpt(a.body)))
		}
		return problems
	}
	if len(a.body) == 0 {
		return append(problems, "an empty body where the spec declares "+mediaTypes(resp.Content))
	}
	if ct == "" {
		return append(problems, "a body without a Content-Type")
	}
	media := resp.Content.Get(ct)
	if media == nil {
		return append(problems, fmt.Sprintf("content type %q is not declared (declared: %s)", ct, mediaTypes(resp.Content)))
	}
	if err := bodyFits(ct, media, a.body); err != nil {
		problems = append(problems, fmt.Sprintf("the %s body does not fit its schema: %v; body: %s", ct, shorten(err.Error(), 600), excerpt(a.body)))
	}
	return problems
}

// bodyFits checks a body against a media type's schema: JSON by
// kin-openapi's validator, XML through the schema's xml annotations, and
// text as a UTF-8 string.
func bodyFits(ct string, media *openapi3.MediaType, body []byte) error {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("content type %q: %w", ct, err)
	}
	if media.Schema == nil || media.Schema.Value == nil {
		return nil
	}
	sc := media.Schema.Value
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return fmt.Errorf("not JSON: %w", err)
		}
		return sc.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors(), openapi3.DisableSchemaErrorDetails())
	case mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml"):
		return xmlschema.Check(body, sc)
	case strings.HasPrefix(mt, "text/"):
		if !utf8.Valid(body) {
			return fmt.Errorf("text that is not UTF-8")
		}
		return sc.VisitJSON(string(body), openapi3.VisitAsResponse())
	}
	return nil
}

// vendorShaped tells whether an answer to a request no operation takes is
// in the vendor's own shape: a body some response of the spec declares,
// in its content type. The status is the emulator's choice (a 404, a 405
// with Allow) and the vendors document none for these; it must only not
// be a 5xx.
func vendorShaped(w *world, a *answer) bool {
	if len(a.body) == 0 {
		return false
	}
	ct := a.header.Get("Content-Type")
	for _, op := range w.ops {
		for _, ref := range op.op.Responses.Map() {
			if ref == nil || ref.Value == nil {
				continue
			}
			if media := ref.Value.Content.Get(ct); media != nil && ct != "" && bodyFits(ct, media, a.body) == nil {
				return true
			}
		}
	}
	return false
}

func mediaTypes(c openapi3.Content) string {
	out := slices.Sorted(maps.Keys(c))
	return strings.Join(out, ", ")
}

// excerpt quotes the start of a body for a report.
func excerpt(body []byte) string {
	if len(body) == 0 {
		return "(empty)"
	}
	s := string(body)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	return strconv.Quote(shorten(s, 300))
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("... (%d bytes)", len(s))
}
