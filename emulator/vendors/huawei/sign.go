package huawei

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/offboard/offboard/emulator/kit"
)

// The AK/SK scheme of Huawei's API gateway, as the official SDKs sign.
const (
	signAlgorithm  = "SDK-HMAC-SHA256"
	sdkDateFormat  = "20060102T150405Z"
	headerSdkDate  = "X-Sdk-Date"
	headerBodyHash = "X-Sdk-Content-Sha256"
	// maxClockSkew is how far X-Sdk-Date may be from the gateway's clock.
	maxClockSkew = 15 * time.Minute
)

// signature is a parsed `SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`.
type signature struct {
	access        string
	signedHeaders []string
	signature     string
}

func parseSignature(authorization string) (signature, bool) {
	rest, ok := strings.CutPrefix(authorization, signAlgorithm+" ")
	if !ok {
		return signature{}, false
	}
	var s signature
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return signature{}, false
		}
		switch k {
		case "Access":
			s.access = v
		case "SignedHeaders":
			s.signedHeaders = strings.Split(v, ";")
		case "Signature":
			s.signature = v
		}
	}
	return s, s.access != "" && s.signature != "" && len(s.signedHeaders) > 0
}

var errSignature = errors.New("signature mismatch")

// verify checks a request's AK/SK signature against the secret key.
func verify(r *kit.Request, sig signature, secret string) error {
	date, err := time.Parse(sdkDateFormat, r.Header.Get(headerSdkDate))
	if err != nil {
		return fmt.Errorf("%s: %w", headerSdkDate, err)
	}
	if d := r.Now.Sub(date); d > maxClockSkew || d < -maxClockSkew {
		return fmt.Errorf("%s is %s away from the gateway's clock", headerSdkDate, d.Round(time.Second))
	}
	// The SDK lower-cases query keys; the gateway's standalone signers do not.
	for _, lowerKeys := range []bool{true, false} {
		canonical := canonicalRequest(r, sig.signedHeaders, lowerKeys)
		want := sign(secret, r.Header.Get(headerSdkDate), canonical)
		if hmac.Equal([]byte(want), []byte(strings.ToLower(sig.signature))) {
			return nil
		}
	}
	return errSignature
}

// sign is hex(HMAC-SHA256(SK, string to sign)).
func sign(secret, sdkDate, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	toSign := signAlgorithm + "\n" + sdkDate + "\n" + hex.EncodeToString(sum[:])
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(toSign))
	return hex.EncodeToString(mac.Sum(nil))
}

func canonicalRequest(r *kit.Request, signed []string, lowerKeys bool) string {
	bodyHash := r.Header.Get(headerBodyHash)
	if bodyHash == "" {
		sum := sha256.Sum256(r.Body)
		bodyHash = hex.EncodeToString(sum[:])
	}
	return strings.Join([]string{
		r.Method,
		canonicalURI(r.Path),
		canonicalQuery(r.Query, lowerKeys),
		canonicalHeaders(r, signed),
		strings.Join(signed, ";"),
		bodyHash,
	}, "\n")
}

func canonicalURI(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	uri := strings.Join(segs, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	return uri
}

func canonicalQuery(q url.Values, lowerKeys bool) string {
	merged := map[string][]string{}
	for k, vs := range q {
		if lowerKeys {
			k = strings.ToLower(k)
		}
		merged[k] = append(merged[k], vs...)
	}
	keys := make([]string, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		vs := merged[k]
		sort.Strings(vs)
		for _, v := range vs {
			pairs = append(pairs, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(pairs, "&")
}

func canonicalHeaders(r *kit.Request, signed []string) string {
	var lines []string
	for _, name := range signed {
		var values []string
		if name == "host" {
			values = []string{r.Host}
		} else {
			values = append(values, r.Header.Values(name)...)
		}
		sort.Strings(values)
		for _, v := range values {
			lines = append(lines, name+":"+strings.TrimSpace(v))
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// escape percent-encodes all but RFC 3986's unreserved characters, with
// upper-case hex, as the gateway's signers do.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
