package huawei_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/emulator/vendors/huawei"
)

func gatewayBody(t *testing.T, got emulatortest.Response, msg string) {
	t.Helper()
	id := got.Header.Get("X-Request-Id")
	want := fmt.Sprintf(`{"error_msg":"Incorrect IAM authentication information: %s","error_code":"APIGW.0301","request_id":"%s"}`, msg, id)
	if string(got.Body) != want {
		t.Errorf("body\n%s\nwant\n%s", got.Body, want)
	}
	if got.Header.Get("Server") != "api-gateway" || len(id) != 32 {
		t.Errorf("headers %v", got.Header)
	}
}

// sdkSign signs as huaweicloud-sdk-go-v3's core/auth/signer does, written
// apart from the emulator's verifier so that one cannot mirror a mistake
// of the other: every request header is signed, keys lower-cased.
func sdkSign(req *http.Request, body []byte, ak, sk string, at time.Time) {
	date := at.UTC().Format("20060102T150405Z")
	req.Header.Set("X-Sdk-Date", date)
	headers := map[string]string{}
	for k := range req.Header {
		headers[strings.ToLower(k)] = req.Header.Get(k)
	}
	var names []string
	for k := range headers {
		names = append(names, k)
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, k := range names {
		canonHeaders.WriteString(k + ":" + strings.TrimSpace(headers[k]) + "\n")
	}
	path := req.URL.Path
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	var query []string
	for k, vs := range req.URL.Query() {
		for _, v := range vs {
			query = append(query, url.QueryEscape(strings.ToLower(k))+"="+url.QueryEscape(v))
		}
	}
	sort.Strings(query)
	bodySum := sha256.Sum256(body)
	canonical := strings.Join([]string{req.Method, path, strings.Join(query, "&"), canonHeaders.String(),
		strings.Join(names, ";"), hex.EncodeToString(bodySum[:])}, "\n")
	reqSum := sha256.Sum256([]byte(canonical))
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte("SDK-HMAC-SHA256\n" + date + "\n" + hex.EncodeToString(reqSum[:])))
	req.Header.Set("Authorization", fmt.Sprintf("SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%x",
		ak, strings.Join(names, ";"), mac.Sum(nil)))
}

func signed(t *testing.T, srv *emulatortest.Server, method, path, body, sk string, at time.Time) emulatortest.Response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	req.Header.Set("X-Project-Id", "demo-project")
	sdkSign(req, []byte(body), "DEMOACCESSKEY", sk, at)
	hdr := map[string]string{}
	for k := range req.Header {
		hdr[k] = req.Header.Get(k)
	}
	return srv.Do(t, emulatortest.Request{Method: method, Path: path, Header: hdr, Body: body})
}

// TestKnownSignature pins one signature computed outside Go (Python's
// hmac and hashlib) from the published algorithm.
func TestKnownSignature(t *testing.T) {
	srv := newServer(t, "default")
	body := `{"user_ids":["2d032145d82546b5b83cd7a6fd7d0afc"]}`
	got := srv.Do(t, deleteReq(map[string]string{
		"X-Project-Id":  "demo-project",
		"X-Sdk-Date":    "20261124T090000Z",
		"Authorization": "SDK-HMAC-SHA256 Access=DEMOACCESSKEY, SignedHeaders=content-type;x-project-id;x-sdk-date, Signature=a2801919e3146b1fcfc83373dfa687512a14a71fc7b2a7fbafa3944e79628256",
	}, body))
	if got.Status != 200 {
		t.Fatalf("status %d: %s (%s)", got.Status, got.Body, got.Header.Get("X-Offboard-Detail"))
	}
}

