package emulator_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/offboard/offboard/emulator"
	"github.com/offboard/offboard/emulator/emulatortest"
)

// hostileSessionIDs are session ids whose characters change a URL's
// meaning when written as they are, every Go subtest name among them.
var hostileSessionIDs = []string{"a/b", "a#b", "a?b", "a%b", "ü", "TestX/sub#01", "a;b,c", "a&b=c+d$", "'q'", "(x)!*", "a:b@c"}

// follow is one URL an answer carried, to be followed by every client.
type follow struct {
	Method, URL, Body string
	Header            map[string]string
	Want              int    // the status following it must give
	Has               string // text the answer must hold
}

// TestEveryURLLeadsBackIntoTheSession: for ids that change meaning in a
// path, each URL a vendor answer carries (Onedata's Location, ArcGIS's
// rest/info token service and owning system, portals/self's
// portalHostname, a replay's Location) is followed by Go, curl and Node's
// fetch, and lands in the same session (it once gave 404, 400, Node's
// Ã¼, or the shared world, and a token from portalHostname was 498
// there). Ids "." and ".." are refused.
func TestEveryURLLeadsBackIntoTheSession(t *testing.T) {
	srv := emulatortest.New(t, emulator.WithScenario("default"))
	for i, id := range hostileSessionIDs {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			base := srv.URL + "/__session/" + url.PathEscape(id)
			steps := onedataURLs(t, srv, base, i)
			steps = append(steps, arcgisURLs(t, base)...)
			for _, s := range steps {
				if got, body := goFollow(t, s); got != s.Want || !strings.Contains(body, s.Has) {
					t.Errorf("session %q: Go: %s %s gave %d %.200s, want %d with %q", id, s.Method, s.URL, got, body, s.Want, s.Has)
				}
			}
			for _, client := range []func(*testing.T, []follow) []string{curlFollow, nodeFollow} {
				for j, got := range client(t, steps) {
					if want := fmt.Sprint(steps[j].Want); !strings.HasPrefix(got, want+" ") || !strings.Contains(got, steps[j].Has) {
						t.Errorf("session %q: %s %s gave %.200s, want %s with %q", id, steps[j].Method, steps[j].URL, got, want, steps[j].Has)
					}
				}
			}
		})
	}
	for _, id := range []string{".", "..", "%2E", "%2e%2E"} {
		got := srv.Do(t, emulatortest.Request{Method: "GET", Path: "/__session/" + id + "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1",
			Header: map[string]string{"Authorization": basicAdm}})
		if got.Status != 400 {
			t.Errorf("session %q by prefix: %d %s, want the vendor's 400", id, got.Status, got.Body)
		}
		got = srv.Do(t, emulatortest.Request{Method: "GET", Path: "/api/v3/onezone/users/a4d3bc73aada63052310652d421609f1",
			Header: map[string]string{"Authorization": basicAdm, emulator.HeaderSession: id}})
		if got.Status != 400 {
			t.Errorf("session %q by header: %d %s, want the vendor's 400", id, got.Status, got.Body)
		}
	}
}

// onedataURLs creates a user in the session and returns its Location, and
// the Location of the same create replayed into the session.
func onedataURLs(t *testing.T, srv *emulatortest.Server, base string, i int) []follow {
	t.Helper()
	auth := map[string]string{"Authorization": basicAdm}
	name := fmt.Sprint("url-user-", i)
	req, _ := http.NewRequest("POST", base+"/api/v3/onezone/users", strings.NewReader(`{"username":"`+name+`","password":"a-pass-word-1"}`))
	req.Header.Set("Authorization", basicAdm)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 201 || loc == "" {
		t.Fatalf("create: %d, Location %q", resp.StatusCode, loc)
	}
	// Not in the shared world: the Location must lead into the session.
	shared := strings.Replace(loc, base, srv.URL, 1)
	out := []follow{{Method: "GET", URL: loc, Header: auth, Want: 200, Has: name}, {Method: "GET", URL: shared, Header: auth, Want: 404}}
	// A replay of the create, into the same session by the same prefix,
	// answers with a Location on the original's host.
	list, err := srv.Emulator.Requests(emulator.Filter{Operation: "create_user"}, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("journal: %v", err)
	}
	list[0].Body = strings.Replace(list[0].Body, name, name+"-again", 1)
	again, err := srv.Emulator.Replay(list[0].Seq, nil)
	if err != nil {
		t.Fatal(err)
	}
	if loc := again.Response.Header.Get("Location"); loc != "" {
		out = append(out, follow{Method: "GET", URL: loc, Header: auth, Want: 404}) // the replay's create was refused: the name is taken
	} else if again.Response.Status != 400 {
		t.Fatalf("the replayed create: %d %s", again.Response.Status, again.Response.Body)
	}
	return out
}

