package testsuite

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/offboard/offboard/emulator/signing"
)

// SignHuawei signs a request as huaweicloud-sdk-go-v3's AK/SK signer does:
// X-Sdk-Date set, every header present signed (names lower-cased, host
// included), the canonical URI with a trailing slash, query keys
// lower-cased and sorted, hex(HMAC-SHA256(SK, string to sign)).
func SignHuawei(req *http.Request, body []byte, ak, sk string, now time.Time) {
	date := now.UTC().Format("20060102T150405Z")
	req.Header.Set("X-Sdk-Date", date)
	values := map[string][]string{"host": {req.URL.Host}}
	for k, vs := range req.Header {
		values[strings.ToLower(k)] = vs
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	var headers strings.Builder
	for _, k := range names {
		vs := append([]string(nil), values[k]...)
		sort.Strings(vs)
		for _, v := range vs {
			headers.WriteString(k + ":" + strings.TrimSpace(v) + "\n")
		}
	}
	segs := strings.Split(req.URL.Path, "/")
	for i, s := range segs {
		segs[i] = sdkEscape(s)
	}
	uri := strings.Join(segs, "/")
	if !strings.HasSuffix(uri, "/") {
		uri += "/"
	}
	query := map[string][]string{}
	for k, vs := range req.URL.Query() {
		query[strings.ToLower(k)] = append(query[strings.ToLower(k)], vs...)
	}
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		vs := query[k]
		sort.Strings(vs)
		for _, v := range vs {
			pairs = append(pairs, sdkEscape(k)+"="+sdkEscape(v))
		}
	}
	bodySum := sha256.Sum256(body)
	canonical := req.Method + "\n" + uri + "\n" + strings.Join(pairs, "&") + "\n" + headers.String() + "\n" +
		strings.Join(names, ";") + "\n" + hex.EncodeToString(bodySum[:])
	canonSum := sha256.Sum256([]byte(canonical))
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte("SDK-HMAC-SHA256\n" + date + "\n" + hex.EncodeToString(canonSum[:])))
	req.Header.Set("Authorization", fmt.Sprintf("SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s",
		ak, strings.Join(names, ";"), hex.EncodeToString(mac.Sum(nil))))
}

// sdkEscape is url.QueryEscape with the SDK's choices: %20 for a space,
// "~" kept.
func sdkEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(url.QueryEscape(s), "+", "%20"), "%7E", "~")
}

// SignSecurID signs securid.bearer from an API key's access ID and
// private key, as a SecurID API client does, when the bearer is not given.
func SignSecurID(vars map[string]string, now time.Time) error {
	if vars["securid.bearer"] != "" || vars["securid.accessId"] == "" || vars["securid.privateKey"] == "" {
		return nil
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM([]byte(vars["securid.privateKey"]))
	if err != nil {
		return fmt.Errorf("securid.privateKey: %w", err)
	}
	aud := vars["securid.audience"]
	if aud == "" {
		aud = signing.SecurIDAudience
	}
	tok, err := signing.SecurIDToken(key, vars["securid.accessId"], aud, now, 5*time.Minute)
	if err != nil {
		return err
	}
	vars["securid.bearer"] = "Bearer " + tok
	return nil
}
