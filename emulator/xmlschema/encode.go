package xmlschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/beevik/etree"
	"github.com/getkin/kin-openapi/openapi3"
)

// Encode writes a JSON value as the XML document the schema describes,
// the inverse of Decode: a client's request body made from a spec.
func Encode(value any, schema *openapi3.Schema) ([]byte, error) {
	if schema == nil {
		return nil, errors.New("xml: no schema")
	}
	sc := schema
	if alts := append(append([]*openapi3.SchemaRef{}, schema.OneOf...), schema.AnyOf...); len(alts) > 0 {
		sc = nil
		for _, alt := range alts {
			if alt != nil && alt.Value != nil && alt.Value.VisitJSON(value) == nil {
				sc = alt.Value
				break
			}
		}
		if sc == nil {
			return nil, errors.New("xml: the value fits none of the schema's alternatives")
		}
	}
	name := xmlName(sc, "")
	if name == "" {
		return nil, errors.New("xml: the schema names no root element")
	}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	if err := fill(doc.CreateElement(name), value, sc, 0); err != nil {
		return nil, err
	}
	return doc.WriteToBytes()
}

func fill(el *etree.Element, value any, sc *openapi3.Schema, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("xml: nested more than %d deep", maxDepth)
	}
	obj, ok := value.(map[string]any)
	if !isObject(sc) || !ok {
		el.SetText(text(value))
		return nil
	}
	names := slices.Sorted(maps.Keys(obj))
	for _, n := range names {
		v := obj[n]
		ref := sc.Properties[n]
		if ref == nil || ref.Value == nil {
			el.CreateElement(n).SetText(text(v)) // not in the schema: as a child
			continue
		}
		p := ref.Value
		switch list, isList := v.([]any); {
		case isAttribute(p):
			el.CreateAttr(xmlName(p, n), text(v))
		case isList && p.Items != nil && p.Items.Value != nil:
			holder := el
			if p.XML != nil && p.XML.Wrapped {
				holder = el.CreateElement(xmlName(p, n))
			}
			for _, item := range list {
				if err := fill(holder.CreateElement(xmlName(p.Items.Value, n)), item, p.Items.Value, depth+1); err != nil {
					return err
				}
			}
		default:
			if err := fill(el.CreateElement(xmlName(p, n)), v, p, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// text is a scalar as XML text: strings as they are, numbers without an
// exponent, anything else as JSON.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
