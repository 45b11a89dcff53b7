package kit

import (
	"encoding/base64"
	"strings"
)

// Bearer returns the token of an "Authorization: Bearer <token>" header
// value (scheme matched case-insensitively) and whether it was one.
func Bearer(authorization string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(authorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// Basic returns the user and password of an "Authorization: Basic ..."
// header value and whether it was a well-formed one.
func Basic(authorization string) (user, password string, ok bool) {
	scheme, enc, found := strings.Cut(strings.TrimSpace(authorization), " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil {
		return "", "", false
	}
	user, password, ok = strings.Cut(string(raw), ":")
	return user, password, ok
}

// IsBasic reports whether the header names the Basic scheme at all, so a
// vendor can tell malformed Basic credentials from other schemes.
func IsBasic(authorization string) bool {
	scheme, _, _ := strings.Cut(strings.TrimSpace(authorization), " ")
	return strings.EqualFold(scheme, "Basic")
}
