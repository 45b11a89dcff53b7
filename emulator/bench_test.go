package emulator_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/signing"
	"github.com/offboard/offboard/emulator/vendors/securid"
	"github.com/offboard/offboard/scenarios"
)

// benchRequest is one vendor's seed delete request, built fresh per call.
type benchRequest struct {
	vendor string
	make   func(id string) *http.Request
	ids    func(i int) string
}

// bigScenario holds n deletable users for every vendor, so that every
// benchmarked delete succeeds; ids come from the returned functions.
func bigScenario(n int, securidPublicPEM string) string {
	var b strings.Builder
	b.WriteString("name: bench\narcgis:\n  tokens:\n    admin-token: {user: siteadmin, role: administrator}\n  users:\n")
	for i := range n {
		fmt.Fprintf(&b, "    u%d: {}\n", i)
	}
	b.WriteString("onedata:\n  users:\n    a5b469a2b0516b662a49da74d6d7d7bc: {username: admin, password: password, privileges: [oz_users_delete]}\n")
	for i := range n {
		fmt.Fprintf(&b, "    %032x: {username: u%d}\n", i+1, i)
	}
	b.WriteString("huawei:\n  tokens:\n    demo-token: {user: demo-admin}\n  projects:\n    p:\n      workspaces:\n        w:\n          users:\n")
	for i := range n {
		fmt.Fprintf(&b, "            m%d: {name: u%d}\n", i, i)
	}
	b.WriteString("commvault:\n  tokens:\n    QSDK bench: {user: 1}\n  users:\n    1: {name: admin}\n    2: {name: heir}\n")
	for i := range n {
		fmt.Fprintf(&b, "    %d: {name: u%d}\n", i+10, i)
	}
	b.WriteString("securid:\n  apiKeys:\n    bench:\n      publicKey: |\n")
	for _, line := range strings.Split(strings.TrimSpace(securidPublicPEM), "\n") {
		b.WriteString("        " + line + "\n")
	}
	b.WriteString("  users:\n")
	for i := range n {
		fmt.Fprintf(&b, "    s%d: {userStatus: Disabled}\n", i)
	}
	return b.String()
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// benchKey is an RSA key for the securid API key of the bench scenario.
// benchKey is the SecurID test key pair shipped with the vendor's tests:
// a fixed key keeps runs comparable (and instruction counts repeatable).
func benchKey(b *testing.B) (*rsa.PrivateKey, string) {
	raw, err := os.ReadFile("vendors/securid/testdata/test-key.pem")
	if err != nil {
		b.Fatal(err)
	}
	key, err := jwt.ParseRSAPrivateKeyFromPEM(raw)
	if err != nil {
		b.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		b.Fatal(err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func benchRequests(b *testing.B, key *rsa.PrivateKey) []benchRequest {
	bearer, err := signing.SecurIDToken(key, "bench", securid.DefaultAudience, time.Now(), time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	form := func(body string) *http.Request {
		r := httptest.NewRequest("POST", "/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	}
	return []benchRequest{
		{"arcgis", func(id string) *http.Request { return form("userName=" + id + "&f=json&token=admin-token") },
			func(i int) string { return fmt.Sprintf("u%d", i) }},
		{"commvault", func(id string) *http.Request {
			r := httptest.NewRequest("DELETE", "/webconsole/api/User/"+id+"?newUserId=2&newUserGroupId=0", nil)
			r.Header.Set("Authtoken", "QSDK bench")
			r.Header.Set("Accept", "application/xml")
			return r
		}, func(i int) string { return fmt.Sprint(i + 10) }},
		{"huawei", func(id string) *http.Request {
			r := httptest.NewRequest("POST", "/v2/p/w/delete-users", strings.NewReader(`{"user_ids":["`+id+`"]}`))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("X-Auth-Token", "demo-token")
			return r
		}, func(i int) string { return fmt.Sprintf("m%d", i) }},
		{"onedata", func(id string) *http.Request {
			r := httptest.NewRequest("DELETE", "/api/v3/onezone/users/"+id, nil)
			r.SetBasicAuth("admin", "password")
			return r
		}, func(i int) string { return fmt.Sprintf("%032x", i+1) }},
		{"securid", func(id string) *http.Request {
			r := httptest.NewRequest("DELETE", "/AdminInterface/restapi/v1/users/"+id, nil)
			r.Header.Set("Authorization", "Bearer "+bearer)
			return r
		}, func(i int) string { return fmt.Sprintf("s%d", i) }},
	}
}

// BenchmarkDelete runs each vendor's delete through the whole handler:
// routing, authentication, validation against the spec, state change
// under the session lock, rendering, journal. Every delete succeeds; the
// state is reset (off the clock) when the users run out.
func BenchmarkDelete(b *testing.B) {
	const users = 5000
	key, pub := benchKey(b)
	em, err := emulator.New(emulator.WithScenarioYAML("bench.yaml", []byte(bigScenario(users, pub))),
		emulator.WithLogger(discardLogger()))
	if err != nil {
		b.Fatal(err)
	}
	for _, br := range benchRequests(b, key) {
		b.Run(br.vendor, func(b *testing.B) {
			em.Reset()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if i > 0 && i%users == 0 {
					b.StopTimer()
					em.Reset()
					b.StartTimer()
				}
				w := httptest.NewRecorder()
				em.ServeHTTP(w, br.make(br.ids(i%users)))
				if w.Code/100 != 2 {
					b.Fatalf("%s: %d %s", br.vendor, w.Code, w.Body)
				}
			}
		})
	}
}

// BenchmarkBareHandler is the ceiling: a net/http handler that reads the
// body and answers a fixed JSON body, as the emulator's simplest route does.
func BenchmarkBareHandler(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success"}`))
	})
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace", strings.NewReader("userName=u1&f=json&token=admin-token"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.ServeHTTP(w, r)
	}
}

// BenchmarkResetAndFirstDelete measures resetting a 10,000-user world and
// the first request after it, which pays for the copy.
func BenchmarkResetAndFirstDelete(b *testing.B) {
	key, pub := benchKey(b)
	em, err := emulator.New(emulator.WithScenarioYAML("bench.yaml", []byte(bigScenario(2000, pub))), // 5 vendors x 2,000
		emulator.WithLogger(discardLogger()))
	if err != nil {
		b.Fatal(err)
	}
	req := benchRequests(b, key)[3]
	b.ReportAllocs()
	for b.Loop() {
		em.Reset()
		w := httptest.NewRecorder()
		em.ServeHTTP(w, req.make(req.ids(0)))
		if w.Code != 204 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkNew is what start-up waits for: every route built from the
// specs' generated table, the default scenario loaded; the specs go on
// parsing in the background.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		em, err := emulator.New(emulator.WithLogger(discardLogger()))
		if err != nil {
			b.Fatal(err)
		}
		// The background parse is not start-up's cost, but it must not
		// run into the next start.
		b.StopTimer()
		if err := em.Ready(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkNewReady is New and the wait for every spec to parse (in
// parallel): the whole cost of an emulator that has validated a request
// of every vendor.
func BenchmarkNewReady(b *testing.B) {
	for b.Loop() {
		em, err := emulator.New(emulator.WithLogger(discardLogger()))
		if err == nil {
			err = em.Ready()
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadScenario: parsing and loading a scenario of n users in
// each of the five vendors through LoadScenario (issue 13, finding 5:
// 80,000 users took 42 s before the loader went linear).
func BenchmarkLoadScenario(b *testing.B) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	em, err := emulator.New()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{20_000, 80_000} {
		data := []byte(bigScenario(n, pub))
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			for b.Loop() {
				f, err := scenarios.Parse("big.yaml", data)
				if err == nil {
					err = em.LoadScenario(f)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// seedRoute is one vendor's seed delete, as the load run sends it.
type seedRoute struct {
	vendor string
	make   func() *http.Request
}

// seedRoutes builds the five seed requests against em's default world.
func seedRoutes(tb testing.TB, em *emulator.Emulator) []seedRoute {
	tb.Helper()
	cred := func(vendor string) string {
		_, v, err := em.Credential(vendor)
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
	arcgisToken := strings.TrimPrefix(cred("arcgis"), "Bearer ") // sent in the form, as the load run does
	req := func(method, target, body string, kv ...string) func() *http.Request {
		return func() *http.Request {
			var r *http.Request
			if body == "" {
				r = httptest.NewRequest(method, target, nil)
			} else {
				r = httptest.NewRequest(method, target, strings.NewReader(body))
			}
			for i := 0; i+1 < len(kv); i += 2 {
				r.Header.Set(kv[i], kv[i+1])
			}
			return r
		}
	}
	return []seedRoute{
		{"arcgis", req("POST", "/arcgis/notebooks/admin/dataaccess/deleteUserWorkspace", "userName=gis_joe&f=json&token="+arcgisToken,
			"Content-Type", "application/x-www-form-urlencoded")},
		{"commvault", req("DELETE", "/webconsole/api/User/byName(userName='jsmith')?newUserId=byName(userName='kjones')&newUserGroupId=byName(userGroupName='')", "",
			"Accept", "application/xml", "Authtoken", cred("commvault"))},
		{"huawei", req("POST", "/v2/demo-project/demo-workspace/delete-users", `{"user_ids":["2d032145d82546b5b83cd7a6fd7d0afc"]}`,
			"Content-Type", "application/json", "X-Auth-Token", "demo-token")},
		{"onedata", req("DELETE", "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1", "", "Authorization", "Basic YWRtaW46cGFzc3dvcmQ=")},
		{"securid", req("DELETE", "/AdminInterface/restapi/v1/users/eb2e12ae-1112-451b-98e1-dfe4e6afd60d", "", "Authorization", cred("securid"))},
	}
}

func quietEmulator(tb testing.TB) *emulator.Emulator {
	tb.Helper()
	em, err := emulator.New(emulator.WithLogger(slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError}))))
	if err != nil {
		tb.Fatal(err)
	}
	return em
}

// serveSeed sends one seed request and fails on an answer the load run
// would not count.
func serveSeed(tb testing.TB, em *emulator.Emulator, c seedRoute) {
	w := httptest.NewRecorder()
	em.ServeHTTP(w, c.make())
	if w.Code >= 500 || w.Code == 401 || w.Code == 403 {
		tb.Fatalf("%s: %d %s", c.vendor, w.Code, w.Body)
	}
}

// BenchmarkSeedRoute sends, again and again, the requests the load run
// (scripts/bench) sends: each vendor's seed delete against the default
// scenario. The first one deletes; every later one takes the vendor's
// not-found (or already-gone) path, which is what a load run measures.
func BenchmarkSeedRoute(b *testing.B) {
	em := quietEmulator(b)
	for _, c := range seedRoutes(b, em) {
		b.Run(c.vendor, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				serveSeed(b, em, c)
			}
		})
	}
}

// seedAllocBounds are the allocations a seed request may make in the
// steady state, the request and recorder the test builds included: what
// it measured on 2026-12-07 (38, 47, 40, 25, 30) and two more, all below
// issue 28's ceiling of the week before (58, 61, 76, 34, 37). Lower them
// as the request path sheds allocations; never raise them past that.
var seedAllocBounds = map[string]float64{"arcgis": 40, "commvault": 42, "huawei": 39, "onedata": 27, "securid": 32}

// TestSeedRouteAllocationsAreBounded holds BenchmarkSeedRoute's
// allocations under their bounds, judging and change recording on. The
// race detector allocates of its own: CI runs this in its step without it.
func TestSeedRouteAllocationsAreBounded(t *testing.T) {
	if raceOn {
		t.Skip("the race detector's allocations are not the request path's; CI runs this without it (.ci/run)")
	}
	em := quietEmulator(t)
	for _, c := range seedRoutes(t, em) {
		// The first one deletes; the rest are the steady path, measured
		// once the journal's ring has filled (until then each entry also
		// grows the ring), as a load run and the benchmark see it.
		for range emulator.DefaultJournalSize + 100 {
			serveSeed(t, em, c)
		}
		got := testing.AllocsPerRun(300, func() { serveSeed(t, em, c) })
		bound := seedAllocBounds[c.vendor]
		if got > bound {
			t.Errorf("%s: %.0f allocations a request, bound %.0f", c.vendor, got, bound)
		}
		t.Logf("%s: %.0f allocations a request, bound %.0f", c.vendor, got, bound)
	}
}
