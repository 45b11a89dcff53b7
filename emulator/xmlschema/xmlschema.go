// Package xmlschema checks an XML body against an OpenAPI schema through
// the schema's xml annotations, as OpenAPI describes them: an object is an
// element, named by its xml.name (a property's by its own, else by the
// property's name); a property with xml.attribute is an attribute; an
// array is its items repeated, each named by the items' xml.name (else the
// property's), inside a wrapper element only with xml.wrapped. The
// document is read as the JSON value it stands for and that value is
// checked by kin-openapi's schema validator, so XML and JSON answers are
// held to one schema language.
//
// Unlike JSON, where a property the schema does not name is allowed, an
// attribute or child element the schema does not name is an error here:
// an element under the wrong name would otherwise pass as "absent".
package xmlschema

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/beevik/etree"
	"github.com/getkin/kin-openapi/openapi3"
)

// Limits keep a hostile or broken document cheap to check.
const (
	maxBytes = 4 << 20
	maxDepth = 64
)

// Check tells how an XML document breaks the schema; nil when it fits.
func Check(data []byte, schema *openapi3.Schema) error {
	value, sc, err := Decode(data, schema)
	if err != nil {
		return err
	}
	if err := sc.VisitJSON(value, openapi3.VisitAsResponse(), openapi3.MultiErrors(), openapi3.DisableSchemaErrorDetails()); err != nil {
		return fmt.Errorf("xml: %w", err)
	}
	return nil
}

// Decode reads an XML document as the JSON value the schema describes and
// returns it with the schema it was read by: for a oneOf or anyOf, the
// alternative whose xml.name is the root element's.
func Decode(data []byte, schema *openapi3.Schema) (any, *openapi3.Schema, error) {
	if schema == nil {
		return nil, nil, errors.New("xml: no schema")
	}
	if len(data) > maxBytes {
		return nil, nil, fmt.Errorf("xml: %d bytes, more than the %d this checks", len(data), maxBytes)
	}
	doc := etree.NewDocument()
	doc.ReadSettings.Permissive = false
	if err := doc.ReadFromBytes(data); err != nil {
		return nil, nil, fmt.Errorf("xml: %w", err)
	}
	root := doc.Root()
	if root == nil {
		return nil, nil, errors.New("xml: no root element")
	}
	sc, err := rootSchema(schema, root.Tag)
	if err != nil {
		return nil, nil, err
	}
	v, err := element(root, sc, "/"+root.Tag, 0)
	if err != nil {
		return nil, nil, err
	}
	return v, sc, nil
}

// rootSchema picks the schema for a root element: the schema itself when
// it names that element or no element, else the one alternative that does.
func rootSchema(schema *openapi3.Schema, tag string) (*openapi3.Schema, error) {
	alts := append(append([]*openapi3.SchemaRef{}, schema.OneOf...), schema.AnyOf...)
	if len(alts) == 0 {
		if name := xmlName(schema, ""); name != "" && name != tag {
			return nil, fmt.Errorf("xml: root element <%s>; the schema's is <%s>", tag, name)
		}
		return schema, nil
	}
	var names []string
	for _, alt := range alts {
		if alt == nil || alt.Value == nil {
			continue
		}
		name := xmlName(alt.Value, "")
		if name == tag {
			return alt.Value, nil
		}
		names = append(names, "<"+name+">")
	}
	return nil, fmt.Errorf("xml: root element <%s>; the schema's are %s", tag, strings.Join(names, ", "))
}

// xmlName is the element or attribute name a schema gives itself, else
// fallback.
func xmlName(sc *openapi3.Schema, fallback string) string {
	if sc != nil && sc.XML != nil && sc.XML.Name != "" {
		return sc.XML.Name
	}
	return fallback
}

func isAttribute(sc *openapi3.Schema) bool { return sc != nil && sc.XML != nil && sc.XML.Attribute }

