package kit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Content types used by more than one vendor.
const (
	ContentJSON = "application/json"
	ContentHTML = "text/html;charset=utf-8"
	ContentXML  = "application/xml"
)

// Raw answers with exactly these bytes.
func Raw(status int, contentType string, body []byte) Response {
	return Response{Status: status, ContentType: contentType, Body: body}
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

// AppendJSONString appends s as a JSON string, escaped exactly as Compact
// escapes it (encoding/json without HTML escaping): for error bodies of a
// fixed shape built on every request without reflection.
func AppendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, `\b`...)
			case '\f':
				dst = append(dst, `\f`...)
			case '\n':
				dst = append(dst, `\n`...)
			case '\r':
				dst = append(dst, `\r`...)
			case '\t':
				dst = append(dst, `\t`...)
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