// arcgisURLs walks ArcGIS discovery in the session: rest/info's token
// service and owning system, and portals/self's portalHostname.
func arcgisURLs(t *testing.T, base string) []follow {
	t.Helper()
	var info struct {
		OwningSystemURL string `json:"owningSystemUrl"`
		AuthInfo        struct {
			TokenServicesURL string `json:"tokenServicesUrl"`
		} `json:"authInfo"`
	}
	getJSON(t, base+"/arcgis/rest/info?f=json", &info)
	var tok struct {
		Token string `json:"token"`
	}
	form := url.Values{"username": {"siteadmin"}, "password": {"siteadmin-password"}, "client": {"referer"}, "referer": {"http://app"}, "f": {"json"}}
	postForm(t, info.AuthInfo.TokenServicesURL, form, &tok)
	if tok.Token == "" {
		t.Fatalf("no token from %s", info.AuthInfo.TokenServicesURL)
	}
	var self struct {
		PortalHostname string `json:"portalHostname"`
	}
	getJSON(t, base+"/arcgis/sharing/rest/portals/self?f=json&token="+tok.Token, &self)
	formCT := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	return []follow{
		{Method: "POST", URL: info.AuthInfo.TokenServicesURL, Header: formCT, Body: form.Encode(), Want: 200, Has: `"token":`},
		{Method: "GET", URL: info.OwningSystemURL + "/sharing/rest/info?f=json", Want: 200, Has: "tokenServicesUrl"},
		// The token was made in the session: valid there, and only there.
		{Method: "GET", URL: "http://" + self.PortalHostname + "/sharing/rest/portals/self?f=json&token=" + tok.Token, Want: 200, Has: `"username":"siteadmin"`},
	}
}

func getJSON(t *testing.T, u string, into any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	decodeAnswer(t, u, resp, into)
}

func postForm(t *testing.T, u string, form url.Values, into any) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	decodeAnswer(t, u, resp, into)
}

func decodeAnswer(t *testing.T, u string, resp *http.Response, into any) {
	t.Helper()
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(b, into) != nil {
		t.Fatalf("%s: %d %s", u, resp.StatusCode, b)
	}
}

func goFollow(t *testing.T, s follow) (int, string) {
	t.Helper()
	req, err := http.NewRequest(s.Method, s.URL, strings.NewReader(s.Body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range s.Header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// needTool skips outside CI when a client is not installed; CI has each.
func needTool(t *testing.T, tool string) bool {
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: .ci/run installs it", tool)
		}
		t.Logf("%s is not installed here (CI has it): not followed with it", tool)
		return false
	}
	return true
}

// curlFollow follows each URL with curl: "status body" for each.
func curlFollow(t *testing.T, steps []follow) []string {
	if !needTool(t, "curl") {
		return nil
	}
	var out []string
	for _, s := range steps {
		args := []string{"-sS", "-X", s.Method, "-w", "\n%{http_code}", s.URL}
		for k, v := range s.Header {
			args = append(args, "-H", k+": "+v)
		}
		if s.Body != "" {
			args = append(args, "--data-raw", s.Body)
		}
		b, err := exec.Command("curl", args...).Output()
		if err != nil {
			t.Fatalf("curl %v: %v", args, err)
		}
		body, code, _ := strings.Cut(string(b), "\n")
		if i := strings.LastIndexByte(string(b), '\n'); i >= 0 {
			body, code = string(b[:i]), string(b[i+1:])
		}
		out = append(out, code+" "+body)
	}
	return out
}

// nodeFollow follows each URL with Node's fetch: "status body" for each.
func nodeFollow(t *testing.T, steps []follow) []string {
	if !needTool(t, "node") {
		return nil
	}
	script := `const steps = JSON.parse(require("fs").readFileSync(0, "utf8"));
(async () => {
  const out = [];
  for (const s of steps) {
    const r = await fetch(s.URL, { method: s.Method, headers: s.Header || {}, body: s.Body || undefined, redirect: "manual" });
    out.push(r.status + " " + await r.text());
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });`
	in, _ := json.Marshal(steps)
	cmd := exec.Command("node", "-e", script)
	cmd.Stdin = strings.NewReader(string(in))
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var out []string
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("node printed %s", b)
	}
	return out
}
