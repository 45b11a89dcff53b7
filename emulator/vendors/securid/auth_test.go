package securid_test

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
	"github.com/offboard/offboard/emulator/signing"
	"github.com/offboard/offboard/emulator/vendors/securid"
)

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + s
}

// signTyp signs with a header typ of its own ("" leaves it out).
func signTyp(t *testing.T, key any, claims jwt.MapClaims, typ string) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	if typ == "" {
		delete(tok.Header, "typ")
	} else {
		tok.Header["typ"] = typ
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + s
}

func good() jwt.MapClaims {
	return jwt.MapClaims{"sub": accessID, "aud": securid.DefaultAudience, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

func with(c jwt.MapClaims, k string, v any) jwt.MapClaims {
	c[k] = v
	if v == nil {
		delete(c, k)
	}
	return c
}

// TestJWT: every way a token can be wrong is a 403, and nothing changes.
func TestJWT(t *testing.T) {
	key := testKey(t)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, _ := os.ReadFile("testdata/test-key.pem")
	valid := sign(t, jwt.SigningMethodRS256, key, good())
	parts := strings.Split(valid, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Map(func(r rune) rune {
		if r == 'A' {
			return 'B'
		}
		return 'A'
	}, parts[2][:4]) + parts[2][4:]
	unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, good()).SignedString(jwt.UnsafeAllowNoneSignatureType)
	cases := map[string]string{
		"no Authorization":                "",
		"not bearer":                      "Basic YTpi",
		"garbage":                         "Bearer not.a.jwt",
		"unsigned (alg none)":             "Bearer " + unsigned,
		"HS256 keyed with the public key": sign(t, jwt.SigningMethodHS256, pubPEM, good()),
		"RS512":                           sign(t, jwt.SigningMethodRS512, key, good()),
		"tampered signature":              tampered,
		"signed by another key":           sign(t, jwt.SigningMethodRS256, other, good()),
		"expired":                         sign(t, jwt.SigningMethodRS256, key, with(with(good(), "iat", now.Add(-2*time.Hour).Unix()), "exp", now.Add(-61*time.Second).Unix())),
		"exp more than an hour after iat": sign(t, jwt.SigningMethodRS256, key, with(good(), "exp", now.Add(time.Hour+time.Second).Unix())),
		"no exp":                          sign(t, jwt.SigningMethodRS256, key, with(good(), "exp", nil)),
		"no iat":                          sign(t, jwt.SigningMethodRS256, key, with(good(), "iat", nil)),
		"iat in the future past the skew": sign(t, jwt.SigningMethodRS256, key, with(with(good(), "iat", now.Add(2*time.Minute).Unix()), "exp", now.Add(time.Hour).Unix())),
		"wrong aud":                       sign(t, jwt.SigningMethodRS256, key, with(good(), "aud", "https://elsewhere.example/AdminInterface/restapi")),
		"unknown sub":                     sign(t, jwt.SigningMethodRS256, key, with(good(), "sub", "someone-else")),
		"help-desk key, no privilege":     sign(t, jwt.SigningMethodRS256, key, with(good(), "sub", "offboard-helpdesk-access-id")),
		"typ JWS (deviation 16)":          signTyp(t, key, good(), "JWS"),
		"no typ":                          signTyp(t, key, good(), ""),
	}
	for name, auth := range cases {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, "default")
			got := srv.Do(t, del(auth, seedUser))
			if got.Status != 403 || string(got.Body) != body403 {
				t.Fatalf("%d %s (%s)", got.Status, got.Body, got.Header.Get("X-Offboard-Detail"))
			}
			if got := srv.Do(t, del(bearer(t), seedUser)); got.Status != 200 {
				t.Fatalf("the user did not survive a refused delete: %d %s", got.Status, got.Body)
			}
		})
	}
	t.Run("within the skew", func(t *testing.T) {
		srv := newServer(t, "default")
		auth := sign(t, jwt.SigningMethodRS256, key, with(with(good(), "iat", now.Add(30*time.Second).Unix()), "exp", now.Add(time.Hour).Unix()))
		if got := srv.Do(t, del(auth, seedUser)); got.Status != 200 {
			t.Fatalf("%d %s (%s)", got.Status, got.Body, got.Header.Get("X-Offboard-Detail"))
		}
	})
}

func TestCredential(t *testing.T) {
	srv := newServer(t, "default")
	h, v, err := srv.Emulator.Credential("securid")
	if err != nil || h != "Authorization" {
		t.Fatalf("%s %v", h, err)
	}
	if got := srv.Do(t, del(v, seedUser)); got.Status != 200 {
		t.Fatalf("the minted credential does not work: %d %s", got.Status, got.Body)
	}
}

// TestHelpDeskKeyReadsAndChangesState: a Help Desk Administrator key may
// call userStatus, markDeleted, lookup and search; only Delete User Now
// needs a Super Administrator (deviation 15).
func TestHelpDeskKeyReadsAndChangesState(t *testing.T) {
	srv := newServer(t, "default")
	hd := sign(t, jwt.SigningMethodRS256, testKey(t), with(good(), "sub", "offboard-helpdesk-access-id"))
	steps := []struct {
		req    emulatortest.Request
		status int
	}{
		{put(hd, enabled, "userStatus", `{"userStatus":"Disabled"}`), 200},
		{put(hd, pending, "markDeleted", `{"markDeleted":false}`), 200},
		{emulatortest.Request{Method: "POST", Path: users + "lookup", Body: `{"email":"asmith@example.com"}`,
			Header: map[string]string{"Authorization": hd, "Content-Type": "application/json"}}, 200},
		{emulatortest.Request{Method: "POST", Path: users + "search", Body: `{"searchText":"smith"}`,
			Header: map[string]string{"Authorization": hd, "Content-Type": "application/json"}}, 200},
		{del(hd, enabled), 403},
		{del(bearer(t), enabled), 200},
	}
	for i, s := range steps {
		if got := srv.Do(t, s.req); got.Status != s.status {
			t.Fatalf("step %d %s %s: %d %s (%s)", i, s.req.Method, s.req.Path, got.Status, got.Body, got.Header.Get("X-Offboard-Detail"))
		}
	}
}

// TestAKeyWithoutPEM: a test scenario's API key may carry no key
// material: it takes offboard's published test pair, so the scenario
// needs no PEM and Credential (offboard token securid) signs with it; an
// overlay that adds the key and a user keeps default's keys and users.
func TestAKeyWithoutPEM(t *testing.T) {
	em, err := emulator.New(emulator.WithClock(func() time.Time { return now }), emulator.WithScenarioYAML("ci.yaml", []byte(`extends: default
securid:
  apiKeys:
    ci-key: {role: super-admin}
  users:
    ci-leaver: {userStatus: Disabled}
`)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(em)
	defer srv.Close()
	do := func(bearer, user string) int {
		req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/AdminInterface/restapi/v1/users/"+user, nil)
		req.Header.Set("Authorization", bearer)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tok, err := signing.SecurIDToken(testKey(t), "ci-key", securid.DefaultAudience, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if code := do("Bearer "+tok, "ci-leaver"); code != 200 {
		t.Errorf("the new key's token deleting the new user: %d", code)
	}
	if code := do(bearer(t), "eb2e12ae-1112-451b-98e1-dfe4e6afd60d"); code != 200 {
		t.Errorf("default's key deleting default's user: %d (the overlay must keep both)", code)
	}
	if _, cred, err := em.Credential("securid"); err != nil || !strings.HasPrefix(cred, "Bearer ey") {
		t.Errorf("Credential: %q %v", cred, err)
	}
}
