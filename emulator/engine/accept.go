package engine

import (
	"maps"
	"net/url"
	"reflect"
	"slices"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// acceptor is a request body's schema compiled for one question: does
// this body certainly conform? It says yes only for a body it reads whole
// and finds meeting every keyword of the schema; anything else (a keyword
// it does not know, a number, null, an escape or a byte past ASCII in a
// JSON string, a key the schema does not declare or one given twice,
// anything after the value) is "not certain", and kin-openapi decides as
// it always did. So every refusal and its text are still kin-openapi's,
// and a conforming body, the usual one, is not decoded into a tree of
// values and walked generically. FuzzDirectBody holds the two together.
type acceptor struct {
	kind     byte         // 'o' object, 'a' array, 's' string, 'b' boolean
	props    []acceptProp // an object's declared properties
	required uint64       // an object's required properties, by bit
	items    *acceptor    // an array's items
	min, max int          // an array's items, a string's length; max -1: none
	enum     []string     // a string's allowed values; nil: any
}

type acceptProp struct {
	name string
	a    *acceptor
}

// maxAcceptDepth bounds the nesting an acceptor reads; deeper is not certain.
const maxAcceptDepth = 16

// acceptorFields are the Schema fields an acceptor honours or that cannot
// refuse a value; a schema with any other field set is not compiled.
var acceptorFields = []string{"Extensions", "Origin", "Type", "Title", "Description", "Enum", "Default", "Example",
	"ExternalDocs", "Deprecated", "XML", "MinLength", "MaxLength", "MinItems", "MaxItems", "Items", "Required",
	"Properties", "AdditionalProperties", "Examples", "Comment"}

// compileAcceptor compiles a schema of an OpenAPI 3.0 document; nil when
// it uses anything the acceptor does not read.
func compileAcceptor(ref *openapi3.SchemaRef, depth int) *acceptor {
	if ref == nil || ref.Value == nil || depth > maxAcceptDepth || !onlyAcceptorFields(ref.Value) {
		return nil
	}
	sc := ref.Value
	if sc.Type == nil || len(sc.Type.Slice()) != 1 {
		return nil
	}
	a := &acceptor{min: int(min(sc.MinLength, 1<<30)), max: -1}
	if sc.MaxLength != nil {
		a.max = int(min(*sc.MaxLength, 1<<30))
	}
	switch {
	case sc.Type.Is("string"):
		a.kind = 's'
		for _, v := range sc.Enum {
			s, ok := v.(string)
			if !ok {
				return nil
			}
			a.enum = append(a.enum, s)
		}
		return a
	case sc.Type.Is("boolean") && len(sc.Enum) == 0:
		a.kind = 'b'
		return a
	case sc.Type.Is("array") && len(sc.Enum) == 0:
		return compileArray(a, sc, depth)
	case sc.Type.Is("object") && len(sc.Enum) == 0:
		return compileObject(a, sc, depth)
	}
	return nil
}

func compileArray(a *acceptor, sc *openapi3.Schema, depth int) *acceptor {
	a.kind, a.min, a.max = 'a', int(min(sc.MinItems, 1<<30)), -1
	if sc.MaxItems != nil {
		a.max = int(min(*sc.MaxItems, 1<<30))
	}
	if a.items = compileAcceptor(sc.Items, depth+1); a.items == nil {
		return nil
	}
	return a
}

func compileObject(a *acceptor, sc *openapi3.Schema, depth int) *acceptor {
	a.kind = 'o'
	if len(sc.Properties) > 64 {
		return nil
	}
	for _, name := range slices.Sorted(maps.Keys(sc.Properties)) {
		p := compileAcceptor(sc.Properties[name], depth+1)
		if p == nil {
			return nil
		}
		a.props = append(a.props, acceptProp{name, p})
	}
	for _, name := range sc.Required {
		i := a.prop(name)
		if i < 0 {
			return nil // required but undeclared: no body this reads can have it
		}
		a.required |= 1 << i
	}
	return a
}

// onlyAcceptorFields tells a schema whose every field outside
// acceptorFields is zero, so kin-openapi checks nothing the acceptor does
// not.
func onlyAcceptorFields(sc *openapi3.Schema) bool {
	v := reflect.ValueOf(sc).Elem()
	for i := range v.NumField() {
		if !v.Field(i).IsZero() && !slices.Contains(acceptorFields, v.Type().Field(i).Name) {
			return false
		}
	}
	return true
}

func (a *acceptor) prop(name string) int {
	for i, p := range a.props {
		if p.name == name {
			return i
		}
	}
	return -1
}

// propOf is prop for a key as read, without making a string of it.
func (a *acceptor) propOf(key []byte) int {
	for i, p := range a.props {
		if p.name == string(key) {
			return i
		}
	}
	return -1
}

// acceptsJSON tells a JSON body that certainly conforms.
func (a *acceptor) acceptsJSON(body []byte) bool {
	r := jsonReader{b: body}
	r.space()
	if !a.value(&r, 0) {
		return false
	}
	r.space()
	return r.i == len(r.b)
}

// acceptsString tells a string value that certainly conforms: its length
// counted as kin-openapi counts it, a rune each.
func (a *acceptor) acceptsString(s string) bool {
	if a.kind != 's' {
		return false
	}
	n := utf8.RuneCountInString(s)
	if n < a.min || a.max >= 0 && n > a.max {
		return false
	}
	return a.enum == nil || slices.Contains(a.enum, s)
}

// acceptsASCII is acceptsString for the ASCII a jsonReader reads: a
// byte is a rune.
func (a *acceptor) acceptsASCII(s []byte) bool {
	if len(s) < a.min || a.max >= 0 && len(s) > a.max {
		return false
	}
	if a.enum == nil {
		return true
	}
	for _, e := range a.enum {
		if e == string(s) {
			return true
		}
	}
	return false
}

// acceptsForm tells a form body, read as directBody reads it (each
// declared property's first non-empty value), that certainly conforms.
func (a *acceptor) acceptsForm(form url.Values) bool {
	if a.kind != 'o' {
		return false
	}
	var seen uint64
	for i, p := range a.props {
		values := form[p.name]
		if len(values) == 0 {
			continue
		}
		if !p.a.acceptsString(formValue(values)) {
			return false
		}
		seen |= 1 << i
	}
	return seen&a.required == a.required
}

func (a *acceptor) value(r *jsonReader, depth int) bool {
	if depth > maxAcceptDepth {
		return false
	}
	switch a.kind {
	case 's':
		s, ok := r.str()
		return ok && a.acceptsASCII(s)
	case 'b':
		return r.literal("true") || r.literal("false")
	case 'a':
		return a.array(r, depth)
	case 'o':
		return a.object(r, depth)
	}
	return false
}

func (a *acceptor) array(r *jsonReader, depth int) bool {
	if !r.byte('[') {
		return false
	}
	n := 0
	r.space()
	for !r.byte(']') {
		if n > 0 && !r.byte(',') {
			return false
		}
		r.space()
		if !a.items.value(r, depth+1) {
			return false
		}
		n++
		r.space()
	}
	return n >= a.min && (a.max < 0 || n <= a.max)
}

func (a *acceptor) object(r *jsonReader, depth int) bool {
	if !r.byte('{') {
		return false
	}
	var seen uint64
	r.space()
	for n := 0; !r.byte('}'); n++ {
		if n > 0 && !r.byte(',') {
			return false
		}
		r.space()
		key, ok := r.str()
		i := a.propOf(key)
		if !ok || i < 0 || seen&(1<<i) != 0 {
			return false
		}
		seen |= 1 << i
		r.space()
		if !r.byte(':') {
			return false
		}
		r.space()
		if !a.props[i].a.value(r, depth+1) {
			return false
		}
		r.space()
	}
	return seen&a.required == a.required
}

// jsonReader reads the plain JSON an acceptor certifies.
type jsonReader struct {
	b []byte
	i int
}

func (r *jsonReader) space() {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\t' || r.b[r.i] == '\n' || r.b[r.i] == '\r') {
		r.i++
	}
}

func (r *jsonReader) byte(c byte) bool {
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

func (r *jsonReader) literal(s string) bool {
	if len(r.b)-r.i >= len(s) && string(r.b[r.i:r.i+len(s)]) == s {
		r.i += len(s)
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes; ok false for
// anything else, which the acceptor leaves to kin-openapi.
func (r *jsonReader) str() ([]byte, bool) {
	if !r.byte('"') {
		return nil, false
	}
	start := r.i
	for r.i < len(r.b) {
		switch c := r.b[r.i]; {
		case c == '"':
			s := r.b[start:r.i]
			r.i++
			return s, true
		case c < 0x20 || c >= 0x7f || c == '\\':
			return nil, false
		}
		r.i++
	}
	return nil, false
}
