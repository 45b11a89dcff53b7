package kit

import "strings"

// MediaType is the media type of a Content-Type value, lower-cased and
// without parameters: what mime.ParseMediaType returns as its first
// result, "" when the type itself is malformed. Parameters are not parsed
// (no caller needs them), so a malformed or repeated one does not blank
// the type as it does in mime. It allocates nothing for a lower-case
// value, which is what clients send on every request.
func MediaType(contentType string) string {
	base, _, _ := strings.Cut(contentType, ";")
	mt := strings.TrimSpace(strings.ToLower(base))
	typ, rest := cutToken(mt)
	if typ == "" {
		return ""
	}
	if rest == "" {
		return mt
	}
	rest, ok := strings.CutPrefix(rest, "/")
	if !ok {
		return ""
	}
	if sub, rest := cutToken(rest); sub == "" || rest != "" {
		return ""
	}
	return mt
}

// cutToken splits off the RFC 2045 token s starts with.
func cutToken(s string) (token, rest string) {
	i := 0
	for i < len(s) && isTokenChar(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// isTokenChar: a CHAR that is not a space, a control or a tspecial.
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '+', c == '.':
		return true // what media types are made of, decided first
	case c <= 0x20, c >= 0x7f:
		return false
	}
	switch c {
	case '(', ')', '<', '>', '@', ',', ';', ':', '\\', '"', '/', '[', ']', '?', '=':
		return false
	}
	return true
}
