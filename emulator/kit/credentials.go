package kit

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
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

// Live tells whether a credential that expires at expires is still good
// at now; the zero time never expires (a scenario's token without expires).
func Live(expires, now time.Time) bool { return expires.IsZero() || now.Before(expires) }

// RandomHex is n random bytes in lower-case hex: a token or an id that
// the vendor makes up.
func RandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