func TestAuthentication(t *testing.T) {
	t.Run("signed as the SDK signs, host included", func(t *testing.T) {
		srv := newServer(t, "default")
		got := signed(t, srv, http.MethodPost, base+"/delete-users", seedBody, "DEMOSECRETKEY", fixedNow)
		if got.Status != 200 {
			t.Fatalf("status %d: %s (%s)", got.Status, got.Body, got.Header.Get("X-Offboard-Detail"))
		}
	})
	t.Run("signed GET with a query", func(t *testing.T) {
		srv := newServer(t, "default")
		got := signed(t, srv, http.MethodGet, base+"/users?limit=1&offset=1", "", "DEMOSECRETKEY", fixedNow)
		if got.Status != 200 {
			t.Fatalf("status %d: %s (%s)", got.Status, got.Body, got.Header.Get("X-Offboard-Detail"))
		}
	})
	cases := []struct {
		name string
		do   func(*testing.T, *emulatortest.Server) emulatortest.Response
		msg  string
	}{
		{"no credentials", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return s.Do(t, deleteReq(nil, seedBody))
		}, "x-auth-token not found"},
		{"unknown token", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return s.Do(t, deleteReq(map[string]string{"X-Auth-Token": "nope"}, seedBody))
		}, "decrypt token fail"},
		{"expired token", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return s.Do(t, deleteReq(map[string]string{"X-Auth-Token": "demo-expired-token"}, seedBody))
		}, "token expires, expires_at: 2020-01-01T00:00:00.000000Z"},
		{"unknown AK: the gateway masks it (deviation 13)", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			req, _ := http.NewRequest(http.MethodPost, s.URL+base+"/delete-users", nil)
			req.Header.Set("Content-Type", "application/json;charset=UTF-8")
			sdkSign(req, []byte(seedBody), "NOSUCHACCESSKEY", "DEMOSECRETKEY", fixedNow)
			return s.Do(t, deleteReq(map[string]string{"Authorization": req.Header.Get("Authorization"),
				"X-Sdk-Date": req.Header.Get("X-Sdk-Date")}, seedBody))
		}, "Get secretKey failed,ak:******,err:ak not exist"},
		{"wrong SK", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return signed(t, s, http.MethodPost, base+"/delete-users", seedBody, "WRONGSECRET", fixedNow)
		}, "verify aksk signature fail"},
		{"stale X-Sdk-Date", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return signed(t, s, http.MethodPost, base+"/delete-users", seedBody, "DEMOSECRETKEY", fixedNow.Add(-time.Hour))
		}, "verify aksk signature fail"},
		{"body changed after signing", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			req, _ := http.NewRequest(http.MethodPost, s.URL+base+"/delete-users", nil)
			req.Header.Set("Content-Type", "application/json;charset=UTF-8")
			sdkSign(req, []byte(seedBody), "DEMOACCESSKEY", "DEMOSECRETKEY", fixedNow)
			return s.Do(t, deleteReq(map[string]string{"Authorization": req.Header.Get("Authorization"),
				"X-Sdk-Date": req.Header.Get("X-Sdk-Date")}, `{"user_ids":["`+other+`"]}`))
		}, "verify aksk signature fail"},
		{"not a signature", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return s.Do(t, deleteReq(map[string]string{"Authorization": "Bearer demo-token"}, seedBody))
		}, "verify aksk signature fail"},
		{"auth before validation: bad body, no credentials", func(t *testing.T, s *emulatortest.Server) emulatortest.Response {
			return s.Do(t, deleteReq(nil, "{not json"))
		}, "x-auth-token not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := newServer(t, "default")
			got := c.do(t, srv)
			if got.Status != 401 {
				t.Fatalf("status %d: %s", got.Status, got.Body)
			}
			gatewayBody(t, got, c.msg)
			// Nothing changed.
			list := srv.Do(t, emulatortest.Request{Method: http.MethodGet, Path: base + "/users", Header: token})
			if !strings.Contains(string(list.Body), member) {
				t.Errorf("member gone after a refused request: %s", list.Body)
			}
		})
	}
}

// TestAnAccessKeyWithoutSecret: an access key a scenario gives no secret
// gets one made from it (huawei.GeneratedSecret, the same at every load),
// which signs like any other; the overlay keeps default's access key.
func TestAnAccessKeyWithoutSecret(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithClock(func() time.Time { return fixedNow }),
		emulator.WithScenarioYAML("ci.yaml", []byte("extends: default\nhuawei:\n  accessKeys:\n    CIACCESSKEY: {user: demo-admin}\n")))
	for _, c := range []struct{ ak, sk string }{
		{"CIACCESSKEY", huawei.GeneratedSecret("CIACCESSKEY")},
		{"DEMOACCESSKEY", "DEMOSECRETKEY"},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+base+"/users?limit=10&offset=0", nil)
		req.Header.Set("Content-Type", "application/json;charset=UTF-8")
		req.Header.Set("X-Project-Id", "demo-project")
		sdkSign(req, nil, c.ak, c.sk, fixedNow)
		hdr := map[string]string{}
		for k := range req.Header {
			hdr[k] = req.Header.Get(k)
		}
		if got := srv.Do(t, emulatortest.Request{Method: http.MethodGet, Path: base + "/users?limit=10&offset=0", Header: hdr}); got.Status != 200 {
			t.Errorf("%s signing: %d %s", c.ak, got.Status, got.Body)
		}
	}
	if a, b := huawei.GeneratedSecret("CIACCESSKEY"), huawei.GeneratedSecret("CIACCESSKEY"); a != b || a == huawei.GeneratedSecret("OTHER") {
		t.Errorf("generated secrets: %q %q", a, b)
	}
}
