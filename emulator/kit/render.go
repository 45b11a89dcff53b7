package kit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
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
func JacksonPretty(compact []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(compact))
	dec.UseNumber()
	var out bytes.Buffer
	if err := jacksonValue(dec, &out, 0); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("jackson: trailing data after the value")
	}
	return out.Bytes(), nil
}

func jacksonValue(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return jacksonObject(dec, out, depth)
		case '[':
			return jacksonArray(dec, out, depth)
		}
		return fmt.Errorf("jackson: unexpected %q", t)
	default:
		b, err := json.Marshal(t)
		if err != nil {
			return err
		}
		if s, ok := t.(string); ok {
			b = Compact(s)
		}
		out.Write(b)
		return nil
	}
}

func jacksonObject(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	if !dec.More() {
		_, err := dec.Token()
		out.WriteString("{ }")
		return err
	}
	out.WriteString("{")
	first := true
	for dec.More() {
		if !first {
			out.WriteString(",")
		}
		first = false
		out.WriteString("\n")
		out.WriteString(strings.Repeat("  ", depth+1))
		key, err := dec.Token()
		if err != nil {
			return err
		}
		out.Write(Compact(key))
		out.WriteString(" : ")
		if err := jacksonValue(dec, out, depth+1); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	out.WriteString("\n")
	out.WriteString(strings.Repeat("  ", depth))
	out.WriteString("}")
	return nil
}

func jacksonArray(dec *json.Decoder, out *bytes.Buffer, depth int) error {
	if !dec.More() {
		_, err := dec.Token()
		out.WriteString("[ ]")
		return err
	}
	out.WriteString("[ ")
	first := true
	for dec.More() {
		if !first {
			out.WriteString(", ")
		}
		first = false
		if err := jacksonValue(dec, out, depth); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	out.WriteString(" ]")
	return nil
}
