package kit

import (
	"bytes"
	"encoding/json"
	"iter"
	"strconv"
)

// Outcome is an answer as its vendor means it: an error or not, whatever
// the HTTP status says (Commvault refuses with HTTP 200 and errorCode 2,
// ArcGIS with HTTP 200 and an error envelope, Huawei with is_success
// false), and the vendor's own name for the error.
type Outcome struct {
	Error bool
	// Code is the vendor's error identity: "errorCode 2", "DAYU.4402",
	// "notFound", "498". Empty for a success.
	Code string
	// Message is the vendor's message for the error, when the body has one.
	Message string
}

// Judge is implemented by every vendor: the outcome of an answer it gave
// (its own, an engine error it rendered, or a fault's), by its semantics.
type Judge interface {
	Outcome(resp Response) Outcome
}

// maxJudged bounds the body a judge decodes; a longer one is judged by its
// status alone.
const maxJudged = 1 << 20

// DecodeJSON decodes a JSON body for a judge: nil when it is not JSON or
// too long to be worth it.
func DecodeJSON(body []byte) any {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || len(body) > maxJudged || body[0] != '{' && body[0] != '[' {
		return nil
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	return v
}

// ErrorOutcome judges an answer whose JSON error body names the error at
// code and says why at msg (paths as Field takes them): a success below
// 400, else an error named by the body, or by its status when the body
// names none.
func ErrorOutcome(resp Response, code, msg []any) Outcome {
	if resp.Status < 400 {
		return Outcome{}
	}
	v := DecodeJSON(resp.Body)
	out := Outcome{Error: true, Code: Text(Field(v, code...)), Message: Text(Field(v, msg...))}
	if out.Code == "" {
		out.Code = strconv.Itoa(resp.Status)
	}
	return out
}

// Field walks a decoded JSON value by object keys and array indexes
// ("response", 0, "errorCode"); nil when the path is not there.
func Field(v any, path ...any) any {
	for _, p := range path {
		switch key := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[key]
		case int:
			a, ok := v.([]any)
			if !ok || key < 0 || key >= len(a) {
				return nil
			}
			v = a[key]
		default:
			return nil
		}
	}
	return v
}

// Text is a decoded JSON scalar as text ("" for nothing): numbers without
// an exponent, strings as they are.
func Text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// maxValue is the longest scalar Values reads after a key: codes and
// booleans are short, and a cap keeps a body of repeated keys linear.
const maxValue = 64

// Values yields, for each occurrence of key in body (a JSON "key" or an
// XML key= attribute), the scalar that follows it: digits, a word or a
// quoted string's contents, at most maxValue bytes of it, shared with
// body. Judges use it to tell a success from a refusal without decoding
// the body: a Commvault answer that says errorCode 0 everywhere is a
// success. Its cost is linear in the body whatever the bytes: each
// occurrence reads at most maxValue bytes past its key.
func Values(body []byte, key string) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		if key == "" {
			return
		}
		for i := 0; ; {
			j := bytes.Index(body[i:], []byte(key))
			if j < 0 {
				return
			}
			i += j + len(key)
			if !yield(valueAt(body, i)) {
				return
			}
		}
	}
}

// valueAt is the scalar that follows a key ending at i.
func valueAt(body []byte, i int) []byte {
	k := i
	if k < len(body) && body[k] == '"' { // the JSON key's closing quote
		k++
	}
	for k < len(body) && k-i < maxValue && (body[k] == ' ' || body[k] == '\t' || body[k] == '\n' || body[k] == '\r' || body[k] == ':' || body[k] == '=') {
		k++
	}
	quoted := k < len(body) && body[k] == '"'
	if quoted {
		k++
	}
	end := k
	for end < len(body) && end-k < maxValue && (quoted && body[end] != '"' || !quoted && isScalarByte(body[end])) {
		end++
	}
	return body[k:end]
}

// isScalarByte tells a byte that may stand in an unquoted number or word.
func isScalarByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '+' || c == '.' || c == '_'
}
