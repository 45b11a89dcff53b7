package kit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// Content types used by more than one vendor.
const (
	ContentJSON = "application/json"
	ContentHTML = "text/html;charset=utf-8"
	ContentXML  = "application/xml"
)

// Raw answers with exactly these bytes.
func Raw(status int, contentType string, body []byte) Response {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	return Response{Status: status, Header: h, Body: body}
}

// Compact encodes v as compact JSON in declared field order, without
// escaping <, > and & (services written in Java and Erlang do not).
func Compact(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own types reach here; a failure is a programming error.
		panic(fmt.Sprintf("kit.Compact: %v", err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Indented encodes v with two-space indentation and `"key": value` pairs,
// the layout of JavaScript's JSON.stringify(v, null, 2).
func Indented(v any) []byte {
	var buf bytes.Buffer
	if err := json.Indent(&buf, Compact(v), "", "  "); err != nil {
		panic(fmt.Sprintf("kit.Indented: %v", err))
	}
	return buf.Bytes()
}

// JacksonPretty re-lays compact JSON the way Jackson's default pretty
// printer does, which is what Java services' "pretty" outputs look like:
// `"key" : value`, two-space indentation, arrays inline as `[ a, b ]`,
// and empty containers as `{ }` and `[ ]`. Key order is kept.
//
// It works on the bytes of compact JSON (what Compact writes: no space
// outside strings), in one pass and one allocation, copying every token.
func JacksonPretty(compact []byte) ([]byte, error) {
	if !json.Valid(compact) {
		return nil, fmt.Errorf("jackson: not valid JSON")
	}
	out := make([]byte, 0, len(compact)+len(compact)/2+16)
	var inObject []bool // per open container: an object (true) or an array
	depth := 0          // open objects: arrays stay on their object's line
	newline := func(d int) {
		out = append(out, '\n')
		for range d {
			out = append(out, "  "...)
		}
	}
	for i := 0; i < len(compact); i++ {
		switch c := compact[i]; c {
		case '"':
			j := i + 1
			for compact[j] != '"' {
				if compact[j] == '\\' {
					j++
				}
				j++
			}
			out = append(out, compact[i:j+1]...)
			i = j
			if i+1 < len(compact) && compact[i+1] == ':' {
				out = append(out, " : "...)
				i++
			}
		case '{':
			if compact[i+1] == '}' {
				out = append(out, "{ }"...)
				i++
				continue
			}
			inObject = append(inObject, true)
			depth++
			out = append(out, '{')
			newline(depth)
		case '[':
			if compact[i+1] == ']' {
				out = append(out, "[ ]"...)
				i++
				continue
			}
			inObject = append(inObject, false)
			out = append(out, "[ "...)
		case '}':
			inObject = inObject[:len(inObject)-1]
			depth--
			newline(depth)
			out = append(out, '}')
		case ']':
			inObject = inObject[:len(inObject)-1]
			out = append(out, " ]"...)
		case ',':
			if inObject[len(inObject)-1] {
				out = append(out, ',')
				newline(depth)
			} else {
				out = append(out, ", "...)
			}
		default:
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				return nil, fmt.Errorf("jackson: input is not compact")
			}
			out = append(out, c)
		}
	}
	return out, nil
}