// element reads one element as the schema's value.
func element(el *etree.Element, sc *openapi3.Schema, at string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("xml: %s: nested more than %d deep", at, maxDepth)
	}
	if !isObject(sc) {
		if len(el.ChildElements()) > 0 {
			return nil, fmt.Errorf("xml: %s: child elements where the schema has a %s", at, typeName(sc))
		}
		return scalar(el.Text(), sc, at)
	}
	o := &object{el: el, at: at, depth: depth, value: map[string]any{}, attrs: map[string]bool{}, children: map[string]bool{}}
	for name, ref := range sc.Properties {
		if ref == nil || ref.Value == nil {
			continue
		}
		var err error
		switch p := ref.Value; {
		case isAttribute(p):
			err = o.attribute(name, p)
		case p.Type.Is("array") && p.Items != nil && p.Items.Value != nil:
			err = o.list(name, p)
		default:
			err = o.child(name, p)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := o.nothingElse(); err != nil {
		return nil, err
	}
	return o.value, nil
}

// object is an element being read as an object schema: its value so far,
// and the attribute and element names the schema has.
type object struct {
	el              *etree.Element
	at              string
	depth           int
	value           map[string]any
	attrs, children map[string]bool
}

// attribute reads property name from an attribute.
func (o *object) attribute(name string, p *openapi3.Schema) error {
	an := xmlName(p, name)
	o.attrs[an] = true
	a := o.el.SelectAttr(an)
	if a == nil {
		return nil
	}
	v, err := scalar(a.Value, p, o.at+"/@"+an)
	if err == nil {
		o.value[name] = v
	}
	return err
}

// list reads an array property from repeated elements, wrapped or not.
func (o *object) list(name string, p *openapi3.Schema) error {
	holder := o.el
	if p.XML != nil && p.XML.Wrapped {
		wn := xmlName(p, name)
		o.children[wn] = true
		if holder = o.el.SelectElement(wn); holder == nil {
			return nil
		}
	}
	in := xmlName(p.Items.Value, name)
	if holder == o.el {
		o.children[in] = true
	}
	items := holder.SelectElements(in)
	if len(items) == 0 && holder == o.el {
		return nil // an empty list and an absent one read the same
	}
	list := make([]any, 0, len(items))
	for i, item := range items {
		v, err := element(item, p.Items.Value, fmt.Sprintf("%s/%s[%d]", o.at, in, i+1), o.depth+1)
		if err != nil {
			return err
		}
		list = append(list, v)
	}
	o.value[name] = list
	return nil
}

// child reads a property from the one child element that holds it.
func (o *object) child(name string, p *openapi3.Schema) error {
	cn := xmlName(p, name)
	o.children[cn] = true
	found := o.el.SelectElements(cn)
	switch len(found) {
	case 0:
		return nil
	case 1:
		v, err := element(found[0], p, o.at+"/"+cn, o.depth+1)
		if err == nil {
			o.value[name] = v
		}
		return err
	}
	return fmt.Errorf("xml: %s: %d <%s> elements where the schema has one", o.at, len(found), cn)
}

// nothingElse refuses attributes, elements and text the schema does not have.
func (o *object) nothingElse() error {
	for _, a := range o.el.Attr {
		if a.Space == "xmlns" || a.Key == "xmlns" || a.Space == "xsi" {
			continue
		}
		if !o.attrs[a.Key] {
			return fmt.Errorf("xml: %s: attribute %q is not in the schema", o.at, a.Key)
		}
	}
	for _, c := range o.el.ChildElements() {
		if !o.children[c.Tag] {
			return fmt.Errorf("xml: %s: element <%s> is not in the schema", o.at, c.Tag)
		}
	}
	if strings.TrimSpace(o.el.Text()) != "" {
		return fmt.Errorf("xml: %s: text where the schema has an object", o.at)
	}
	return nil
}

func isObject(sc *openapi3.Schema) bool {
	return sc.Type.Is("object") || (sc.Type == nil && len(sc.Properties) > 0)
}

func typeName(sc *openapi3.Schema) string {
	if sc.Type == nil {
		return "value"
	}
	return strings.Join(sc.Type.Slice(), " or ")
}

// scalar reads text as the schema's type: the value kin-openapi's
// validator then checks (formats, enums, ranges).
func scalar(text string, sc *openapi3.Schema, at string) (any, error) {
	types := []string{"string"}
	if sc.Type != nil && len(sc.Type.Slice()) > 0 {
		types = sc.Type.Slice()
	}
	for _, t := range types {
		switch t {
		case "string":
			return text, nil
		case "integer":
			if n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64); err == nil {
				return float64(n), nil
			}
		case "number":
			if f, err := strconv.ParseFloat(strings.TrimSpace(text), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return f, nil
			}
		case "boolean":
			if b, err := strconv.ParseBool(strings.TrimSpace(text)); err == nil && (text == "true" || text == "false") {
				return b, nil
			}
		}
	}
	return nil, fmt.Errorf("xml: %s: %q is not a %s", at, text, typeName(sc))
}
